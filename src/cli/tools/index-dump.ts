/**
 * The lines `dump-log` prints for a segment's index files, as Kafka's DumpLogSegments prints them:
 * `offset: N position: P` per `.index` entry (8 bytes: int32 offset relative to the segment's base,
 * int32 position) and `timestamp: T offset: N` per `.timeindex` entry (12 bytes: int64 timestamp,
 * int32 relative offset). A zero entry after the first ends the listing (the unused tail of a
 * preallocated index). Offset index entries are checked against the `.log` beside them: an entry
 * whose position does not start the batch it names is reported on standard error, as Kafka's
 * "Mismatches in :<file>".
 *
 * @example
 * ```ts
 * await dumpOffsetIndex("data/t-0/00000000000000000000.index", io.out, io.err);
 * ```
 * @module
 */
import { open, readFile } from "node:fs/promises";
import { BatchHeader } from "../../core/record/batch-header.ts";
import { readInt32, readInt64 } from "../../core/record/int64.ts";
import { readBatch } from "./segment-dump.ts";

const OFFSET_ENTRY = 8;
const TIME_ENTRY = 12;

/**
 * The base offset a segment file's name carries (`00000000000000000042.index` → 42), or undefined.
 *
 * @example
 * ```ts
 * baseOffsetOf("/data/t-0/00000000000000000042.timeindex"); // 42
 * ```
 */
export function baseOffsetOf(path: string): number | undefined {
  const name = path.split(/[\\/]/).pop() ?? path;
  const digits = /^(\d+)\./.exec(name)?.[1];
  return digits === undefined || !Number.isSafeInteger(Number(digits)) ? undefined : Number(digits);
}

/**
 * Prints an offset index; `verifyOnly` prints only the mismatches.
 *
 * @example
 * ```ts
 * await dumpOffsetIndex(path, io.out, io.err, { verifyOnly: false });
 * ```
 */
export async function dumpOffsetIndex(path: string, out: (line: string) => void, err: (line: string) => void, options: { verifyOnly?: boolean } = {}): Promise<void> {
  const bytes = await readFile(path);
  const base = baseOffsetOf(path) ?? 0;
  const count = Math.floor(bytes.length / OFFSET_ENTRY);
  if (count === 0) {
    out(`${path} is empty.`);
    return;
  }
  const logPath = path.replace(/\.index$/, ".log");
  const log = await open(logPath, "r").catch(() => undefined);
  const mismatches: [number, number][] = [];
  try {
    const logSize = log === undefined ? 0 : (await log.stat()).size;
    for (let i = 0; i < count; i++) {
      const relative = readInt32(bytes, i * OFFSET_ENTRY);
      const position = readInt32(bytes, i * OFFSET_ENTRY + 4);
      if (relative === 0 && i > 0) break;
      const offset = base + relative;
      if (log !== undefined) {
        const batch = await readBatch(log, position, logSize);
        const found = batch === undefined ? -1 : new BatchHeader(batch, 0).lastOffset;
        if (found !== offset) mismatches.push([offset, found]);
      }
      if (options.verifyOnly !== true) out(`offset: ${offset} position: ${position}`);
    }
  } finally {
    await log?.close();
  }
  if (bytes.length % OFFSET_ENTRY !== 0) out(`Found ${bytes.length % OFFSET_ENTRY} invalid bytes at the end of ${path.split(/[\\/]/).pop()}`);
  if (mismatches.length > 0) {
    err(`Mismatches in :${path}`);
    for (const [indexOffset, logOffset] of mismatches) err(`  Index offset: ${indexOffset}, log offset: ${logOffset}`);
  }
}

/**
 * Prints a time index; `verifyOnly` prints nothing but its problems (timestamps that go back).
 *
 * @example
 * ```ts
 * await dumpTimeIndex(path, io.out, io.err);
 * ```
 */
export async function dumpTimeIndex(path: string, out: (line: string) => void, err: (line: string) => void, options: { verifyOnly?: boolean } = {}): Promise<void> {
  const bytes = await readFile(path);
  const base = baseOffsetOf(path) ?? 0;
  const count = Math.floor(bytes.length / TIME_ENTRY);
  const outOfOrder: [number, number][] = [];
  let previous = -1;
  for (let i = 0; i < count; i++) {
    const timestamp = readInt64(bytes, i * TIME_ENTRY);
    const relative = readInt32(bytes, i * TIME_ENTRY + 8);
    if (relative === 0 && i > 0) break;
    if (i > 0 && previous >= timestamp) outOfOrder.push([timestamp, previous]);
    if (options.verifyOnly !== true) out(`timestamp: ${timestamp} offset: ${base + relative}`);
    previous = timestamp;
  }
  if (bytes.length % TIME_ENTRY !== 0) out(`Found ${bytes.length % TIME_ENTRY} invalid bytes at the end of ${path.split(/[\\/]/).pop()}`);
  if (outOfOrder.length > 0) {
    err(`Found out of order timestamp in :${path}`);
    for (const [t, p] of outOfOrder) err(`  Index timestamp: ${t}, Previously indexed timestamp: ${p}`);
  }
}
