/**
 * Log benchmark on the real file system of the running runtime: append and read throughput with
 * 100 B and 1 KiB records in batches of 1, 100 and 1000 (batches are encoded before timing, so the
 * figures are the log's), and the time a LogManager takes to open a 1 GiB log after an unclean stop
 * when only the active segment is dirty (log.segment.bytes 128 MiB, so 8 segments).
 *
 * Prints a table and writes JSON to bench/results/log-<date>.json. Data lives in a temporary
 * directory that is removed afterwards.
 *
 * @example
 * ```sh
 * bun bench/log.ts                 # npm run bench:log
 * npx tsx bench/log.ts             # Node
 * deno run -A bench/log.ts         # Deno
 * BENCH_QUICK=1 bun bench/log.ts   # smaller volumes, for a smoke run
 * ```
 * @module
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runtimeFileSystem, runtimeName } from "../src/adapters/runtime-file-system.ts";
import { writeResultsFile } from "./run/results-file.ts";
import { defaultLogConfig, type LogConfig } from "../src/core/log/log-config.ts";
import { RECOVERY_POINT_CHECKPOINT } from "../src/core/log/checkpoint-file.ts";
import { CLEAN_SHUTDOWN_FILE, openLogManager } from "../src/core/log/log-manager.ts";
import { openPartitionLog } from "../src/core/log/partition-log.ts";
import { systemClock } from "../src/core/ports/clock.ts";
import type { FileSystem } from "../src/core/ports/file-system.ts";
import { encodeRecordBatchSync } from "../src/core/record/record-batch.ts";

const env = (globalThis as { process?: { env: Record<string, string | undefined> } }).process?.env ?? {};
const quick = env.BENCH_QUICK === "1";
const MiB = 1024 * 1024;

interface ThroughputResult {
  recordBytes: number;
  batchSize: number;
  records: number;
  appendSeconds: number;
  appendRecordsPerSecond: number;
  appendMiBPerSecond: number;
  readSeconds: number;
  readRecordsPerSecond: number;
  readMiBPerSecond: number;
}

/** A pool of distinct pre-encoded batches, reused round-robin (append patches offsets in place). */
function encodePool(recordBytes: number, batchSize: number): Uint8Array[] {
  const pool: Uint8Array[] = [];
  const count = Math.max(1, Math.min(64, Math.floor((64 * MiB) / (recordBytes * batchSize))));
  for (let p = 0; p < count; p++) {
    const records = Array.from({ length: batchSize }, (_, i) => {
      const value = new Uint8Array(recordBytes);
      for (let j = 0; j < recordBytes; j++) value[j] = (p * 31 + i * 7 + j) & 0xff;
      return { key: null, value, timestamp: 1_700_000_000_000 + p };
    });
    pool.push(encodeRecordBatchSync({ baseOffset: 0, now: 1_700_000_000_000, records }));
  }
  return pool;
}

async function throughput(fs: FileSystem, root: string, recordBytes: number, batchSize: number, records: number): Promise<ThroughputResult> {
  const dir = join(root, `bench-${recordBytes}-${batchSize}-0`);
  const config: LogConfig = { ...defaultLogConfig, retentionMs: -1 };
  const log = await openPartitionLog({ fs, clock: systemClock(), dir, topic: `bench-${recordBytes}-${batchSize}`, partition: 0, config, cleanShutdown: true });
  const pool = encodePool(recordBytes, batchSize);
  const appends = Math.ceil(records / batchSize);
  let bytes = 0;
  const appendStart = performance.now();
  for (let i = 0; i < appends; i++) {
    const batch = pool[i % pool.length]!;
    await log.append(batch);
    bytes += batch.length;
  }
  const appendSeconds = (performance.now() - appendStart) / 1000;
  const total = appends * batchSize;

  let offset = 0;
  let readBytes = 0;
  const readStart = performance.now();
  while (offset < log.logEndOffset) {
    const read = await log.read(offset, { maxBytes: MiB });
    readBytes += read.bytes.length;
    offset = read.nextOffset;
  }
  const readSeconds = (performance.now() - readStart) / 1000;
  if (offset !== total || readBytes !== bytes) throw new Error(`Read back ${offset} records / ${readBytes} bytes, appended ${total} / ${bytes}`);
  await log.delete();
  return {
    recordBytes,
    batchSize,
    records: total,
    appendSeconds,
    appendRecordsPerSecond: total / appendSeconds,
    appendMiBPerSecond: bytes / MiB / appendSeconds,
    readSeconds,
    readRecordsPerSecond: total / readSeconds,
    readMiBPerSecond: readBytes / MiB / readSeconds,
  };
}

interface RecoveryResult {
  logBytes: number;
  segments: number;
  dirtyBytes: number;
  writeSeconds: number;
  /** LogManager open time of each trial, the first right after the unclean stop. */
  openSeconds: number[];
  logEndOffset: number;
}

/** Unclean restarts timed; the machine is shared, so the best and the median are reported. */
const RECOVERY_TRIALS = 5;

