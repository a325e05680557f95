/**
 * What a {@link Consumer} takes: its options, the partitions to assign, the handlers of `run()`
 * and what they receive, with the checks that turn malformed input into a `TypeError`/`RangeError`.
 *
 * @example
 * ```ts
 * import { checkAssignment } from "./consumer-options.ts";
 * checkAssignment({ topic: "orders", partition: 0, offset: "42" }, 0); // { topic: "orders", partition: 0, from: { offset: 42 } }
 * ```
 * @module
 */
import type { SubscribeFrom } from "../protocol/index.ts";
import type { ConsumedRecord } from "./consumed-record.ts";
import type { Consumer } from "./consumer.ts";
import type { GroupConsumerOptions } from "./group-options.ts";
import type { RetryOptions } from "./retry.ts";
import type { AutoOffsetReset, RetentionGap } from "./stream-host.ts";

export type { AutoOffsetReset, RetentionGap } from "./stream-host.ts";

/**
 * Options of a {@link Consumer}; the group options ({@link GroupConsumerOptions}) need a `groupId`.
 *
 * @example
 * ```ts
 * const options: ConsumerOptions = { groupId: "billing", maxBufferedRecords: 1000, autoOffsetReset: "earliest", onGap: (gap) => console.warn(gap) };
 * ```
 */
export interface ConsumerOptions extends GroupConsumerOptions {
  /** Records received ahead of the application (the record credit window), per partition, in a group for all together; default 500. */
  maxBufferedRecords?: number;
  /** Bytes received ahead of the application (the byte credit window), per partition, in a group for all together; default 1 MiB. */
  maxBufferedBytes?: number;
  /**
   * What to do when a position is not in the log (Kafka's auto.offset.reset); default "none"
   * (throw), in a group "latest" as Kafka's. Also the default start of `assign()`, and in a group the
   * start of a partition without a committed offset.
   */
  autoOffsetReset?: AutoOffsetReset;
  /** Told whenever a position was not in the log (records were removed before being read). */
  onGap?: (gap: RetentionGap) => void;
  /** Retries of retriable subscription errors; default: the client's. */
  retry?: RetryOptions;
}

/**
 * A partition to read and where to start: `offset`, or `from` ("earliest", "latest", `{ offset }`,
 * `{ timestamp }`); neither: "earliest" when `autoOffsetReset` is "earliest", else "latest".
 *
 * @example
 * ```ts
 * const a: PartitionAssignment = { topic: "orders", partition: 0, offset: 42 };
 * const b: PartitionAssignment = { topic: "orders", partition: 1, from: { timestamp: Date.now() - 3_600_000 } };
 * ```
 */
export interface PartitionAssignment {
  topic: string;
  partition: number;
  offset?: number | string;
  from?: SubscribeFrom;
}

/**
 * One partition of a topic.
 *
 * @example
 * ```ts
 * const tp: TopicPartition = { topic: "orders", partition: 3 };
 * ```
 */
export interface TopicPartition {
  topic: string;
  partition: number;
}

/**
 * Partitions of a topic for `pause()`/`resume()`; without `partitions`: every assigned one, and
 * (for `pause`) those assigned later.
 *
 * @example
 * ```ts
 * consumer.pause([{ topic: "orders", partitions: [0, 1] }, { topic: "audit" }]);
 * ```
 */
export interface TopicPartitions {
  topic: string;
  partitions?: number[];
}

/**
 * What `eachMessage` receives.
 *
 * @example
 * ```ts
 * const eachMessage = async ({ topic, partition, message }: EachMessagePayload) => console.log(topic, partition, message.offset);
 * ```
 */
export interface EachMessagePayload {
  topic: string;
  partition: number;
  message: ConsumedRecord;
}

/**
 * Records of one partition, in offset order.
 *
 * @example
 * ```ts
 * const { topic, partition, messages, highWatermark }: ConsumedBatch = payload.batch;
 * ```
 */
export interface ConsumedBatch {
  topic: string;
  partition: number;
  /** The partition's high watermark when the records were pushed. */
  highWatermark: number;
  messages: ConsumedRecord[];
  firstOffset(): number;
  lastOffset(): number;
}

/**
 * What `eachBatch` receives.
 *
 * @example
 * ```ts
 * const eachBatch = async ({ batch, isRunning }: EachBatchPayload) => { for (const m of batch.messages) if (isRunning()) handle(m); };
 * ```
 */
