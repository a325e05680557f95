/**
 * The log cleaner's decision for one stored batch, as Kafka's `Cleaner.shouldRetainRecord` and
 * `MemoryRecords.filterTo` make it:
 *
 * - a record stays when it is the latest of its key in the offset map (or its key is not in the
 *   map), when it lies at or past the end of the mapped offsets, or when it has no key (Kafka
 *   rejects keyless records on produce to a compacted topic; edgelog's cleaner keeps them);
 * - a tombstone (null value) that stays makes its batch carry a delete horizon, now +
 *   `delete.retention.ms` (KIP-534), the first time; once the horizon has passed it goes;
 * - a batch whose records all stay, and that needs no horizon, is kept byte for byte; a batch
 *   with no record left goes; any other is re-encoded with its surviving records
 *   ({@link encodeRetainedBatch});
 * - control batches and batches in a codec edgelog cannot decode are kept as they are.
 *
 * @example
 * ```ts
 * const { bytes, removed } = await filterBatch(stored, { map, mapEnd, now: clock.now(), deleteRetentionMs: 86_400_000 });
 * if (bytes !== null) await writer.append(bytes);
 * ```
 * @module
 */
import { BatchHeader, COMPRESSION } from "../record/batch-header.ts";
import { type DecodedBatch, decodeRecordBatch, decodeRecordBatchSync } from "../record/decode-record-batch.ts";
import type { DecodedRecord } from "../record/record.ts";
import type { OffsetMap } from "./offset-map.ts";
import { encodeRetainedBatch } from "./retained-batch.ts";

/** Delete horizons are capped here so timestamp deltas stay safe integers. */
const MAX_DELETE_HORIZON = 2 ** 52;

/**
 * What {@link filterBatch} decides with.
 *
 * @example
 * ```ts
 * const context: FilterContext = { map, mapEnd: 1200, now: clock.now(), deleteRetentionMs: config.deleteRetentionMs };
 * ```
 */
export interface FilterContext {
  /** Key → latest offset over the dirty offsets. */
  map: OffsetMap;
  /** Records at or after this offset were not mapped: they stay. */
  mapEnd: number;
  now: number;
  deleteRetentionMs: number;
}

/**
 * What the records of one stored batch become.
 *
 * @example
 * ```ts
 * const filtered: FilteredBatch = { bytes: null, removed: 3 }; // the whole batch goes
 * ```
 */
export interface FilteredBatch {
  /** The batch to write (the very `bytes` given when nothing changed), or null to drop it. */
  bytes: Uint8Array | null;
  /** Records dropped. */
  removed: number;
}

/**
 * Filters one whole stored batch (CRC checked; a bad one is `CORRUPT_MESSAGE`).
 *
 * @example
 * ```ts
 * const filtered = await filterBatch(bytes, context);
 * const changed = filtered.bytes !== bytes;
 * ```
 */
export async function filterBatch(bytes: Uint8Array, context: FilterContext): Promise<FilteredBatch> {
  const batch = await decodeStoredBatch(bytes);
  if (batch === null || batch.baseOffset >= context.mapEnd) return { bytes, removed: 0 };
  const header = new BatchHeader(bytes, 0);
  const horizon = header.hasDeleteHorizon ? header.baseTimestamp : null;
  const kept: DecodedRecord[] = [];
  let tombstones = false;
  for (const r of batch.records) {
    if (r.key !== null && r.offset < context.mapEnd) {
      const latest = context.map.get(r.key);
      if (latest !== undefined && r.offset < latest) continue;
      if (r.value === null && horizon !== null && context.now >= horizon) continue;
    }
    if (r.key !== null && r.value === null) tombstones = true;
    kept.push(r);
  }
  const removed = batch.records.length - kept.length;
  if (kept.length === 0) return { bytes: null, removed };
  const stamp = tombstones && horizon === null;
  if (removed === 0 && !stamp) return { bytes, removed };
  const newHorizon = stamp ? Math.min(context.now + context.deleteRetentionMs, MAX_DELETE_HORIZON) : horizon;
  return { bytes: await encodeRetainedBatch(batch, kept, newHorizon), removed };
}

/**
 * Decodes a stored batch, or returns null for one the cleaner keeps as it is: a control batch, or
 * a codec edgelog cannot decode (snappy, lz4, zstd).
 *
 * @example
 * ```ts
 * const batch = await decodeStoredBatch(bytes);
 * if (batch !== null) for (const r of batch.records) if (r.key) map.put(r.key, r.offset);
 * ```
 */
export async function decodeStoredBatch(bytes: Uint8Array): Promise<DecodedBatch | null> {
  const header = new BatchHeader(bytes, 0);
  if (header.isControl) return null;
  if (header.compression === COMPRESSION.none) return decodeRecordBatchSync(bytes);
  if (header.compression === COMPRESSION.gzip) return decodeRecordBatch(bytes);
  return null;
}
