/**
 * A subscriber's side of credit-based flow control (protocol §9): how much of its window the
 * records received but not yet consumed hold, and how much consumed credit is due back to the
 * broker. The broker spends, per push, every batch's record count and byte length ({@link creditOf});
 * the subscriber grants that back once the push's records are consumed: when the credit due
 * reaches half the window, or when nothing received is left unconsumed. The latter makes the
 * broker's window whole and fresh again, so a batch larger than the window still gets through
 * (the progress rule) and the stream never stalls.
 *
 * @example
 * ```ts
 * import { CreditWindow, creditOf } from "./credit-window.ts";
 * const credit = new CreditWindow({ records: 500, bytes: 1 << 20 });
 * const initial = credit.start(false);           // subscribe with this
 * const spent = creditOf(push.batches);
 * credit.receive(spent);                         // a push arrived
 * credit.release(spent);                         // its records were consumed
 * const grant = credit.takeGrant();              // send a `credit` request when defined
 * ```
 * @module
 */
import { readInt32 } from "../core/record/int64.ts";
import type { CreditAmount } from "../protocol/index.ts";

const ZERO: CreditAmount = Object.freeze({ records: 0, bytes: 0 });
const BATCH_LENGTH_AT = 8;
const RECORDS_COUNT_AT = 57;
const BATCH_HEADER_SIZE = 61;
const LOG_OVERHEAD = 12;

/**
 * The credit a push spent: the summed record count of its batches' headers and its byte length,
 * as the broker counts them.
 *
 * @example
 * ```ts
 * creditOf(push.batches); // { records: 12, bytes: 4096 }
 * ```
 */
export function creditOf(batches: Uint8Array): CreditAmount {
  let records = 0;
  let pos = 0;
  while (pos + BATCH_HEADER_SIZE <= batches.length) {
    records += Math.max(0, readInt32(batches, pos + RECORDS_COUNT_AT));
    pos += LOG_OVERHEAD + Math.max(0, readInt32(batches, pos + BATCH_LENGTH_AT));
  }
  return { records, bytes: batches.length };
}

/**
 * The accounting of one subscription's window; see the module documentation.
 *
 * @example
 * ```ts
 * const credit = new CreditWindow({ records: 10, bytes: 1 << 20 });
 * ```
 */
export class CreditWindow {
  readonly window: CreditAmount;
  #held: CreditAmount = ZERO;
  #due: CreditAmount = ZERO;

  /**
   * A window of `window.records` records and `window.bytes` bytes.
   *
   * @example
   * ```ts
   * new CreditWindow({ records: 500, bytes: 1 << 20 });
   * ```
   */
  constructor(window: CreditAmount) {
    this.window = window;
  }

  /**
   * Credit held by records received and not yet consumed.
   *
   * @example
   * ```ts
   * credit.held.records; // 7
   * ```
   */
  get held(): CreditAmount {
    return this.#held;
  }

  /**
   * The credit to subscribe with: the window minus what is held. Paused, it is none, and the rest
   * is due once resumed.
   *
   * @example
   * ```ts
   * request.credit = credit.start(stream.paused);
   * ```
   */
  start(paused: boolean): CreditAmount {
    const free = {
      records: Math.max(0, this.window.records - this.#held.records),
      bytes: Math.max(0, this.window.bytes - this.#held.bytes),
    };
    this.#due = paused ? free : ZERO;
    return paused ? ZERO : free;
  }

  /**
   * A push arrived that spent `spent`.
   *
   * @example
   * ```ts
   * credit.receive(creditOf(push.batches));
   * ```
   */
  receive(spent: CreditAmount): void {
    this.#held = add(this.#held, spent);
  }

  /**
   * The records of a push that spent `spent` were consumed: that credit is due back.
   *
   * @example
   * ```ts
   * credit.release(entry.credit);
   * ```
   */
  release(spent: CreditAmount): void {
    this.#held = { records: Math.max(0, this.#held.records - spent.records), bytes: Math.max(0, this.#held.bytes - spent.bytes) };
    this.#due = add(this.#due, spent);
  }

  /**
   * The credit to grant now, or undefined: due credit goes back once it is half a window, or as
   * soon as nothing is held. The due amount then counts as granted.
   *
   * @example
   * ```ts
   * const grant = credit.takeGrant();
   * if (grant) await connection.request("credit", { sub, ...grant });
   * ```
   */
  takeGrant(): CreditAmount | undefined {
    const due = this.#due;
    if (due.records === 0 && due.bytes === 0) return undefined;
    const half = due.records * 2 >= this.window.records || due.bytes * 2 >= this.window.bytes;
    if (!half && this.#held.records > 0) return undefined;
    this.#due = ZERO;
    return due;
  }

  /**
   * A grant that did not reach the broker is due again.
   *
   * @example
   * ```ts
   * credit.giveBack(grant);
   * ```
   */
  giveBack(grant: CreditAmount): void {
    this.#due = add(this.#due, grant);
  }

  /**
   * Forgets everything held and due (the received records were dropped, e.g. by a seek).
   *
   * @example
   * ```ts
   * credit.reset();
   * ```
   */
  reset(): void {
    this.#held = ZERO;
    this.#due = ZERO;
  }
}

function add(a: CreditAmount, b: CreditAmount): CreditAmount {
  return { records: a.records + b.records, bytes: a.bytes + b.bytes };
}