export interface EachBatchPayload {
  batch: ConsumedBatch;
  /** False once `stop()` or `disconnect()` was called. */
  isRunning(): boolean;
}

/**
 * Handlers of {@link Consumer.run}: exactly one of `eachMessage` and `eachBatch`.
 *
 * @example
 * ```ts
 * const options: RunOptions = { eachBatch: async ({ batch }) => save(batch.messages), maxBatchRecords: 100 };
 * ```
 */
export interface RunOptions {
  eachMessage?: (payload: EachMessagePayload) => Promise<void> | void;
  eachBatch?: (payload: EachBatchPayload) => Promise<void> | void;
  /** Most records in one batch; default 500. */
  maxBatchRecords?: number;
}

/**
 * Checks entry `i` of `assign()` and reads its start (`from` or `offset`; undefined when neither).
 *
 * @example
 * ```ts
 * checkAssignment({ topic: "t", partition: 0, from: { timestamp: 1_700_000_000_000 } }, 0).from; // { timestamp: 1700000000000 }
 * ```
 */
export function checkAssignment(a: PartitionAssignment, i: number): { topic: string; partition: number; from: SubscribeFrom | undefined } {
  if (a === null || typeof a !== "object") throw new TypeError(`assign() entry ${i} must be { topic, partition }`);
  if (typeof a.topic !== "string" || a.topic === "") throw new TypeError(`assign() entry ${i} needs a topic name`);
  if (!Number.isInteger(a.partition) || a.partition < 0) throw new TypeError(`assign() entry ${i} partition must be an integer ≥ 0`);
  if (a.offset !== undefined && a.from !== undefined) throw new TypeError(`assign() entry ${i} gives both offset and from; give one`);
  if (a.offset !== undefined) return { topic: a.topic, partition: a.partition, from: { offset: toOffset(a.offset, `assign() entry ${i} offset`) } };
  if (a.from === undefined) return { topic: a.topic, partition: a.partition, from: undefined };
  const from = a.from;
  if (from === "earliest" || from === "latest") return { topic: a.topic, partition: a.partition, from };
  if (typeof from === "object" && from !== null) {
    if ("offset" in from && !("timestamp" in from)) return { topic: a.topic, partition: a.partition, from: { offset: toOffset(from.offset, `assign() entry ${i} from.offset`) } };
    if ("timestamp" in from && !("offset" in from)) {
      return { topic: a.topic, partition: a.partition, from: { timestamp: toOffset(from.timestamp, `assign() entry ${i} from.timestamp`) } };
    }
  }
  throw new TypeError(`assign() entry ${i} from must be "earliest", "latest", { offset } or { timestamp }`);
}

/**
 * Checks the argument of `pause()`/`resume()` (`what` names the method in errors).
 *
 * @example
 * ```ts
 * checkTopicPartitions([{ topic: "t", partitions: [0, 1] }], "pause");
 * ```
 */
export function checkTopicPartitions(topics: TopicPartitions[], what: string): TopicPartitions[] {
  if (!Array.isArray(topics)) throw new TypeError(`${what}() needs a list of { topic, partitions? }`);
  for (const t of topics) {
    if (t === null || typeof t !== "object" || typeof t.topic !== "string") throw new TypeError(`${what}() entries need a topic name`);
    if (t.partitions !== undefined && (!Array.isArray(t.partitions) || !t.partitions.every((p) => Number.isInteger(p) && p >= 0))) {
      throw new TypeError(`${what}() partitions must be a list of integers ≥ 0`);
    }
  }
  return topics;
}

/**
 * An offset or timestamp given as a number or a decimal string, checked to be an integer ≥ 0.
 *
 * @example
 * ```ts
 * toOffset("42", "seek() offset"); // 42
 * ```
 */
export function toOffset(value: number | string | undefined, what: string): number {
  const n = typeof value === "string" && /^\d+$/.test(value.trim()) ? Number(value) : value;
  if (typeof n !== "number" || !Number.isSafeInteger(n) || n < 0) throw new TypeError(`${what} must be an integer ≥ 0, got ${JSON.stringify(value)}`);
  return n;
}

/**
 * An optional positive integer option, or its default.
 *
 * @example
 * ```ts
 * positiveInteger("maxBufferedRecords", undefined, 500); // 500
 * ```
 */
export function positiveInteger(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer, got ${value}`);
  return value;
}
