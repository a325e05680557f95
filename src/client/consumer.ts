/**
 * The consumer: reads partitions through pushes with credit-based flow control (protocol §9), and
 * hands records to the application one by one (`for await`) or in batches (`run({ eachBatch })`),
 * like kafkajs's consumer. Two ways to pick partitions:
 *
 * - `subscribe({ topics })` with a `groupId`: the consumer joins the consumer group and the broker
 *   assigns it partitions (KIP-848; `group-consumer.ts`). Each partition starts at the group's
 *   committed offset, else where `autoOffsetReset` says (default "latest", as Kafka; `fromBeginning`
 *   means "earliest"). Offsets are committed automatically (`autoCommit`, every
 *   `autoCommitIntervalMs`, on revocation and on disconnect) or by `commitOffsets()`; the position
 *   committed is after the last record the application finished.
 * - `assign()` picks the partitions and where each starts (an offset, "earliest", "latest" or a
 *   timestamp); it replaces the previous assignment, as Kafka's `assign()` does. With a `groupId`,
 *   `commitOffsets()` commits as a client outside the group (accepted while the group is empty).
 *
 * - At most `maxBufferedRecords` records and `maxBufferedBytes` bytes are received ahead of the
 *   application (per partition with `assign()`, for all partitions together in a group — plus one
 *   window per partition a cluster's coordinator does not lead, read from its leader); consuming
 *   grants more. `pause()` stops a partition; `resume()` continues it. `seek()` moves a partition
 *   (in a group, by committing the offset).
 * - When the connection drops, the consumer reconnects by itself and continues every partition
 *   after the last record received: the application sees each offset once, in order. In a group it
 *   heartbeats on the new connection at once, or rejoins when the broker no longer knows it.
 * - In a cluster each assigned partition is read from its leader, and a new leader after a
 *   fail-over the same way (from the last record received); a group member talks to its group's
 *   coordinator (`broker-pool.ts`, `group-coordinator.ts`).
 * - A position that is no longer in the log is reported to `onGap`, then handled by
 *   `autoOffsetReset` ("earliest": continue at the log start; "latest": at the end; "none": the
 *   iteration throws `OFFSET_OUT_OF_RANGE`; without a group "none" is the default).
 *
 * @example
 * ```ts
 * const consumer = createClient({ brokers: ["localhost:9092"] }).consumer({ groupId: "billing" });
 * await consumer.subscribe({ topics: ["orders"], fromBeginning: true });
 * for await (const record of consumer) {
 *   console.log(record.partition, record.offset, record.valueString());
 * }
 * ```
 * @module
 */
import { EdgelogError } from "../core/errors.ts";
import type { SubscribeFrom } from "../protocol/index.ts";
import { BrokerPool } from "./broker-pool.ts";
import type { Connection } from "./connection.ts";
import type { ConsumedRecord } from "./consumed-record.ts";
import { type Deliverable, DeliveryLoop } from "./consumer-loop.ts";
import {
  checkAssignment,
  type ConsumerOptions,
  type PartitionAssignment,
  positiveInteger,
  type RunOptions,
  toOffset,
  type TopicPartition,
  type TopicPartitions,
} from "./consumer-options.ts";
import { type Pausable, PausedPartitions } from "./consumer-pauses.ts";
import { EventListeners } from "./event-listeners.ts";
import { GroupConsumer } from "./group-consumer.ts";
import {
  checkCommitOffsets,
  checkSubscribe,
  type ConsumerEvents,
  resolveGroupOptions,
  type SubscribeOptions,
  type TopicPartitionOffset,
} from "./group-options.ts";
import type { GroupTaken } from "./group-partition.ts";
import { PartitionStream } from "./partition-stream.ts";
import { type ResolvedRetry, resolveRetry } from "./retry.ts";
import type { StreamHost } from "./stream-host.ts";

const DEFAULTS = { maxBufferedRecords: 500, maxBufferedBytes: 1024 * 1024 };
const RESETS = ["earliest", "latest", "none"];

