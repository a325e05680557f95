/**
 * How a consumer hands records to the application, the same with `assign()` and in a group:
 * `for await` takes one record at a time, `run()` calls `eachMessage` per record or `eachBatch` per
 * run of records of one partition. Partitions take turns. A record counts as processed (its credit
 * goes back, and auto-commit may commit past it) when the iteration asks for the next one, or when
 * its handler returned; when a handler throws, its partition delivers the records not handled
 * again and `run()` rejects.
 *
 * @example
 * ```ts
 * import { DeliveryLoop } from "./consumer-loop.ts";
 * const loop = new DeliveryLoop(source);
 * for await (const record of { [Symbol.asyncIterator]: () => loop.iterator() }) handle(record);
 * await loop.run({ eachMessage: async ({ message }) => handle(message) });
 * ```
 * @module
 */
import type { EdgelogError } from "../core/errors.ts";
import type { ConsumedRecord } from "./consumed-record.ts";
import { type ConsumedBatch, positiveInteger, type RunOptions } from "./consumer-options.ts";
import type { Taken } from "./partition-stream.ts";
import { WakeSignal } from "./wake-signal.ts";

const DEFAULT_MAX_BATCH_RECORDS = 500;

/**
 * A partition records come from.
 *
 * @example
 * ```ts
 * const d: Deliverable = stream; // a PartitionStream or a GroupPartition
 * ```
 */
export interface Deliverable {
  readonly topic: string;
  readonly partition: number;
  /** Records (or a failure to throw) are waiting. */
  readonly ready: boolean;
  take(max: number): Taken;
}

/**
 * What the loop delivers from.
 *
 * @example
 * ```ts
 * const source: DeliverySource = { deliverables: () => [...streams.values()], failure: () => undefined, closed: () => false, redeliver };
 * ```
 */
export interface DeliverySource {
  /** The partitions delivering now, in a stable order. */
  deliverables(): readonly Deliverable[];
  /** A failure of the whole consumer, thrown once no partition is ready. */
  failure(): EdgelogError | undefined;
  closed(): boolean;
  /** A handler failed at record `index` of `taken`: deliver the records from there again. */
  redeliver(from: Deliverable, taken: Taken, index: number): Promise<void>;
}

/**
 * See the module documentation.
 *
 * @example
 * ```ts
 * const loop = new DeliveryLoop(source);
 * source.onRecords = () => loop.readable.wake();
 * ```
 */
export class DeliveryLoop {
  /** Wake it when records, a failure, or a close may let a waiting delivery go on. */
  readonly readable = new WakeSignal();
  readonly #source: DeliverySource;
  #rr = 0;
  #generation = 0;
  #running: Promise<void> | undefined;

  /**
   * A loop over `source`.
   *
   * @example
   * ```ts
   * new DeliveryLoop(source);
   * ```
   */
  constructor(source: DeliverySource) {
    this.#source = source;
  }

  /**
   * An iterator of records until {@link stop} (or the source closes); throws a partition's failure
   * after that partition's earlier records, or the source's failure.
   *
   * @example
   * ```ts
   * const it = loop.iterator();
   * const { value } = await it.next();
   * ```
   */
  iterator(): AsyncIterator<ConsumedRecord> {
    const generation = this.#generation;
    let release: (() => void) | undefined;
    const done = (): IteratorResult<ConsumedRecord> => ({ done: true, value: undefined });
    return {
      next: async () => {
        release?.();
        release = undefined;
        const next = await this.#next(1, generation);
        if (next === undefined) return done();
        release = next.taken.release;
        return { done: false, value: next.taken.records[0]! };
      },
      return: async () => {
        release?.();
        release = undefined;
        return done();
      },
    };
  }

  /**
   * Runs the handlers until {@link stop}; see `Consumer.run()`. One run at a time.
   *
   * @example
   * ```ts
   * await loop.run({ eachBatch: async ({ batch }) => save(batch.messages) });
   * ```
   */
  run(options: RunOptions): Promise<void> {
    if (options === null || typeof options !== "object") throw new TypeError("run() needs { eachMessage } or { eachBatch }");
    const { eachMessage, eachBatch } = options;
    if ((eachMessage === undefined) === (eachBatch === undefined)) throw new TypeError("run() needs exactly one of eachMessage and eachBatch");
    if (typeof (eachMessage ?? eachBatch) !== "function") throw new TypeError("run() handlers must be functions");
    if (this.#running !== undefined) throw new TypeError("The consumer is already running: stop() it first");
    const max = positiveInteger("maxBatchRecords", options.maxBatchRecords, DEFAULT_MAX_BATCH_RECORDS);
    const loop = this.#runLoop(options, eachBatch === undefined ? 1 : max, this.#generation);
    const running = loop.then(
      () => undefined,
      () => undefined,
    );
    this.#running = running;
    void running.then(() => {
      if (this.#running === running) this.#running = undefined;
    });
    return loop;
  }

  /**
   * Ends the run (after its current handler) and the iterations in progress.
   *
   * @example
   * ```ts
   * await loop.stop();
   * ```
   */
  async stop(): Promise<void> {
    this.#generation++;
    this.readable.wake();
    await this.#running;
  }

  async #runLoop(options: RunOptions, max: number, generation: number): Promise<void> {
    const isRunning = (): boolean => generation === this.#generation && !this.#source.closed();
    for (;;) {
      const next = await this.#next(max, generation);
      if (next === undefined) return;
      const { from, taken } = next;
      let handled = 0;
      try {
        if (options.eachBatch !== undefined) {
          await options.eachBatch({ batch: batchOf(from, taken), isRunning });
        } else {
          for (const message of taken.records) {
            await options.eachMessage!({ topic: from.topic, partition: from.partition, message });
            handled++;
          }
        }
      } catch (error) {
        if (!this.#source.closed()) await this.#source.redeliver(from, taken, handled);
        throw error;
      }
      taken.release();
    }
  }

  /** The next records of some ready partition, waiting until there are some; undefined once stopped. */
  async #next(max: number, generation: number): Promise<{ from: Deliverable; taken: Taken } | undefined> {
    for (;;) {
      if (generation !== this.#generation || this.#source.closed()) return undefined;
      const list = this.#source.deliverables();
      for (let i = 0; i < list.length; i++) {
        const index = (this.#rr + i) % list.length;
        const from = list[index]!;
        if (!from.ready) continue;
        this.#rr = index + 1;
        const taken = from.take(max);
        if (taken.records.length > 0) return { from, taken };
      }
      const failure = this.#source.failure();
      if (failure !== undefined) throw failure;
      await this.readable.wait();
    }
  }
}

function batchOf(from: Deliverable, taken: Taken): ConsumedBatch {
  const messages = taken.records;
  return {
    topic: from.topic,
    partition: from.partition,
    highWatermark: taken.highWatermark,
    messages,
    firstOffset: () => messages[0]!.offset,
    lastOffset: () => messages[messages.length - 1]!.offset,
  };
}
