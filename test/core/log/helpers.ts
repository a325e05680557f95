/**
 * Test helpers for the log: record batches from strings, decoding a read back into offsets and
 * values, and a file system wrapper that counts reads.
 *
 * @example
 * ```ts
 * const log = await openTestLog(fs, clock, { segmentBytes: 4096 });
 * await log.append(batchOf(["a", "b"], { timestamp: 1000 }));
 * recordsIn((await log.read(0)).bytes); // [{ offset: 0, value: "a", timestamp: 1000 }, ...]
 * ```
 * @module
 */
import type { ManualClock } from "../../../src/core/ports/clock.ts";
import type { FileHandle, FileSystem } from "../../../src/core/ports/file-system.ts";
import { type LogConfig, defaultLogConfig } from "../../../src/core/log/log-config.ts";
import { openPartitionLog, type OpenPartitionLogOptions, type PartitionLog } from "../../../src/core/log/partition-log.ts";
import { decodeRecordBatchSync, encodeRecordBatchSync } from "../../../src/core/record/record-batch.ts";
import { scanBatches } from "../../../src/core/record/scan-batches.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** An uncompressed batch of records with the given string values (and timestamps). */
export function batchOf(values: string[], options: { timestamp?: number; timestamps?: number[]; baseOffset?: number } = {}): Uint8Array {
  const now = options.timestamp ?? 1_700_000_000_000;
  return encodeRecordBatchSync({
    baseOffset: options.baseOffset ?? 0,
    now,
    records: values.map((v, i) => ({ key: null, value: encoder.encode(v), timestamp: options.timestamps?.[i] ?? now })),
  });
}

/** Several batches concatenated, as one append carries them. */
export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** A decoded record of a read. */
export interface SeenRecord {
  offset: number;
  value: string;
  timestamp: number;
}

/** Decodes whole batches (checking CRCs) into records. */
export function recordsIn(bytes: Uint8Array): SeenRecord[] {
  const scan = scanBatches(bytes, 0, bytes.length, { checkCrc: true });
  if (scan.problem !== undefined) throw new Error(`read returned invalid batches: ${scan.problem}`);
  const out: SeenRecord[] = [];
  for (const h of scan.batches) {
    const batch = decodeRecordBatchSync(bytes, h.offset);
    for (const r of batch.records) out.push({ offset: r.offset, value: r.value === null ? "" : decoder.decode(r.value), timestamp: r.timestamp });
  }
  return out;
}

/** Reads the whole log from `from` to its end, following nextOffset. */
export async function readAll(log: PartitionLog, from = log.logStartOffset): Promise<SeenRecord[]> {
  const out: SeenRecord[] = [];
  let offset = from;
  while (offset < log.highWatermark) {
    const read = await log.read(offset, { maxBytes: 1 << 16 });
    if (read.bytes.length === 0) break;
    out.push(...recordsIn(read.bytes).filter((r) => r.offset >= from));
    offset = read.nextOffset;
  }
  return out;
}

/** A config for tests: small segments, dense indexes. */
export function testConfig(overrides: Partial<LogConfig> = {}): LogConfig {
  return { ...defaultLogConfig, segmentBytes: 1 << 20, indexIntervalBytes: 256, ...overrides };
}

/** Opens `data/t-0` on `fs` with {@link testConfig}. */
export function openTestLog(
  fs: FileSystem,
  clock: ManualClock,
  overrides: Partial<LogConfig> = {},
  extra: Partial<OpenPartitionLogOptions> = {},
): Promise<PartitionLog> {
  return openPartitionLog({ fs, clock, dir: "data/t-0", topic: "t", partition: 0, config: testConfig(overrides), ...extra });
}

/** The reads a {@link countingFileSystem} saw: path, position, length. */
export interface ReadCall {
  path: string;
  position: number;
  length: number;
}

/** A file handle that forwards to `inner`, with some methods replaced. */
export function wrapHandle(inner: FileHandle, overrides: Partial<FileHandle> = {}): FileHandle {
  return {
    path: inner.path,
    size: () => inner.size(),
    append: (data) => inner.append(data),
    write: (position, data) => inner.write(position, data),
    read: (position, length) => inner.read(position, length),
    sync: () => inner.sync(),
    truncate: (size) => inner.truncate(size),
    close: () => inner.close(),
    ...overrides,
  };
}

/** A file system that forwards to `inner`, passing every opened handle through `handle`. */
export function wrapFileSystem(inner: FileSystem, handle: (h: FileHandle) => FileHandle, overrides: Partial<FileSystem> = {}): FileSystem {
  return {
    open: async (path, options) => handle(await inner.open(path, options)),
    readFile: (path) => inner.readFile(path),
    writeFile: (path, data) => inner.writeFile(path, data),
    rename: (from, to) => inner.rename(from, to),
    remove: (path) => inner.remove(path),
    list: (dir) => inner.list(dir),
    mkdir: (path) => inner.mkdir(path),
    stat: (path) => inner.stat(path),
    syncDir: (path) => inner.syncDir(path),
    ...overrides,
  };
}

/** Wraps a file system and records every FileHandle.read. */
export function countingFileSystem(inner: FileSystem): { fs: FileSystem; reads: ReadCall[] } {
  const reads: ReadCall[] = [];
  const fs = wrapFileSystem(inner, (h) =>
    wrapHandle(h, {
      read: (position, length) => {
        reads.push({ path: h.path, position, length });
        return h.read(position, length);
      },
    }),
  );
  return { fs, reads };
}

/** The segment files of a log directory, by suffix. */
export async function segmentFiles(fs: FileSystem, dir = "data/t-0"): Promise<string[]> {
  return (await fs.list(dir)).filter((n) => /^\d{20}\./.test(n)).sort();
}
