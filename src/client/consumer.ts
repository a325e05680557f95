/**
 * The consumer: reads assigned partitions through `subscribe` pushes with credit-based flow control
 * (protocol §9), and hands records to the application one by one (`for await`) or in batches
 * (`run({ eachBatch })`), like kafkajs's consumer without a group.
 *
 * - `assign()` picks the partitions and where each starts (an offset, "earliest", "latest" or a
 *   timestamp); it replaces the previous assignment, as Kafka's `assign()` does. Consumer groups
 *   (`groupId`, `subscribe({ topics })`, committed offsets) come with the group ops of a later
 *   protocol revision; until then `groupId` is refused.
 * - At most `maxBufferedRecords` records and `maxBufferedBytes` bytes per partition are received
 *   ahead of the application; consuming grants more. `pause()` stops a partition (no delivery, no
 *   credit); `resume()` continues it. `seek()` moves a partition.
 * - When the connection drops, the consumer reconnects by itself and continues every partition from
 *   the record after the last one received: the application sees each offset once, in order.
 * - A position that is no longer in the log is reported to `onGap`, then handled by
 *   `autoOffsetReset` ("earliest": continue at the log start; "latest": at the end; "none", the
 *   default: the iteration throws `OFFSET_OUT_OF_RANGE`).
 *
 * @example
 * ```ts
 * const consumer = createClient({ brokers: ["localhost:9092"] }).consumer({ autoOffsetReset: "earliest" });
 * await consumer.assign([{ topic: "orders", partition: 0, from: "earliest" }]);
 * for await (const record of consumer) {
 *   console.log(record.offset, record.valueString());
 * }
 * ```
 * @module
 */
import { EdgelogError } from "../core/errors.ts";
import type { SubscribeFrom } from "../protocol/index.ts";
import type { Connection } from "./connection.ts";
import type { ConsumedRecord } from "./consumed-record.ts";
import { PartitionStream, type Taken } from "./partition-stream.ts";
import { type ResolvedRetry, resolveRetry, type RetryOptions } from "./retry.ts";
import { WakeSignal } from "./wake-signal.ts";

import {
  checkAssignment,
  checkTopicPartitions,
  type ConsumedBatch,
  type ConsumerOptions,
  type PartitionAssignment,
  positiveInteger,
  type RunOptions,
  toOffset,
  type TopicPartition,
  type TopicPartitions,
} from "./consumer-options.ts";
import type { StreamHost } from "./stream-host.ts";

const DEFAULTS = { maxBufferedRecords: 500, maxBufferedBytes: 1024 * 1024, maxBatchRecords: 500 };

/**
 * The consumer; see the module documentation. Made by `client.consumer()`.
 *
 * @example
 * ```ts
 * const consumer = client.consumer();
 * await consumer.assign([{ topic: "events", partition: 0, offset: 0 }]);
 * await consumer.run({ eachMessage: async ({ message }) => console.log(message.valueString()) });
 * ```
 */
export class Consumer implements AsyncIterable<ConsumedRecord> {
  readonly #connection: Connection;
  readonly #ownsConnection: boolean;
  readonly #host: StreamHost;
  readonly #streams = new Map<string, PartitionStream>();
  readonly #pausedTopics = new Set<string>();
  readonly #pausedPartitions = new Set<string>();
  readonly #readable = new WakeSignal();
  readonly #unlisten: (() => void)[] = [];
  #rr = 0;
  #loopGeneration = 0;
  #running: Promise<void> | undefined;
  #failure: EdgelogError | undefined;
  #closed = false;