/**
 * The consumer; see the module documentation. Made by `client.consumer()`.
 *
 * @example
 * ```ts
 * const consumer = client.consumer({ groupId: "audit", autoCommitIntervalMs: 1000 });
 * await consumer.subscribe({ topic: "events" });
 * await consumer.run({ eachMessage: async ({ message }) => console.log(message.valueString()) });
 * ```
 */
export class Consumer implements AsyncIterable<ConsumedRecord> {
  readonly #connection: Connection;
  readonly #pool: BrokerPool;
  readonly #ownsConnection: boolean;
  readonly #host: StreamHost;
  readonly #group: GroupConsumer | undefined;
  readonly #streams = new Map<string, PartitionStream>();
  readonly #pauses = new PausedPartitions();
  readonly #events = new EventListeners<ConsumerEvents>();
  readonly #loop: DeliveryLoop;
  readonly #unlisten: (() => void)[] = [];
  #failure: EdgelogError | undefined;
  #closed = false;

  /**
   * A consumer on `connection` (closed by {@link disconnect} when `ownsConnection`); bad options are
   * a `TypeError`/`RangeError`.
   *
   * @example
   * ```ts
   * new Consumer(new Connection({ brokers }), { groupId: "g", maxBufferedRecords: 100 });
   * ```
   */
  constructor(connection: Connection, options: ConsumerOptions = {}, settings: { ownsConnection?: boolean; retry?: ResolvedRetry } = {}) {
    if (options.autoOffsetReset !== undefined && !RESETS.includes(options.autoOffsetReset)) {
      throw new RangeError(`autoOffsetReset must be "earliest", "latest" or "none", got ${JSON.stringify(options.autoOffsetReset)}`);
    }
    if (options.onGap !== undefined && typeof options.onGap !== "function") throw new TypeError("onGap must be a function");
    const group = resolveGroupOptions(options);
    this.#connection = connection;
    this.#pool = new BrokerPool(connection);
    this.#ownsConnection = settings.ownsConnection ?? true;
    const onGap = options.onGap;
    this.#host = {
      pool: this.#pool,
      window: {
        records: positiveInteger("maxBufferedRecords", options.maxBufferedRecords, DEFAULTS.maxBufferedRecords),
        bytes: positiveInteger("maxBufferedBytes", options.maxBufferedBytes, DEFAULTS.maxBufferedBytes),
      },
      retry: resolveRetry(options.retry, settings.retry),
      autoOffsetReset: options.autoOffsetReset ?? "none",
      onGap,
      readable: () => this.#loop.readable.wake(),
    };
    this.#loop = new DeliveryLoop({
      deliverables: (): readonly Deliverable[] => this.#deliverables(),
      failure: () => this.#group?.failure ?? this.#failure,
      closed: () => this.#closed,
      redeliver: async (from, taken, index) => {
        if (!(from instanceof PartitionStream)) return (taken as GroupTaken).unread(index);
        if (this.#streams.get(keyOf(from.topic, from.partition)) === from) await from.seek(taken.records[index]!.offset);
      },
    });
    this.#group =
      group &&
      new GroupConsumer(group, {
        ...this.#host,
        autoOffsetReset: options.autoOffsetReset,
        onGap: (gap) => {
          try {
            onGap?.(gap);
          } catch {
            // the application's callback must not stop the consumer
          }
        },
        isPaused: (topic, partition) => this.#pauses.isPaused(topic, partition),
        events: this.#events,
      });
    // Streams follow the connections they subscribe on, the group its coordinator's.
    this.#unlisten.push(
      connection.on("connect", () => {
        this.#failure = undefined;
      }),
      connection.on("error", (error) => {
        this.#failure = error;
        this.#loop.readable.wake();
      }),
    );
  }

  /**
   * Connects to a broker (`subscribe()` and `assign()` also connect on demand).
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
   * Joins the consumer group (the first time) and subscribes to topics, by name or regular
   * expression; later calls add topics. Resolves once the broker answered; the assignment follows
   * (a new group waits `group.initial.rebalance.delay.ms` for more members). Needs a `groupId`;
   * rejects with a join error that retrying cannot fix.
   *
   * @example
   * ```ts
   * await consumer.subscribe({ topics: ["orders", /^audit-.+/], fromBeginning: true });
   * ```
   */
  async subscribe(options: SubscribeOptions): Promise<void> {
    this.#assertOpen();
    if (this.#group === undefined) throw new TypeError("subscribe() needs a consumer with a groupId; use assign() without one");
    if (this.#streams.size > 0) throw new TypeError("This consumer reads assigned partitions: subscribe() or assign(), not both");
    await this.#group.subscribe(checkSubscribe(options));
  }

  /**
   * Reads exactly these partitions from now on (not in a group). Partitions assigned before and
   * listed again keep their position unless the entry gives `offset` or `from`; the others stop.
   * Resolves once each new partition's subscription was tried; errors come out of the iteration.
   * Malformed entries are a `TypeError`.
   *
   * @example
   * ```ts
   * await consumer.assign([{ topic: "orders", partition: 0, from: "earliest" }, { topic: "orders", partition: 1, offset: 500 }]);
   * ```
   */
  async assign(assignments: PartitionAssignment[]): Promise<void> {
    this.#assertOpen();
    if (this.#group?.subscribed) throw new TypeError("This consumer subscribed to a group: subscribe() or assign(), not both");
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
      if (this.#pauses.isPaused(entry.topic, entry.partition)) stream.pause();
      this.#streams.set(key, stream);
      work.push(stream.start());
    }
    await Promise.all(work);
  }

  /**
   * The partitions assigned (in a group: owned by this member now).
   *
   * @example
   * ```ts
   * consumer.assignment(); // [{ topic: "orders", partition: 0 }]
   * ```
   */
  assignment(): TopicPartition[] {
    return this.#deliverables().map((s) => ({ topic: s.topic, partition: s.partition }));
  }

  /**
   * Moves an assigned partition to `offset`: records received but not yet consumed are dropped and
   * the next record delivered from it has this offset (or, when it is not in the log, per
   * `autoOffsetReset`). In a group the offset is committed: the broker streams from there.
   *
   * @example
   * ```ts
   * await consumer.seek({ topic: "orders", partition: 0, offset: 0 }); // read it again from the start
   * ```
   */
  async seek(target: { topic: string; partition: number; offset: number | string }): Promise<void> {
    this.#assertOpen();
    const offset = toOffset(target?.offset, "seek() offset");
    if (this.#group?.subscribed) return this.#group.seek(target.topic, target.partition, offset);
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
    if (this.#group?.subscribed) return this.#group.partition(target.topic, target.partition)?.position;
    return this.#streams.get(keyOf(target.topic, target.partition))?.position;
  }

  /**
   * Stops delivering these partitions and granting them credit (with `assign()` records already
   * received wait; in a group they are dropped and read again after `resume()`).
   *
   * @example
   * ```ts
   * consumer.pause([{ topic: "orders", partitions: [0] }]);
   * ```
   */
  pause(topics: TopicPartitions[]): void {
    this.#pauses.pause(topics, this.#deliverables());
  }

  /**
   * Delivers these partitions again (in a group, records dropped while paused are streamed again).
   *
   * @example
   * ```ts
   * consumer.resume([{ topic: "orders" }]);
   * ```
   */
  resume(topics: TopicPartitions[]): void {
    const resumed = this.#pauses.resume(topics, this.#deliverables());
    if (!this.#group?.subscribed) for (const stream of resumed) stream.resume();
    // A failed restart (e.g. the connection dropped) is made good by the member's next heartbeat.
    else this.#group.resume(this.#group.partitions().filter((p) => resumed.includes(p))).catch(() => undefined);
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
    return this.#pauses.paused(this.#deliverables());
  }

  /**
   * Commits offsets for the consumer's `groupId`: each the next offset to consume, as Kafka
   * commits. A member commits with its epoch (fails with `FENCED_MEMBER_EPOCH` or
   * `UNKNOWN_MEMBER_ID` after it lost the partitions); without `subscribe()` the broker accepts the
   * commit only while the group has no members.
   *
   * @example
   * ```ts
   * await consumer.commitOffsets([{ topic: "orders", partition: 0, offset: record.offset + 1 }]);
   * ```
   */
  async commitOffsets(offsets: TopicPartitionOffset[]): Promise<void> {
    this.#assertOpen();
    if (this.#group === undefined) throw new TypeError("commitOffsets() needs a consumer with a groupId");
    await this.#group.commitOffsets(checkCommitOffsets(offsets));
  }

  /**
   * Listens to `group.join`, `rebalance`, `commit`, `heartbeat` or `crash`; returns the function
   * that stops listening.
   *
   * @example
   * ```ts
   * const off = consumer.on("group.join", ({ memberId, assignment }) => console.log(memberId, assignment));
   * ```
   */
  on<K extends keyof ConsumerEvents>(event: K, listener: (event: ConsumerEvents[K]) => void): () => void {
    return this.#events.on(event, listener);
  }

  /**
   * Iterates records of every partition as they arrive (partitions take turns). A record counts as
   * consumed (its credit goes back; auto-commit may commit it) when the next one is asked for. The
   * iteration ends with `stop()` or `disconnect()`; it throws a partition's failure (after that
   * partition's earlier records), the group's crash, or the connection's when reconnecting gave up.
   * Leaving the loop does not disconnect.
   *
   * @example
   * ```ts
   * for await (const record of consumer) {
   *   if (record.offset >= 99) break;
   * }
   * ```
   */
  [Symbol.asyncIterator](): AsyncIterator<ConsumedRecord> {
    return this.#loop.iterator();
  }

  /**
   * Runs `eachMessage` for every record, or `eachBatch` for records of one partition at a time, until
   * `stop()` or `disconnect()`; resolves then. When a handler throws, the records not handled are
   * delivered again (to a later run) and `run()` rejects with the error; it also rejects with a
   * partition's, the group's or the connection's failure. One run at a time.
   *
   * @example
   * ```ts
   * const running = consumer.run({ eachBatch: async ({ batch }) => { await save(batch.messages); } });
   * await consumer.stop();
   * await running;
   * ```
   */
  run(options: RunOptions): Promise<void> {
    this.#assertOpen();
    return this.#loop.run(options);
  }

  /**
   * Ends the running `run()` (after its current handler) and the iterations in progress; the
   * assignment (and group membership) stays, and a new `run()` or iteration continues.
   *
   * @example
   * ```ts
   * await consumer.stop();
   * ```
   */
  stop(): Promise<void> {
    return this.#loop.stop();
  }

  /**
   * Stops; in a group commits what was processed (with `autoCommit`) and leaves the group; ends every
   * subscription and closes the connection.
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
    this.#loop.readable.wake();
    await this.#group?.close();
    for (const unlisten of this.#unlisten) unlisten();
    const streams = [...this.#streams.values()];
    this.#streams.clear();
    await this.#pool.close();
    if (this.#ownsConnection) await this.#connection.close();
    await Promise.all(streams.map((stream) => stream.stop()));
  }

  /** What records come from: the group's partitions after `subscribe()`, else the assigned streams. */
  #deliverables(): (Pausable & Deliverable)[] {
    return this.#group?.subscribed ? this.#group.partitions() : [...this.#streams.values()];
  }

  #assertOpen(): void {
    if (this.#closed) throw new EdgelogError("NETWORK_EXCEPTION", "The consumer is disconnected", { retriable: false });
  }
}

function keyOf(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`;
}
