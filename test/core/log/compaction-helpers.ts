/**
 * Test helpers for log compaction: keyed batches, and reading a log back as keyed records.
 *
 * @example
 * ```ts
 * await log.append(keyed([["a", "1"], ["b", null]]));
 * (await readKeyed(log)).map((r) => `${r.offset}:${r.key}=${r.value}`); // ["0:a=1", "1:b=null"]
 * ```
 * @module
 */
import type { PartitionLog } from "../../../src/core/log/partition-log.ts";
import { decodeRecordBatches, encodeRecordBatch, encodeRecordBatchSync } from "../../../src/core/record/record-batch.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A key (null: no key) and a value (null: a tombstone). */
export type KeyValue = [key: string | null, value: string | null];

/** A record read back from a log. */
export interface KeyedRecord {
  offset: number;
  key: string | null;
  value: string | null;
  timestamp: number;
}

/** An uncompressed batch of keyed records, all at `timestamp`. */
export function keyed(pairs: KeyValue[], timestamp = 1_700_000_000_000): Uint8Array {
  return encodeRecordBatchSync({ now: timestamp, records: pairs.map(([k, v]) => ({ key: k === null ? null : encoder.encode(k), value: v === null ? null : encoder.encode(v), timestamp })) });
}

/** A gzip batch of keyed records. */
export function keyedGzip(pairs: KeyValue[], timestamp = 1_700_000_000_000): Promise<Uint8Array> {
  return encodeRecordBatch({ compression: "gzip", now: timestamp, records: pairs.map(([k, v]) => ({ key: k === null ? null : encoder.encode(k), value: v === null ? null : encoder.encode(v), timestamp })) });
}

/** Every record from the log start to the high watermark, following nextOffset. */
export async function readKeyed(log: PartitionLog, from = log.logStartOffset): Promise<KeyedRecord[]> {
  const out: KeyedRecord[] = [];
  let offset = from;
  while (offset < log.highWatermark) {
    const read = await log.read(offset, { maxBytes: 1 << 16 });
    if (read.bytes.length === 0) break;
    for (const batch of await decodeRecordBatches(read.bytes)) {
      for (const r of batch.records) {
        if (r.offset < from) continue;
        out.push({ offset: r.offset, key: r.key === null ? null : decoder.decode(r.key), value: r.value === null ? null : decoder.decode(r.value), timestamp: r.timestamp });
      }
    }
    offset = read.nextOffset;
  }
  return out;
}

/** `offset:key=value` lines, for compact assertions. */
export function lines(records: readonly KeyedRecord[]): string[] {
  return records.map((r) => `${r.offset}:${r.key}=${r.value}`);
}

/** The last record of each key (keyed records only). */
export function latestByKey(records: readonly KeyedRecord[]): Map<string, KeyedRecord> {
  const latest = new Map<string, KeyedRecord>();
  for (const r of records) if (r.key !== null) latest.set(r.key, r);
  return latest;
}
