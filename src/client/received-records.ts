/**
 * The records a partition stream received and the application has not consumed yet, each push's
 * records with the credit it spent (`credit-window.ts`). Taking records and releasing them gives
 * their credit back once a push's records are all consumed. {@link drop} forgets everything (a
 * seek or a stop) and starts a new generation: credit of records taken before is not counted again.
 *
 * @example
 * ```ts
 * import { ReceivedRecords } from "./received-records.ts";
 * const received = new ReceivedRecords({ records: 500, bytes: 1 << 20 });
 * received.add(received.generation, records, creditOf(push.batches));
 * const { records: taken, release } = received.take(100, () => maybeGrant());
 * release();
 * ```
 * @module
 */
import type { CreditAmount } from "../protocol/index.ts";
import type { ConsumedRecord } from "./consumed-record.ts";
import { CreditWindow } from "./credit-window.ts";

interface Entry {
  records: ConsumedRecord[];
  taken: number;
  credit: CreditAmount;
}

/**
 * See the module documentation.
 *
 * @example
 * ```ts
 * if (!received.empty) deliver(received.take(1, grant));
 * ```
 */
export class ReceivedRecords {
  /** The credit window the records count against. */
  readonly credit: CreditWindow;
  #entries: Entry[] = [];
  #generation = 0;

  /**
   * An empty buffer with a credit window of `window`.
   *
   * @example
   * ```ts
   * new ReceivedRecords({ records: 500, bytes: 1 << 20 });
   * ```
   */
  constructor(window: CreditAmount) {
    this.credit = new CreditWindow(window);
  }

  /**
   * Moves on at every {@link drop}: records decoded for an older generation are not added.
   *
   * @example
   * ```ts
   * const generation = received.generation; // when the push arrives
   * ```
   */
  get generation(): number {
    return this.#generation;
  }

  /**
   * Whether no record is held.
   *
   * @example
   * ```ts
   * if (received.empty) await more();
   * ```
   */
  get empty(): boolean {
    return this.#entries.length === 0;
  }

  /**
   * Adds a push's records (at least one), unless the buffer was dropped since `generation`.
   *
   * @example
   * ```ts
   * received.add(generation, records, spent);
   * ```
   */
  add(generation: number, records: ConsumedRecord[], credit: CreditAmount): void {
    if (generation === this.#generation) this.#entries.push({ records, taken: 0, credit });
  }

  /**
   * Takes up to `max` records in offset order; `release()` gives back the credit of the pushes
   * taken up, then calls `released`.
   *
   * @example
   * ```ts
   * const { records, release } = received.take(10, () => grant());
   * ```
   */
  take(max: number, released: () => void): { records: ConsumedRecord[]; release: () => void } {
    const records: ConsumedRecord[] = [];
    const exhausted: CreditAmount[] = [];
    while (records.length < max && this.#entries.length > 0) {
      const entry = this.#entries[0]!;
      const count = Math.min(max - records.length, entry.records.length - entry.taken);
      for (let i = 0; i < count; i++) records.push(entry.records[entry.taken + i]!);
      entry.taken += count;
      if (entry.taken === entry.records.length) {
        this.#entries.shift();
        exhausted.push(entry.credit);
      }
    }
    const generation = this.#generation;
    let done = false;
    return {
      records,
      release: () => {
        if (done) return;
        done = true;
        for (const credit of exhausted) this.release(generation, credit, () => {});
        released();
      },
    };
  }

  /**
   * Gives back credit spent in `generation` (records dropped or consumed), then calls `released`;
   * credit of an older generation is ignored.
   *
   * @example
   * ```ts
   * received.release(generation, spent, () => grant());
   * ```
   */
  release(generation: number, credit: CreditAmount, released: () => void): void {
    if (generation !== this.#generation) return;
    this.credit.release(credit);
    released();
  }

  /**
   * Forgets every record held and the credit they spent; a new generation starts.
   *
   * @example
   * ```ts
   * received.drop(); // seek
   * ```
   */
  drop(): void {
    this.#generation++;
    this.#entries = [];
    this.credit.reset();
  }
}
