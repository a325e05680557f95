/**
 * One partition a group member owns, as the consumer sees it: the records pushed for it by the
 * group subscription and not yet consumed, and its positions.
 *
 * - `received`: the offset after the last record received. Records below it that the broker pushes
 *   again (a new group subscription starts at the committed offset) are dropped, so the
 *   application sees every offset once, in order.
 * - `position`: the next offset the application gets; `processed`: the offset after the last
 *   record it finished (what auto-commit commits); `committed`: the group's offset, as last known.
 * - Records taken are in flight until released (the next record was asked for, or the handler
 *   returned); a revocation waits for {@link whenIdle}. A handler that failed puts its records back
 *   ({@link GroupTaken.unread}).
 * - Paused or closed (revoked or lost), the partition holds nothing: what it held and what arrives
 *   is dropped and its credit goes back to the pool shared by every partition of the subscription,
 *   so a paused partition never holds up the others. Records dropped while paused are read again
 *   after `resume()` ({@link resume} tells whether some were).
 *
 * @example
 * ```ts
 * import { GroupPartition } from "./group-partition.ts";
 * const p = new GroupPartition("orders", 0, { releaseCredit: (c) => pool.release(c), readable: wake });
 * p.pushed();
 * p.accept(p.generation, records, spent, 43, 44);
 * const taken = p.take(10);
 * taken.release(); // p.processed === the offset after the last record taken
 * ```
 * @module
 */
import type { EdgelogError } from "../core/errors.ts";
import type { CreditAmount } from "../protocol/index.ts";
import type { ConsumedRecord } from "./consumed-record.ts";
import type { Taken } from "./partition-stream.ts";
import { WakeSignal } from "./wake-signal.ts";

/**
 * Records taken from a group partition; besides `release()`, `unread(i)` puts records `i…` back
 * (a handler failed at record `i`): they are delivered again, first.
 *
 * @example
 * ```ts
 * try { await handle(taken.records); taken.release(); } catch { taken.unread(0); }
 * ```
 */
export interface GroupTaken extends Taken {
  unread(index: number): void;
}

/**
 * What a partition needs from the group subscription: where consumed (or dropped) credit goes and
 * whom to tell that records are ready.
 *
 * @example
 * ```ts
 * const hooks: GroupPartitionHooks = { releaseCredit: (credit) => fetcher.release(credit), readable: () => signal.wake() };
 * ```
 */
export interface GroupPartitionHooks {
  releaseCredit(credit: CreditAmount): void;
  readable(): void;
}

interface Entry {
  records: ConsumedRecord[];
  taken: number;
  /** The credit the records came with, each returned as it was given (it may name its source). */
  credits: CreditAmount[];
}

/**
 * See the module documentation.
 *
 * @example
 * ```ts
 * const p = new GroupPartition("orders", 2, hooks, 120); // resumes after offset 119
 * ```
 */
export class GroupPartition {
  readonly topic: string;
  readonly partition: number;
  /** The offset after the last record received (undefined before the first push). */
  received: number | undefined;
  /** The offset after the last record processed, once one was. */
  processed: number | undefined;
  /** The group's committed offset as last known (-1: none; undefined: not known). */
  committed: number | undefined;
  /** The first push's offsets while `received` was unknown, for a gap check once `committed` is known. */
  firstPush: { firstOffset: number; logStartOffset: number } | undefined;
  highWatermark = -1;
  readonly #hooks: GroupPartitionHooks;
  #entries: Entry[] = [];
  #generation = 0;
  #seeks = 0;
  #inFlight = 0;
  #pending = 0;
  #abandoned = false;
  readonly #idle = new WakeSignal();
  #paused = false;
  #missed = false;
  #closed = false;
  #failure: EdgelogError | undefined;

  /**
   * A partition newly owned; `position` (the consumer's own, from before it lost the partition)
   * drops records below it.
   *
   * @example
   * ```ts
   * new GroupPartition("orders", 0, hooks);
   * ```
   */
  constructor(topic: string, partition: number, hooks: GroupPartitionHooks, position?: number) {
    this.topic = topic;
    this.partition = partition;
    this.#hooks = hooks;
    this.received = position;
  }

  /**
   * Changes whenever what was received is dropped (seek, pause, close): records decoded for an older
   * generation are not accepted.
   *
   * @example
   * ```ts
   * const generation = p.generation; // at push time
   * ```
   */
  get generation(): number {
    return this.#generation;
  }