  /**
   * A consumer on `connection` (closed by {@link disconnect} when `ownsConnection`). A `groupId`
   * throws `UNSUPPORTED_VERSION`; bad options are a `TypeError`/`RangeError`.
   *
   * @example
   * ```ts
   * new Consumer(new Connection({ brokers }), { maxBufferedRecords: 100 });
   * ```
   */
  constructor(connection: Connection, options: ConsumerOptions = {}, settings: { ownsConnection?: boolean; retry?: ResolvedRetry } = {}) {
    if (options.groupId !== undefined) {
      throw new EdgelogError(
        "UNSUPPORTED_VERSION",
        `Consumer groups are not supported yet (groupId ${JSON.stringify(options.groupId)}): assign() partitions explicitly; groups come with the group ops of a later protocol revision`,
      );
    }
    const autoOffsetReset = options.autoOffsetReset ?? "none";
    if (autoOffsetReset !== "earliest" && autoOffsetReset !== "latest" && autoOffsetReset !== "none") {
      throw new RangeError(`autoOffsetReset must be "earliest", "latest" or "none", got ${JSON.stringify(autoOffsetReset)}`);
    }
    if (options.onGap !== undefined && typeof options.onGap !== "function") throw new TypeError("onGap must be a function");
    this.#connection = connection;
    this.#ownsConnection = settings.ownsConnection ?? true;
    this.#host = {
      connection,
      window: {
        records: positiveInteger("maxBufferedRecords", options.maxBufferedRecords, DEFAULTS.maxBufferedRecords),
        bytes: positiveInteger("maxBufferedBytes", options.maxBufferedBytes, DEFAULTS.maxBufferedBytes),
      },
      retry: resolveRetry(options.retry, settings.retry),
      autoOffsetReset,
      onGap: options.onGap,
      readable: () => this.#readable.wake(),
    };
    this.#unlisten.push(
      connection.on("connect", () => {
        this.#failure = undefined;
        for (const stream of this.#streams.values()) stream.onConnected();
      }),
      connection.on("disconnect", () => {
        for (const stream of this.#streams.values()) stream.onDisconnected();
      }),
      connection.on("error", (error) => {
        this.#failure = error;
        this.#readable.wake();
      }),
    );
  }

  /**
   * Connects to a broker (`assign()` also connects on demand).
   *
   * @example
   * ```ts
   * await consumer.connect();
   * ```
   */
  async connect(): Promise<void> {
    this.#assertOpen();
    await this.#connection.connect();
  }

