/**
 * The producer: `send()` writes messages to a topic and resolves with where they landed, like
 * kafkajs's `producer.send()`.
 *
 * - Partitioning is the broker's (Kafka's default partitioner): an explicit `partition` wins; a
 *   keyed message goes to `partitionForKey(key, numPartitions)` with the count from `metadata`
 *   (cached for `metadataMaxAgeMs`); keyless messages stick to one partition per batch, chosen
 *   round robin, so each batch is whole.
 * - Batching: messages sent within `lingerMs` to the same partition go in one RecordBatch v2, up to
 *   about `batchSize` bytes; `compression: "gzip"` compresses each batch.
 * - acks: 0 (no answer: offsets are -1), 1 (the leader appended) or -1/"all" (every in-sync replica).
 * - Leaders: in a cluster each partition's batches go to its leader (`broker-pool.ts`), one
 *   `produce` request per leader. `NOT_LEADER_OR_FOLLOWER`, `LEADER_NOT_AVAILABLE`,
 *   `UNKNOWN_TOPIC_OR_PARTITION` and a lost connection make the producer forget the topic's
 *   metadata, so that the retry goes to the leader the cluster names then.
 * - Retries: a batch that fails with a retriable error (or whose request fails so) is sent again
 *   after an exponential backoff, up to `retry.retries` times. As in Kafka without idempotence, a
 *   retry after an unknown outcome (a timeout, a lost connection) may write a batch twice, and a
 *   retried batch may land after a later one — unless `maxInFlightRequests` is 1: then a
 *   partition's next request waits until the one before it (retries included) has its answer.
 *
 * @example
 * ```ts
 * const producer = createClient({ brokers: ["localhost:9092"] }).producer({ lingerMs: 5 });
 * await producer.connect();
 * const [meta] = await producer.send({ topic: "orders", messages: [{ key: "user-1", value: "{\"total\":12}" }] });
 * console.log(meta.partition, meta.baseOffset);
 * await producer.disconnect();
 * ```
 * @module
 */
import { EdgelogError, isEdgelogError } from "../core/errors.ts";
import { encodeRecordBatch, type RecordInput } from "../core/record/record-batch.ts";
import { createRoundRobin, partitionForKey, type RoundRobin } from "../core/topic/partitioner.ts";
import type { Acks, ProduceResponse } from "../protocol/index.ts";
import { BrokerPool } from "./broker-pool.ts";
import type { Connection } from "./connection.ts";
import { positiveInteger } from "./consumer-options.ts";
import { explicitPartition, toRecordInput } from "./message-input.ts";
import {
  nonNegative,
  type ProducerBatch,
  type ProducerCompression,
  type ProducerOptions,
  type ProducerRecord,
  type RecordMetadata,
  toAcks,
  toCompression,
} from "./producer-options.ts";
import { type BatchGroup, type PartitionAck, type PendingBatch, RecordAccumulator } from "./record-accumulator.ts";
import { backoffDelay, isRetriable, type ResolvedRetry, resolveRetry, sleep, withRetry } from "./retry.ts";
import { fromWireError } from "../protocol/wire-error.ts";

const DEFAULTS = { lingerMs: 0, batchSize: 16_384, timeoutMs: 30_000, metadataMaxAgeMs: 300_000 };
/** Extra time the client waits for a produce reply beyond the broker's own timeoutMs. */
const REPLY_MARGIN_MS = 5_000;
const NO_ACK: PartitionAck = Object.freeze({ baseOffset: -1, logAppendTime: -1, logStartOffset: -1 });
/** Errors after which the topic's metadata is asked again: the partition may have a new leader. */
const LEADERSHIP_ERRORS: ReadonlySet<string> = new Set(["NOT_LEADER_OR_FOLLOWER", "LEADER_NOT_AVAILABLE", "UNKNOWN_TOPIC_OR_PARTITION", "NETWORK_EXCEPTION"]);

type Item = { batch: PendingBatch; bytes: Uint8Array };

/** A send checked by `#prepare`: its batch group, records, and explicit partitions. */
interface PreparedSend {
  group: BatchGroup;
  inputs: RecordInput[];
  explicit: (number | undefined)[];
  /** Whether some message needs the partition count (no explicit partition). */
  needsCount: boolean;
}