  /**
   * The next offset the application gets: the first record held, else `received`, else the
   * committed offset (undefined when none is known).
   *
   * @example
   * ```ts
   * p.position; // 120
   * ```
   */
  get position(): number | undefined {
    const entry = this.#entries[0];
    if (entry !== undefined) return entry.records[entry.taken]!.offset;
    return this.received ?? (this.committed !== undefined && this.committed >= 0 ? this.committed : undefined);
  }

  /**
   * Whether {@link take} has records or a failure to report (never while paused or closed).
   *
   * @example
   * ```ts
   * if (p.ready) deliver(p.take(1));
   * ```
   */
  get ready(): boolean {
    if (this.#paused || this.#closed) return false;
    return this.#entries.length > 0 || this.#failure !== undefined;
  }

  /**
   * Whether the partition is paused.
   *
   * @example
   * ```ts
   * if (p.paused) drop(push);
   * ```
   */
  get paused(): boolean {
    return this.#paused;
  }

  /**
   * Whether the member no longer owns it.
   *
   * @example
   * ```ts
   * if (p.closed) return;
   * ```
   */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * A push for this partition arrived and is being decoded; {@link accept} ends it.
   *
   * @example
   * ```ts
   * p.pushed();
   * ```
   */
  pushed(): void {
    this.#pending++;
  }

  /**
   * Ends a push: adds its decoded records, leaving out those below `received` (they came already,
   * perhaps from another source: the group subscription or the partition's leader), and moves
   * `received` to `nextOffset`. When the generation moved on (seek, pause, close) or the partition
   * is paused, the records are dropped and their credit returned. `nextOffset` undefined: the push
   * failed to decode.
   *
   * @example
   * ```ts
   * p.accept(generation, records, creditOf(push.batches), push.highWatermark, push.nextOffset);
   * ```
   */
  accept(generation: number, records: ConsumedRecord[], credit: CreditAmount, highWatermark: number, nextOffset: number | undefined): void {
    this.#pending = Math.max(0, this.#pending - 1);
    if (generation !== this.#generation || this.#closed || this.#paused || nextOffset === undefined) {
      if (this.#paused && generation === this.#generation) this.#missed = true;
      this.#hooks.releaseCredit(credit);
      return;
    }
    const from = this.received;
    const fresh = from === undefined ? records : records.filter((r) => r.offset >= from);
    this.received = Math.max(this.received ?? nextOffset, nextOffset);
    this.highWatermark = Math.max(this.highWatermark, highWatermark);
    if (fresh.length === 0) {
      this.#hooks.releaseCredit(credit);
      return;
    }
    this.#entries.push({ records: fresh, taken: 0, credits: [credit] });
    this.#hooks.readable();
  }

  /**
   * A push arrived while paused: it was dropped and must be read again after resume.
   *
   * @example
   * ```ts
   * if (p.paused) p.missed();
   * ```
   */
  missed(): void {
    this.#missed = true;
  }

  /**
   * Takes up to `max` records in offset order; throws a failure (once) when nothing is held.
   *
   * @example
   * ```ts
   * const taken = p.take(500);
   * ```
   */
  take(max: number): GroupTaken {
    if (this.#paused || this.#closed) return { records: [], highWatermark: this.highWatermark, release: () => {}, unread: () => {} };
    if (this.#entries.length === 0 && this.#failure !== undefined) {
      const failure = this.#failure;
      this.#failure = undefined;
      throw failure;
    }
    const records: ConsumedRecord[] = [];
    const exhausted: CreditAmount[] = [];
    let fromFront = 0;
    while (records.length < max && this.#entries.length > 0) {
      const entry = this.#entries[0]!;
      const count = Math.min(max - records.length, entry.records.length - entry.taken);
      for (let i = 0; i < count; i++) records.push(entry.records[entry.taken + i]!);
      entry.taken += count;
      if (entry.taken < entry.records.length) {
        fromFront = count;
        break;
      }
      this.#entries.shift();
      exhausted.push(...entry.credits);
    }
    if (records.length === 0) return { records, highWatermark: this.highWatermark, release: () => {}, unread: () => {} };
    const generation = this.#generation;
    const seeks = this.#seeks;
    const front = fromFront > 0 ? this.#entries[0] : undefined;
    this.#inFlight++;
    let settled = false;
    const settle = (): boolean => {
      if (settled) return false;
      settled = true;
      if (--this.#inFlight === 0) this.#idle.wake();
      return true;
    };
    return {
      records,
      highWatermark: this.highWatermark,
      // Processed even after a pause or a revocation (what a revocation commits), not after a seek.
      release: () => {
        if (!settle()) return;
        if (seeks === this.#seeks) this.processed = records[records.length - 1]!.offset + 1;
        for (const credit of exhausted) this.#hooks.releaseCredit(credit);
      },
      unread: (index: number) => {
        if (!settle()) return;
        if (index > 0 && seeks === this.#seeks) this.processed = records[index - 1]!.offset + 1;
        if (generation !== this.#generation || index >= records.length) {
          for (const credit of exhausted) this.#hooks.releaseCredit(credit);
          if (index < records.length && this.#paused && seeks === this.#seeks) {
            // Paused meanwhile: what was held is gone; these come again after resume, first.
            this.received = Math.min(this.received ?? records[index]!.offset, records[index]!.offset);
            this.#missed = true;
          }
          return;
        }
        // Records of the front entry go back into it; the others form an entry holding the credits they came with.
        let rest = records.length - index;
        if (front !== undefined && this.#entries[0] === front) {
          const back = Math.min(rest, fromFront);
          front.taken -= back;
          rest -= back;
        }
        if (rest > 0) {
          this.#entries.unshift({ records: records.slice(index, index + rest), taken: 0, credits: exhausted });
        } else {
          for (const credit of exhausted) this.#hooks.releaseCredit(credit);
        }
        this.#hooks.readable();
      },
    };
  }

  /**
   * Resolves once no records taken are in flight, or once {@link abandon} was called.
   *
   * @example
   * ```ts
   * await p.whenIdle();
   * ```
   */
  async whenIdle(): Promise<void> {
    while (this.#inFlight > 0 && !this.#abandoned) await this.#idle.wait();
  }

  /**
   * Ends the waits of {@link whenIdle} (the consumer is closing).
   *
   * @example
   * ```ts
   * p.abandon();
   * ```
   */
  abandon(): void {
    this.#abandoned = true;
    this.#idle.wake();
  }

  /**
   * Stops delivering and drops what is held (read again after {@link resume}).
   *
   * @example
   * ```ts
   * p.pause();
   * ```
   */
  pause(): void {
    if (this.#paused) return;
    this.#paused = true;
    if (this.#drop() || this.#pending > 0) this.#missed = true;
  }

  /**
   * Delivers again; true when records were dropped while paused (the stream must start again from
   * {@link position}).
   *
   * @example
   * ```ts
   * if (p.resume()) await restartStreams();
   * ```
   */
  resume(): boolean {
    if (!this.#paused) return false;
    this.#paused = false;
    const missed = this.#missed;
    this.#missed = false;
    this.#hooks.readable();
    return missed;
  }

  /**
   * Drops what is held and continues at `offset` (clears a failure).
   *
   * @example
   * ```ts
   * p.seek(0);
   * ```
   */
  seek(offset: number): void {
    this.#seeks++;
    this.#drop();
    this.received = offset;
    this.processed = offset;
    this.firstPush = undefined;
    this.#missed = false;
    this.#failure = undefined;
  }

  /**
   * The member no longer owns the partition: drops what is held; records in flight still settle.
   *
   * @example
   * ```ts
   * p.close();
   * ```
   */
  close(): void {
    if (this.#closed) return;
    this.#drop();
    this.#closed = true;
  }

  /**
   * Ends delivery with `error`, after the records already held.
   *
   * @example
   * ```ts
   * p.fail(new EdgelogError("CORRUPT_MESSAGE", "Bad CRC"));
   * ```
   */
  fail(error: EdgelogError): void {
    if (this.#closed) return;
    this.#failure = error;
    this.#hooks.readable();
  }

  /** Drops the records held (credit back), rewinding `received` to the first of them; true when there were some. */
  #drop(): boolean {
    this.#generation++;
    const entry = this.#entries[0];
    if (entry === undefined) return false;
    this.received = entry.records[entry.taken]!.offset;
    for (const e of this.#entries) for (const credit of e.credits) this.#hooks.releaseCredit(credit);
    this.#entries = [];
    return true;
  }
}