  /**
   * Reads exactly these partitions from now on. Partitions assigned before and listed again keep
   * their position unless the entry gives `offset` or `from`; the others stop. Resolves once each
   * new partition's subscription was tried; errors (an unknown topic, a position out of range with
   * `autoOffsetReset: "none"`) come out of the iteration. Malformed entries are a `TypeError`.
   *
   * @example
   * ```ts
   * await consumer.assign([{ topic: "orders", partition: 0, from: "earliest" }, { topic: "orders", partition: 1, offset: 500 }]);
   * ```
   */
  async assign(assignments: PartitionAssignment[]): Promise<void> {
    this.#assertOpen();
    if (!Array.isArray(assignments)) throw new TypeError("assign() needs a list of { topic, partition }");
    const wanted = new Map<string, { topic: string; partition: number; from: SubscribeFrom | undefined }>();
    assignments.forEach((a, i) => {
      const entry = checkAssignment(a, i);
      const key = keyOf(entry.topic, entry.partition);
      if (wanted.has(key)) throw new TypeError(`assign() lists ${entry.topic}-${entry.partition} twice`);
      wanted.set(key, entry);
    });
    await this.#connection.connect();
    const work: Promise<void>[] = [];
    for (const [key, stream] of this.#streams) {
      const entry = wanted.get(key);
      if (entry === undefined || entry.from !== undefined) {
        this.#streams.delete(key);
        work.push(stream.stop());
      }
    }
    const fallback: SubscribeFrom = this.#host.autoOffsetReset === "earliest" ? "earliest" : "latest";
    for (const [key, entry] of wanted) {
      if (this.#streams.has(key)) continue;
      const stream = new PartitionStream(this.#host, entry.topic, entry.partition, entry.from ?? fallback);
      if (this.#pausedTopics.has(entry.topic) || this.#pausedPartitions.has(key)) stream.pause();
      this.#streams.set(key, stream);
      work.push(stream.start());
    }
    await Promise.all(work);
  }

  /**
   * The partitions assigned.
   *
   * @example
   * ```ts
   * consumer.assignment(); // [{ topic: "orders", partition: 0 }]
   * ```
   */
  assignment(): TopicPartition[] {
    return [...this.#streams.values()].map((s) => ({ topic: s.topic, partition: s.partition }));
  }

  /**
   * Moves an assigned partition to `offset`: records received but not yet consumed are dropped and
   * the next record delivered from it has this offset (or, when it is not in the log, per
   * `autoOffsetReset`). Resolves once the new subscription was tried.
   *
   * @example
   * ```ts
   * await consumer.seek({ topic: "orders", partition: 0, offset: 0 }); // read it again from the start
   * ```
   */
  async seek(target: { topic: string; partition: number; offset: number | string }): Promise<void> {
    this.#assertOpen();
    const offset = toOffset(target?.offset, "seek() offset");
    const stream = this.#streams.get(keyOf(target.topic, target.partition));
    if (stream === undefined) throw new TypeError(`seek(): ${target.topic}-${target.partition} is not assigned`);
    await stream.seek(offset);
  }

  /**
   * The next offset the application will get from a partition, once known.
   *
   * @example
   * ```ts
   * consumer.position({ topic: "orders", partition: 0 }); // 120
   * ```
   */
  position(target: TopicPartition): number | undefined {
    return this.#streams.get(keyOf(target.topic, target.partition))?.position;
  }

  /**
   * Stops delivering these partitions and granting them credit (records already received wait).
   *
   * @example
   * ```ts
   * consumer.pause([{ topic: "orders", partitions: [0] }]);
   * ```
   */
  pause(topics: TopicPartitions[]): void {
    for (const { topic, partitions } of checkTopicPartitions(topics, "pause")) {
      if (partitions === undefined) this.#pausedTopics.add(topic);
      else for (const p of partitions) this.#pausedPartitions.add(keyOf(topic, p));
      for (const stream of this.#matching(topic, partitions)) stream.pause();
    }
  }

  /**
   * Delivers these partitions again and grants them credit.
   *
   * @example
   * ```ts
   * consumer.resume([{ topic: "orders" }]);
   * ```
   */
  resume(topics: TopicPartitions[]): void {
    for (const { topic, partitions } of checkTopicPartitions(topics, "resume")) {
      if (partitions === undefined) {
        this.#pausedTopics.delete(topic);
        for (const key of [...this.#pausedPartitions]) if (key.startsWith(`${topic}\u0000`)) this.#pausedPartitions.delete(key);
      } else {
        for (const p of partitions) this.#pausedPartitions.delete(keyOf(topic, p));
      }
      for (const stream of this.#matching(topic, partitions)) {
        if (!this.#pausedTopics.has(topic) && !this.#pausedPartitions.has(keyOf(topic, stream.partition))) stream.resume();
      }
    }
  }

  /**
   * The assigned partitions that are paused, by topic.
   *
   * @example
   * ```ts
   * consumer.paused(); // [{ topic: "orders", partitions: [0] }]
   * ```
   */
  paused(): { topic: string; partitions: number[] }[] {
    const byTopic = new Map<string, number[]>();
    for (const stream of this.#streams.values()) {
      if (!stream.paused) continue;
      const list = byTopic.get(stream.topic) ?? [];
      list.push(stream.partition);
      byTopic.set(stream.topic, list);
    }
    return [...byTopic].map(([topic, partitions]) => ({ topic, partitions }));
  }

  /**
   * Iterates records of every assigned partition as they arrive (partitions take turns). A record
   * counts as consumed, and its credit goes back, when the next one is asked for. The iteration
   * ends with `stop()` or `disconnect()`; it throws a partition's failure (after that partition's
   * earlier records), or the connection's when reconnecting gave up. Leaving the loop does not
   * disconnect.
   *
   * @example
   * ```ts
   * for await (const record of consumer) {
   *   if (record.offset >= 99) break;
   * }
   * ```
   */
  [Symbol.asyncIterator](): AsyncIterator<ConsumedRecord> {
    const generation = this.#loopGeneration;
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
   * Runs `eachMessage` for every record, or `eachBatch` for records of one partition at a time, until
   * `stop()` or `disconnect()`; resolves then. When a handler throws, the partition is moved back to
   * the first record not handled (so a later run sees it again) and `run()` rejects with the error;
   * it also rejects with a partition's or the connection's failure. One run at a time.
   *
   * @example
   * ```ts
   * const running = consumer.run({ eachBatch: async ({ batch }) => { await save(batch.messages); } });
   * // ...
   * await consumer.stop();
   * await running;
   * ```
   */
  run(options: RunOptions): Promise<void> {
    this.#assertOpen();
    if (options === null || typeof options !== "object") throw new TypeError("run() needs { eachMessage } or { eachBatch }");
    const { eachMessage, eachBatch } = options;
    if ((eachMessage === undefined) === (eachBatch === undefined)) throw new TypeError("run() needs exactly one of eachMessage and eachBatch");
    if (typeof (eachMessage ?? eachBatch) !== "function") throw new TypeError("run() handlers must be functions");
    if (this.#running !== undefined) throw new TypeError("The consumer is already running: stop() it first");
    const max = positiveInteger("maxBatchRecords", options.maxBatchRecords, DEFAULTS.maxBatchRecords);
    const loop = this.#runLoop(options, eachBatch === undefined ? 1 : max, this.#loopGeneration);
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
   * Ends the running `run()` (after its current handler) and the iterations in progress; the
   * assignment stays, and a new `run()` or iteration continues where they stopped.
   *
   * @example
   * ```ts
   * await consumer.stop();
   * ```
   */
  async stop(): Promise<void> {
    this.#loopGeneration++;
    this.#readable.wake();
    await this.#running;
  }

  /**
   * Stops, ends every subscription and closes the connection.
   *
   * @example
   * ```ts
   * await consumer.disconnect();
   * ```
   */
  async disconnect(): Promise<void> {
    if (this.#closed) return;
    await this.stop();
    this.#closed = true;
    this.#readable.wake();
    for (const unlisten of this.#unlisten) unlisten();
    const streams = [...this.#streams.values()];
    this.#streams.clear();
    if (this.#ownsConnection) await this.#connection.close();
    await Promise.all(streams.map((stream) => stream.stop()));
  }

  async #runLoop(options: RunOptions, max: number, generation: number): Promise<void> {
    const isRunning = (): boolean => generation === this.#loopGeneration && !this.#closed;
    for (;;) {
      const next = await this.#next(max, generation);
      if (next === undefined) return;
      const { stream, taken } = next;
      let handled = 0;
      try {
        if (options.eachBatch !== undefined) {
          await options.eachBatch({ batch: batchOf(stream, taken), isRunning });
        } else {
          for (const message of taken.records) {
            await options.eachMessage!({ topic: stream.topic, partition: stream.partition, message });
            handled++;
          }
        }
      } catch (error) {
        const first = options.eachBatch !== undefined ? taken.records[0]! : taken.records[handled]!;
        if (!this.#closed && this.#streams.get(keyOf(stream.topic, stream.partition)) === stream) await stream.seek(first.offset);
        throw error;
      }
      taken.release();
    }
  }

  /** The next records of some ready partition, waiting until there are some; undefined once stopped. */
  async #next(max: number, generation: number): Promise<{ stream: PartitionStream; taken: Taken } | undefined> {
    for (;;) {
      if (generation !== this.#loopGeneration || this.#closed) return undefined;
      const streams = [...this.#streams.values()];
      for (let i = 0; i < streams.length; i++) {
        const index = (this.#rr + i) % streams.length;
        const stream = streams[index]!;
        if (!stream.ready) continue;
        this.#rr = index + 1;
        const taken = stream.take(max);
        if (taken.records.length > 0) return { stream, taken };
      }
      if (this.#failure !== undefined) throw this.#failure;
      await this.#readable.wait();
    }
  }

  #matching(topic: string, partitions: number[] | undefined): PartitionStream[] {
    return [...this.#streams.values()].filter((s) => s.topic === topic && (partitions === undefined || partitions.includes(s.partition)));
  }

  #assertOpen(): void {
    if (this.#closed) throw new EdgelogError("NETWORK_EXCEPTION", "The consumer is disconnected", { retriable: false });
  }
}

function batchOf(stream: PartitionStream, taken: Taken): ConsumedBatch {
  const messages = taken.records;
  return {
    topic: stream.topic,
    partition: stream.partition,
    highWatermark: taken.highWatermark,
    messages,
    firstOffset: () => messages[0]!.offset,
    lastOffset: () => messages[messages.length - 1]!.offset,
  };
}

function keyOf(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`;
}

