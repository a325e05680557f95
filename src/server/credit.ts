/**
 * What a push spends: the stored batches a log read returned, measured from their headers (record
 * count and byte length, never decoding records), and how many of them the subscription's
 * {@link FlowCredit} lets the next push carry (the rule of `src/protocol/flow-credit.ts`).
 *
 * @example
 * ```ts
 * const read = await log.read(position, { maxBytes });
 * const plan = planPush(credit, storedBatches(read.bytes));
 * if (plan) { send(read.bytes.subarray(0, plan.end)); credit.spend(plan.records, plan.bytes); }
 * ```
 * @module
 */
import { BATCH, BatchHeader } from "../core/record/batch-header.ts";
import type { FlowCredit } from "../protocol/flow-credit.ts";

/**
 * One whole batch inside a read's bytes.
 *
 * @example
 * ```ts
 * const [first]: StoredBatch[] = storedBatches(read.bytes);
 * read.bytes.subarray(first.start, first.end); // the batch
 * ```
 */
export interface StoredBatch {
  /** Byte position of the batch in the read's bytes. */
  start: number;
  /** Byte position after the batch. */
  end: number;
  /** The header's record count. */
  records: number;
  /** The batch's byte length. */
  bytes: number;
  /** The batch's last offset. */
  lastOffset: number;
}

/**
 * The batches the next push carries, as a prefix of the read.
 *
 * @example
 * ```ts
 * const plan: PushPlan | null = planPush(credit, storedBatches(read.bytes));
 * if (plan) credit.spend(plan.records, plan.bytes);
 * ```
 */
export interface PushPlan {
  /** How many leading batches. */
  count: number;
  /** Records they hold (what the push spends). */
  records: number;
  /** Their byte length (what the push spends). */
  bytes: number;
  /** Byte position after the last batch carried. */
  end: number;
  /** The offset after the last batch carried. */
  nextOffset: number;
}

/**
 * The whole batches at the start of `bytes`, as a log read returns them. Stops at anything that is
 * not a whole batch header and body.
 *
 * @example
 * ```ts
 * storedBatches(read.bytes).map((b) => b.lastOffset);
 * ```
 */
export function storedBatches(bytes: Uint8Array): StoredBatch[] {
  const batches: StoredBatch[] = [];
  let pos = 0;
  while (bytes.length - pos >= BATCH.HEADER_SIZE) {
    const header = new BatchHeader(bytes, pos);
    const size = header.sizeInBytes;
    if (size < BATCH.HEADER_SIZE || pos + size > bytes.length) break;
    batches.push({ start: pos, end: pos + size, records: header.recordCount, bytes: size, lastOffset: header.lastOffset });
    pos += size;
  }
  return batches;
}

/**
 * How many of `batches` the next push may carry under `credit`, or null when it must wait.
 *
 * @example
 * ```ts
 * const credit = new FlowCredit({ records: 10, bytes: 1 << 20 });
 * planPush(credit, storedBatches(read.bytes))?.count;
 * ```
 */
export function planPush(credit: FlowCredit, batches: readonly StoredBatch[]): PushPlan | null {
  const count = credit.fit(batches);
  if (count === 0) return null;
  let records = 0;
  let bytes = 0;
  for (let i = 0; i < count; i++) {
    records += batches[i]!.records;
    bytes += batches[i]!.bytes;
  }
  const last = batches[count - 1]!;
  return { count, records, bytes, end: last.end, nextOffset: last.lastOffset + 1 };
}