/**
 * The producer; see the module documentation. Made by `client.producer()`.
 *
 * @example
 * ```ts
 * const producer = client.producer({ lingerMs: 5 });
 * await producer.send({ topic: "events", compression: "gzip", messages: [{ value: "e1" }, { value: "e2" }] });
 * ```
 */
export class Producer {
  readonly #connection: Connection;
  readonly #pool: BrokerPool;
  readonly #ownsConnection: boolean;
  readonly #retry: ResolvedRetry;
  readonly #lingerMs: number;
  readonly #acks: Acks;
  readonly #compression: ProducerCompression;
  readonly #timeoutMs: number;
  readonly #accumulator: RecordAccumulator;
  readonly #spreaders = new Map<string, RoundRobin>();
  readonly #sticky = new Map<string, number>();
  readonly #inFlight = new Set<Promise<void>>();
  /** The limit of requests in flight per partition; undefined: none. */
  readonly #maxInFlight: number | undefined;
  /** Per "topic/partition", when there is a limit: the order of its produce tasks in flight. */
  readonly #partitionQueues = new Map<string, PartitionQueue>();
  readonly #sending = new Set<Promise<unknown>>();
  #encodeChain: Promise<unknown> = Promise.resolve();
  #closing = false;
  #closed = false;

  /**
   * A producer on `connection` (closed by {@link disconnect} when `ownsConnection`). Bad options are
   * a `TypeError`/`RangeError`.
   *
   * @example
   * ```ts
   * const producer = new Producer(new Connection({ brokers }), { lingerMs: 5 }, { ownsConnection: true });
   * ```
   */
  constructor(connection: Connection, options: ProducerOptions = {}, settings: { ownsConnection?: boolean; retry?: ResolvedRetry } = {}) {
    this.#connection = connection;
    this.#ownsConnection = settings.ownsConnection ?? true;
    this.#retry = resolveRetry(options.retry, settings.retry);
    this.#lingerMs = nonNegative("lingerMs", options.lingerMs, DEFAULTS.lingerMs);
    const batchSize = nonNegative("batchSize", options.batchSize, DEFAULTS.batchSize);
    this.#acks = toAcks(options.acks ?? -1);
    this.#compression = toCompression(options.compression ?? "none");
    this.#timeoutMs = nonNegative("timeoutMs", options.timeoutMs, DEFAULTS.timeoutMs);
    const maxInFlight = options.maxInFlightRequests;
    this.#maxInFlight = maxInFlight === undefined ? undefined : positiveInteger("maxInFlightRequests", maxInFlight, 1);
    this.#pool = new BrokerPool(connection, { metadataMaxAgeMs: nonNegative("metadataMaxAgeMs", options.metadataMaxAgeMs, DEFAULTS.metadataMaxAgeMs) });
    this.#accumulator = new RecordAccumulator({
      lingerMs: this.#lingerMs,
      batchSize,
      dispatch: (group, batches) => this.#dispatch(group, batches),
      onClose: (topic, partition) => {
        if (this.#sticky.get(topic) === partition) this.#sticky.delete(topic);
      },
    });
  }

  /**
   * Connects to a broker (sends also connect on demand).
   *
   * @example
   * ```ts
   * await producer.connect();
   * ```
   */
  async connect(): Promise<void> {
    await this.#connection.connect();
  }

  /**
   * Writes `record.messages` to `record.topic` and resolves, once the broker acknowledged them per
   * `acks`, with one {@link RecordMetadata} per partition written, in the order the partitions first
   * appear in `messages`. Malformed input is a `TypeError`/`RangeError` before anything is sent;
   * a partition that failed for good rejects with its `EdgelogError` (other partitions of the send
   * may have been written).
   *
   * @example
   * ```ts
   * const result = await producer.send({
   *   topic: "orders",
   *   acks: "all",
   *   messages: [{ key: "user-1", value: "a", headers: { source: "web" } }, { key: "user-2", value: new Uint8Array([1]) }],
   * });
   * ```
   */
  send(record: ProducerRecord): Promise<RecordMetadata[]> {
    if (this.#closing) return Promise.reject(disconnected());
    let prepared: PreparedSend;
    try {
      prepared = this.#prepare(record);
      // The hot path: with the partition count cached (or not needed), the messages go into their
      // batches now, without a turn of the event loop.
      const count = prepared.needsCount ? this.#pool.metadata.fresh(prepared.group.topic)?.partitions.length : 0;
      if (count !== undefined) return this.#enqueue(prepared, count);
    } catch (error) {
      return Promise.reject(error);
    }
    // A send waiting for metadata is not in a batch yet: disconnect() waits for it too.
    const sending = this.#partitionCount(prepared.group.topic).then((count) => this.#enqueue(prepared, count));
    const tracked = sending.catch(() => undefined);
    this.#sending.add(tracked);
    void tracked.then(() => this.#sending.delete(tracked));
    return sending;
  }

  /** Checks a send and turns its messages into records; throws TypeError/RangeError on bad input. */
  #prepare(record: ProducerRecord): PreparedSend {
    if (record === null || typeof record !== "object") throw new TypeError("send() needs { topic, messages }");
    const { topic, messages } = record;
    if (typeof topic !== "string" || topic === "") throw new TypeError("send() needs a topic name");
    if (!Array.isArray(messages) || messages.length === 0) throw new TypeError("send() needs at least one message");
    const group: BatchGroup = {
      topic,
      acks: record.acks === undefined ? this.#acks : toAcks(record.acks),
      compression: record.compression === undefined ? this.#compression : toCompression(record.compression),
      timeoutMs: nonNegative("timeoutMs", record.timeoutMs, this.#timeoutMs),
    };
    const inputs: RecordInput[] = [];
    const explicit: (number | undefined)[] = [];
    let needsCount = false;
    for (let i = 0; i < messages.length; i++) {
      inputs.push(toRecordInput(messages[i]!, i));
      const partition = explicitPartition(messages[i]!, i);
      explicit.push(partition);
      if (partition === undefined) needsCount = true;
    }
    return { group, inputs, explicit, needsCount };
  }

  /** Puts the records of a checked send into batches (keyless ones of one send share a partition) and resolves with where they landed. */
  async #enqueue({ group, inputs, explicit }: PreparedSend, count: number): Promise<RecordMetadata[]> {
    const topic = group.topic;
    const slots: { partition: number; batch: PendingBatch; index: number }[] = [];
    for (let i = 0; i < inputs.length; i++) {
      const partition = explicit[i] ?? this.#choosePartition(topic, inputs[i]!, count);
      const { batch, index } = this.#accumulator.append(group, partition, inputs[i]!);
      slots.push({ partition, batch, index });
    }
    if (this.#lingerMs === 0 || this.#closing) this.#accumulator.flush();
    const acks = await Promise.all(slots.map((slot) => slot.batch.done));
    const byPartition = new Map<number, RecordMetadata>();
    slots.forEach((slot, i) => {
      const ack = acks[i]!;
      let meta = byPartition.get(slot.partition);
      if (meta === undefined) {
        meta = {
          topicName: topic,
          partition: slot.partition,
          errorCode: 0,
          baseOffset: offsetOf(ack, slot.index),
          logAppendTime: ack.logAppendTime,
          logStartOffset: ack.logStartOffset,
          offsets: [],
          messageIndexes: [],
        };
        byPartition.set(slot.partition, meta);
      }
      meta.offsets.push(offsetOf(ack, slot.index));
      meta.messageIndexes.push(i);
    });
    return [...byPartition.values()];
  }

  /**
   * Sends to several topics; resolves with the metadata of every topic's send, concatenated.
   *
   * @example
   * ```ts
   * const metadata = await producer.sendBatch({ topicMessages: [{ topic: "a", messages: [{ value: "1" }] }] });
   * ```
   */
  async sendBatch(batch: ProducerBatch): Promise<RecordMetadata[]> {
    if (batch === null || typeof batch !== "object" || !Array.isArray(batch.topicMessages)) {
      throw new TypeError("sendBatch() needs { topicMessages: [{ topic, messages }] }");
    }
    const results = await Promise.all(
      batch.topicMessages.map((t) =>
        this.send({
          topic: t.topic,
          messages: t.messages,
          ...(batch.acks === undefined ? {} : { acks: batch.acks }),
          ...(batch.compression === undefined ? {} : { compression: batch.compression }),
          ...(batch.timeoutMs === undefined ? {} : { timeoutMs: batch.timeoutMs }),
        }),
      ),
    );
    return results.flat();
  }

  /**
   * Sends the batches that linger now and resolves once every batch sent so far is settled.
   *
   * @example
   * ```ts
   * void producer.send({ topic: "t", messages }); // lingering
   * await producer.flush();
   * ```
   */
  async flush(): Promise<void> {
    this.#accumulator.flush();
    while (this.#inFlight.size > 0) await Promise.allSettled([...this.#inFlight]);
  }

  /**
   * Sends what lingers, waits for the answers, then closes the connection. Later sends fail.
   *
   * @example
   * ```ts
   * await producer.disconnect();
   * ```
   */
  async disconnect(): Promise<void> {
    if (this.#closing) return;
    this.#closing = true;
    do {
      this.#accumulator.flush();
      await Promise.allSettled([...this.#sending, ...this.#inFlight]);
    } while (this.#sending.size > 0 || this.#inFlight.size > 0);
    this.#closed = true;
    await this.#pool.close();
    if (this.#ownsConnection) await this.#connection.close();
  }

  #partitionCount(topic: string): Promise<number> {
    const { metadata } = this.#pool;
    return withRetry(
      async () => {
        try {
          return (await metadata.topic(topic)).partitions.length;
        } catch (error) {
          metadata.invalidate(topic);
          throw error;
        }
      },
      this.#retry,
      { stopped: () => this.#closed },
    );
  }

  #choosePartition(topic: string, input: RecordInput, count: number): number {
    if (input.key !== null && input.key !== undefined) return partitionForKey(input.key, count);
    let partition = this.#sticky.get(topic);
    if (partition === undefined || partition >= count) {
      let spreader = this.#spreaders.get(topic);
      if (spreader === undefined) {
        spreader = createRoundRobin(Math.floor(Math.random() * 0x10000));
        this.#spreaders.set(topic, spreader);
      }
      partition = spreader.next(count);
      this.#sticky.set(topic, partition);
    }
    return partition;
  }

  /** Encodes closed batches in the order they closed, then produces them. */
  #dispatch(group: BatchGroup, batches: PendingBatch[]): void {
    const encoded = this.#encodeChain.then(() =>
      Promise.all(batches.map((batch) => encodeRecordBatch({ records: batch.records, compression: group.compression }))),
    );
    this.#encodeChain = encoded.catch(() => undefined);
    const max = this.#maxInFlight;
    const keys = max === undefined ? [] : [...new Set(batches.map((batch) => `${group.topic}/${batch.partition}`))];
    const queues = keys.map((key) => {
      let queue = this.#partitionQueues.get(key);
      if (queue === undefined) this.#partitionQueues.set(key, (queue = new PartitionQueue(max!)));
      return queue;
    });
    // Taken now, in dispatch order: what this task waits for before it may send.
    const room = queues.length === 0 ? undefined : Promise.all(queues.map((queue) => queue.room()));
    const task = encoded.then(
      async (bytes) => {
        if (room !== undefined) await room; // only with a limit: no extra turn otherwise
        await this.#produce(group, batches.map((batch, i) => ({ batch, bytes: bytes[i]! })));
      },
      (error: unknown) => {
        for (const batch of batches) batch.reject(error);
      },
    );
    this.#inFlight.add(task);
    void task.finally(() => this.#inFlight.delete(task));
    keys.forEach((key, i) => {
      const queue = queues[i]!;
      queue.add(task);
      void task.finally(() => {
        if (queue.settle() && this.#partitionQueues.get(key) === queue) this.#partitionQueues.delete(key);
      });
    });
  }

  /** Produces encoded batches of one group, each to its partition's leader, and retries the ones that fail retriably. */
  async #produce(group: BatchGroup, items: Item[]): Promise<void> {
    let remaining = items;
    for (let attempt = 0; ; attempt++) {
      const retry: Item[] = [];
      const settle = (item: Item, error: EdgelogError | unknown): void => {
        if (isEdgelogError(error) && LEADERSHIP_ERRORS.has(error.code)) this.#pool.metadata.invalidate(group.topic);
        if (isRetriable(error) && attempt < this.#retry.retries) retry.push(item);
        else item.batch.reject(error);
      };
      const byLeader = new Map<Connection, Item[]>();
      await Promise.all(
        remaining.map(async (item) => {
          try {
            const connection = await this.#pool.leaderConnection(group.topic, item.batch.partition);
            byLeader.set(connection, [...(byLeader.get(connection) ?? []), item]);
          } catch (error) {
            settle(item, error);
          }
        }),
      );
      // Batches keep their order within each leader's request (and a partition has one leader).
      const ordered = [...byLeader].map(([connection, list]) => [connection, remaining.filter((item) => list.includes(item))] as const);
      await Promise.all(ordered.map(([connection, list]) => this.#produceTo(connection, group, list, settle)));
      if (retry.length === 0) return;
      await sleep(backoffDelay(attempt, this.#retry));
      remaining = items.filter((item) => retry.includes(item));
    }
  }

  /** One produce request to one broker; each item ends resolved, rejected or handed to `settle`. */
  async #produceTo(connection: Connection, group: BatchGroup, items: Item[], settle: (item: Item, error: unknown) => void): Promise<void> {
    const body = {
      acks: group.acks,
      timeoutMs: group.timeoutMs,
      topic: group.topic,
      partitions: items.map(({ batch, bytes }) => ({ partition: batch.partition, batches: bytes })),
    };
    try {
      if (group.acks === 0) {
        await connection.send("produce", body);
        for (const { batch } of items) batch.resolve(NO_ACK);
        return;
      }
      const reply = await connection.request<ProduceResponse>("produce", body, { timeoutMs: group.timeoutMs + REPLY_MARGIN_MS });
      const results = new Map((reply.partitions ?? []).map((p) => [p.partition, p]));
      for (const item of items) {
        const result = results.get(item.batch.partition);
        if (result === undefined) {
          item.batch.reject(new EdgelogError("UNKNOWN_SERVER_ERROR", `The broker did not answer for ${group.topic}-${item.batch.partition}`));
        } else if (result.error !== undefined) {
          settle(item, fromWireError(result.error));
        } else {
          item.batch.resolve({ baseOffset: result.baseOffset, logAppendTime: result.logAppendTime, logStartOffset: result.logStartOffset });
        }
      }
    } catch (error) {
      for (const item of items) settle(item, error);
    }
  }
}

/**
 * The produce tasks of one partition in dispatch order, for `maxInFlightRequests`: a task may send
 * once at most `max - 1` of the tasks dispatched before it are unsettled. Each task costs O(1): it
 * adds a link to a chain whose n-th link settles when tasks 0..n all have, and waits on one link.
 */
class PartitionQueue {
  #count = 0;
  #unsettled = 0;
  #last: Promise<void> = Promise.resolve();
  /** The last `max` links of the chain, by task number modulo `max`. */
  readonly #ring: Promise<void>[] = [];

  constructor(readonly max: number) {}

  /** What the next task added waits for: every task up to `max` places before it settled. */
  room(): Promise<void> {
    return this.#count >= this.max ? this.#ring[this.#count % this.max]! : Promise.resolve();
  }

  add(task: Promise<void>): void {
    const settled = task.then(noop, noop);
    this.#last = this.#last.then(() => settled);
    this.#ring[this.#count % this.max] = this.#last;
    this.#count++;
    this.#unsettled++;
  }

  /** Counts one task settled; true when none is left. */
  settle(): boolean {
    return --this.#unsettled === 0;
  }
}

function noop(): void {}

function offsetOf(ack: PartitionAck, index: number): number {
  return ack.baseOffset < 0 ? -1 : ack.baseOffset + index;
}

function disconnected(): EdgelogError {
  return new EdgelogError("NETWORK_EXCEPTION", "The producer is disconnected", { retriable: false });
}

