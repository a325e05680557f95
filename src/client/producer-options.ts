/**
 * What a {@link Producer} takes and returns: its options (Kafka's producer settings in camelCase),
 * the records of `send()` and `sendBatch()`, and the metadata of what was written; with the checks
 * of acks, compression and durations.
 *
 * @example
 * ```ts
 * import type { ProducerOptions } from "./producer-options.ts";
 * const options: ProducerOptions = { lingerMs: 5, batchSize: 65_536, compression: "gzip" };
 * ```
 * @module
 */
import type { Acks } from "../protocol/index.ts";
import type { ProducerMessage } from "./message-input.ts";
import type { Producer } from "./producer.ts";
import type { RetryOptions } from "./retry.ts";

/**
 * Kafka's acks as a producer takes them: 0, 1, -1 or "all" (= -1).
 *
 * @example
 * ```ts
 * const acks: AcksOption = "all";
 * ```
 */
export type AcksOption = 0 | 1 | -1 | "all";

/**
 * Batch compression: none, or gzip (feature `compression.gzip`).
 *
 * @example
 * ```ts
 * const compression: ProducerCompression = "gzip";
 * ```
 */
export type ProducerCompression = "none" | "gzip";

/**
 * Options of a {@link Producer}, with Kafka's producer settings in camelCase.
 *
 * @example
 * ```ts
 * const options: ProducerOptions = { lingerMs: 10, batchSize: 65_536, compression: "gzip", acks: 1 };
 * ```
 */
export interface ProducerOptions {
  /** linger.ms: how long a batch waits for more messages; default 0 (each send() is sent at once). */
  lingerMs?: number;
  /** batch.size: the size in bytes at which a partition's batch is sent without waiting; default 16 384. */
  batchSize?: number;
  /** Default acks of send(); default -1 ("all"). */
  acks?: AcksOption;
  /** Default compression of send(); default "none". */
  compression?: ProducerCompression;
  /** How long the broker may wait for acks -1 (the request's timeoutMs); default 30 000. */
  timeoutMs?: number;
  /** Retries of retriable failures (retries, retry.backoff.ms as initialRetryTimeMs, …); default: the client's. */
  retry?: RetryOptions;
  /** metadata.max.age.ms: how long a topic's partition count is trusted; default 300 000. */
  metadataMaxAgeMs?: number;
  /**
   * max.in.flight.requests.per.connection, counted per partition: how many produce requests of one
   * partition may wait for their answer at a time (retries included); default: no limit. With 1, a
   * retried batch can never land after a later one, so acknowledged records keep the order they were
   * sent in — what Kafka's producer without idempotence needs too.
   */
  maxInFlightRequests?: number;
}

/**
 * What {@link Producer.send} writes.
 *
 * @example
 * ```ts
 * const record: ProducerRecord = { topic: "orders", acks: 1, messages: [{ value: "hello" }] };
 * ```
 */
export interface ProducerRecord {
  topic: string;
  /** At least one. */
  messages: ProducerMessage[];
  /** Default: the producer's. */
  acks?: AcksOption;
  /** Default: the producer's. */
  compression?: ProducerCompression;
  /** Default: the producer's. */
  timeoutMs?: number;
}

/**
 * Where the messages of a send() landed in one partition (kafkajs's RecordMetadata, plus the offset
 * of each message).
 *
 * @example
 * ```ts
 * const [meta]: RecordMetadata[] = await producer.send({ topic: "t", messages: [{ value: "a" }, { value: "b" }] });
 * meta.offsets; // e.g. [42, 43]: messages[meta.messageIndexes[i]] has offset meta.offsets[i]
 * ```
 */
export interface RecordMetadata {
  topicName: string;
  partition: number;
  /** Always 0: a failed partition rejects the send with its error instead. */
  errorCode: 0;
  /** The offset of this send's first message in the partition; -1 with acks 0. */
  baseOffset: number;
  /** -1 unless the topic stamps LogAppendTime. */
  logAppendTime: number;
  /** The partition's log start offset; -1 with acks 0. */
  logStartOffset: number;
  /** The offset of each of this send's messages in the partition, in send order; -1 with acks 0. */
  offsets: number[];
  /** Which of the send's messages these are (indexes into `messages`), in the same order as `offsets`. */
  messageIndexes: number[];
}

/**
 * Several topics at once for {@link Producer.sendBatch}.
 *
 * @example
 * ```ts
 * await producer.sendBatch({ acks: 1, topicMessages: [{ topic: "a", messages }, { topic: "b", messages }] });
 * ```
 */
export interface ProducerBatch {
  topicMessages: { topic: string; messages: ProducerMessage[] }[];
  acks?: AcksOption;
  compression?: ProducerCompression;
  timeoutMs?: number;
}

/**
 * Kafka's acks as the protocol sends them: "all" is -1; anything but 0, 1, -1 and "all" is a `RangeError`.
 *
 * @example
 * ```ts
 * toAcks("all"); // -1
 * ```
 */
export function toAcks(acks: AcksOption): Acks {
  if (acks === "all" || acks === -1) return -1;
  if (acks === 0 || acks === 1) return acks;
  throw new RangeError(`acks must be 0, 1, -1 or "all", got ${JSON.stringify(acks)}`);
}

/**
 * Checks a compression name: "none" or "gzip", else a `RangeError`.
 *
 * @example
 * ```ts
 * toCompression("gzip"); // "gzip"
 * ```
 */
export function toCompression(compression: string): ProducerCompression {
  if (compression === "none" || compression === "gzip") return compression;
  throw new RangeError(`compression must be "none" or "gzip", got ${JSON.stringify(compression)}`);
}

/**
 * An optional non-negative number option, or its default; a bad one is a `RangeError` naming it.
 *
 * @example
 * ```ts
 * nonNegative("lingerMs", undefined, 0); // 0
 * ```
 */
export function nonNegative(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value < 0) throw new RangeError(`${name} must be a non-negative number, got ${value}`);
  return value;
}
