/**
 * Credit-based flow control of subscriptions: the broker pushes only what the subscriber granted.
 *
 * The exact rule, per subscription:
 * 1. Credit is two counters, records and bytes, set by `subscribe` and increased by `credit`
 *    (capped at 2^53 − 1). A push spends the record count (`recordsCount` of each batch header, all
 *    records of the batch, including those below `firstOffset`) and the byte length of its batches.
 * 2. Nothing is pushed while either counter is 0.
 * 3. A push carries whole batches, in log order, as many as fit: their summed records ≤ the record
 *    credit and their summed bytes ≤ the byte credit.
 * 4. Progress: when the first batch waiting does not fit, it is pushed alone anyway if the credit is
 *    *fresh*, i.e. nothing has been pushed on this subscription since its last `subscribe` or
 *    `credit` request; the counters then drop to 0. Otherwise it waits for more credit. So a
 *    subscriber with a small window receives at most one oversized batch (≤ the topic's
 *    max.message.bytes) per credit request it sends.
 * 5. The broker reads from the log only as credit allows and pauses pushing while the connection's
 *    unsent output is large, so a slow subscriber never makes it buffer without bound.
 *
 * @example
 * ```ts
 * import { FlowCredit } from "./flow-credit.ts";
 * const credit = new FlowCredit({ records: 100, bytes: 1000 });
 * const n = credit.fit([{ records: 10, bytes: 600 }, { records: 10, bytes: 600 }]); // 1
 * credit.spend(10, 600);           // 90 records, 400 bytes left; no longer fresh
 * credit.grant(0, 600);            // 90 records, 1000 bytes; fresh again
 * ```
 * @module
 */
import { INT53_MAX } from "./fields.ts";

/** The size of one stored batch, as its header tells: record count and byte length. */
export interface BatchSize {
  records: number;
  bytes: number;
}

/**
 * The credit of one subscription, with the rule above.
 *
 * @example
 * ```ts
 * const credit = new FlowCredit(request.credit);
 * const count = credit.fit(sizes);
 * if (count > 0) { push(batches.slice(0, count)); credit.spend(recordsOf(count), bytesOf(count)); }
 * ```
 */
export class FlowCredit {
  #records: number;
  #bytes: number;
  #fresh = true;

  /**
   * Starts with the credit granted by `subscribe`; the window is fresh.
   *
   * @example
   * ```ts
   * new FlowCredit({ records: 1000, bytes: 1 << 20 });
   * ```
   */
  constructor(initial: BatchSize) {
    this.#records = clamp(initial.records);
    this.#bytes = clamp(initial.bytes);
  }

  /**
   * Records that may still be pushed.
   *
   * @example
   * ```ts
   * new FlowCredit({ records: 5, bytes: 9 }).records; // 5
   * ```
   */
  get records(): number {
    return this.#records;
  }

  /**
   * Bytes that may still be pushed.
   *
   * @example
   * ```ts
   * new FlowCredit({ records: 5, bytes: 9 }).bytes; // 9
   * ```
   */
  get bytes(): number {
    return this.#bytes;
  }

  /**
   * Whether nothing was pushed since the last grant (rule 4).
   *
   * @example
   * ```ts
   * const c = new FlowCredit({ records: 5, bytes: 9 }); c.spend(1, 1); c.fresh; // false
   * ```
   */
  get fresh(): boolean {
    return this.#fresh;
  }

  /**
   * Whether anything at all may be pushed now (rule 2).
   *
   * @example
   * ```ts
   * new FlowCredit({ records: 0, bytes: 100 }).canPush; // false
   * ```
   */
  get canPush(): boolean {
    return this.#records > 0 && this.#bytes > 0;
  }

  /**
   * Adds credit from a `credit` request and makes the window fresh.
   *
   * @example
   * ```ts
   * credit.grant(request.records, request.bytes);
   * ```
   */
  grant(records: number, bytes: number): void {
    this.#records = clamp(this.#records + clamp(records));
    this.#bytes = clamp(this.#bytes + clamp(bytes));
    this.#fresh = true;
  }

  /**
   * How many of the leading `batches` the next push may carry (rules 2–4); 0 means wait.
   *
   * @example
   * ```ts
   * new FlowCredit({ records: 1, bytes: 10 }).fit([{ records: 5, bytes: 500 }]); // 1: fresh, oversized goes alone
   * ```
   */
  fit(batches: readonly BatchSize[]): number {
    if (!this.canPush || batches.length === 0) return 0;
    let records = 0;
    let bytes = 0;
    let count = 0;
    for (const batch of batches) {
      if (records + batch.records > this.#records || bytes + batch.bytes > this.#bytes) break;
      records += batch.records;
      bytes += batch.bytes;
      count++;
    }
    return count === 0 && this.#fresh ? 1 : count;
  }

  /**
   * Records a push of `records` records in `bytes` bytes: the counters drop (not below 0) and the
   * window is no longer fresh.
   *
   * @example
   * ```ts
   * credit.spend(batchRecords, batchBytes);
   * ```
   */
  spend(records: number, bytes: number): void {
    this.#records = Math.max(0, this.#records - records);
    this.#bytes = Math.max(0, this.#bytes - bytes);
    this.#fresh = false;
  }
}

/** A credit amount as a non-negative integer no larger than 2^53 − 1. */
function clamp(n: number): number {
  if (!(n > 0)) return 0;
  return n >= INT53_MAX ? INT53_MAX : Math.floor(n);
}