async function recovery(fs: FileSystem, root: string, totalBytes: number, segmentBytes: number): Promise<RecoveryResult> {
  const logDir = join(root, "recovery");
  const config: LogConfig = { ...defaultLogConfig, segmentBytes, retentionMs: -1 };
  const never = Number.MAX_SAFE_INTEGER;
  const quiet = { retentionCheckIntervalMs: never, flushCheckIntervalMs: never, checkpointIntervalMs: never };
  const first = await openLogManager({ fs, clock: systemClock(), logDirs: [logDir], defaults: config, ...quiet });
  const log = await first.createLog("recovery", 0, config);
  const pool = encodePool(1024, 1000);
  const segmentsWanted = Math.round(totalBytes / segmentBytes);
  const writeStart = performance.now();
  // Fill `segmentsWanted` segments, the last (active, unflushed) one as full as the others.
  let closedBytes = 0;
  for (let i = 0; ; i++) {
    const batch = pool[i % pool.length]!;
    const activeBytes = log.sizeInBytes - closedBytes;
    if (activeBytes + batch.length > segmentBytes) {
      if (log.segmentCount === segmentsWanted) break;
      closedBytes = log.sizeInBytes;
    }
    await log.append(batch);
  }
  const writeSeconds = (performance.now() - writeStart) / 1000;
  // Every segment but the active one was synced when it rolled; checkpoint the recovery point, then
  // stop without closing: no clean shutdown marker, the active segment unflushed.
  await first.checkpoint();
  const segments = log.segmentCount;
  const logEndOffset = log.logEndOffset;
  const logBytes = log.sizeInBytes;
  const recoveryPoint = log.recoveryPoint;
  const active = (await fs.list(log.dir)).filter((n) => n.endsWith(".log")).sort().at(-1)!;
  const dirtyBytes = (await fs.stat(join(log.dir, active)))!.size;

  // Trial 1 opens right after the stop. Later trials stop the same way again: the manager closes,
  // then the marker goes and the recovery point checkpoint is put back as it was at the stop.
  const checkpointPath = join(logDir, RECOVERY_POINT_CHECKPOINT);
  const checkpointAtStop = await fs.readFile(checkpointPath);
  const openSeconds: number[] = [];
  for (let trial = 0; trial < RECOVERY_TRIALS; trial++) {
    if (trial > 0) {
      await fs.remove(join(logDir, CLEAN_SHUTDOWN_FILE));
      await fs.writeFile(checkpointPath, checkpointAtStop);
    }
    const openStart = performance.now();
    const second = await openLogManager({ fs, clock: systemClock(), logDirs: [logDir], defaults: config, ...quiet });
    openSeconds.push((performance.now() - openStart) / 1000);
    const reopened = second.getLog("recovery", 0);
    if (reopened?.logEndOffset !== logEndOffset) throw new Error(`Recovered to ${reopened?.logEndOffset}, expected ${logEndOffset}`);
    if (reopened.recoveryPoint !== recoveryPoint) throw new Error(`Recovery point ${reopened.recoveryPoint}, expected ${recoveryPoint}`);
    await second.close();
  }
  return { logBytes, segments, dirtyBytes, writeSeconds, openSeconds, logEndOffset };
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows.map((r) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join("  ")).join("\n");
}

const fmt = (n: number) => Math.round(n).toLocaleString("en-US");

async function main(): Promise<void> {
  const fs = await runtimeFileSystem();
  const root = await mkdtemp(join(tmpdir(), "edgelog-bench-log-"));
  const scale = quick ? 0.05 : 1;
  const cases: [number, number, number][] = [
    [100, 1, 200_000],
    [100, 100, 2_000_000],
    [100, 1000, 3_000_000],
    [1024, 1, 100_000],
    [1024, 100, 300_000],
    [1024, 1000, 300_000],
  ];
  const results: ThroughputResult[] = [];
  let recoveryResult: RecoveryResult | undefined;
  try {
    for (const [recordBytes, batchSize, records] of cases) {
      results.push(await throughput(fs, root, recordBytes, batchSize, Math.max(batchSize, Math.round(records * scale))));
    }
    recoveryResult = await recovery(fs, root, quick ? 64 * MiB : 1024 * MiB, quick ? 8 * MiB : 128 * MiB);
  } finally {
    await rm(root, { recursive: true, force: true });
  }

  const runtime = runtimeName();
  console.log(`edgelog log benchmark on ${runtime}${quick ? " (quick)" : ""}\n`);
  console.log(
    table([
      ["record", "batch", "records", "append rec/s", "append MiB/s", "read rec/s", "read MiB/s"],
      ...results.map((r) => [
        `${r.recordBytes} B`,
        String(r.batchSize),
        fmt(r.records),
        fmt(r.appendRecordsPerSecond),
        fmt(r.appendMiBPerSecond),
        fmt(r.readRecordsPerSecond),
        fmt(r.readMiBPerSecond),
      ]),
    ]),
  );
  const rec = recoveryResult!;
  const sorted = [...rec.openSeconds].sort((a, b) => a - b);
  const ms = (seconds: number) => `${(seconds * 1000).toFixed(0)} ms`;
  console.log(
    `\nrecovery: ${(rec.logBytes / MiB).toFixed(0)} MiB in ${rec.segments} segments, ~${(rec.dirtyBytes / MiB).toFixed(0)} MiB dirty ` +
      `(written in ${rec.writeSeconds.toFixed(1)} s): LogManager open after an unclean stop ` +
      `best ${ms(sorted[0]!)}, median ${ms(sorted[Math.floor(sorted.length / 2)]!)}, first ${ms(rec.openSeconds[0]!)} ` +
      `(${rec.openSeconds.map(ms).join(", ")})`,
  );
  const date = new Date().toISOString();
  const file = await writeResultsFile("log-", date, { runtime, quick, date, throughput: results, recovery: rec });
  console.log(`\nwritten to ${file}`);
}

await main();
