/**
 * The edgelog client library: producer, consumer and admin over the standard `WebSocket`, for
 * browsers, Deno, Bun and Node (Node < 22: pass `WebSocket` from `nodeWebSocket()` of
 * `edgelog/client/node`, or the `ws` package). Names and shapes follow kafkajs where edgelog has the
 * same concept.
 *
 * @example
 * ```ts
 * import { createClient } from "edgelog/client";
 * const client = createClient({ brokers: ["localhost:9092"], clientId: "demo" });
 *
 * const producer = client.producer({ lingerMs: 5 });
 * await producer.send({ topic: "orders", messages: [{ key: "user-1", value: "hello" }] });
 *
 * const consumer = client.consumer({ groupId: "billing" });
 * await consumer.subscribe({ topics: ["orders"], fromBeginning: true });
 * for await (const record of consumer) console.log(record.partition, record.offset, record.valueString());
 * ```
 * @module
 */
export { EdgelogError, isEdgelogError, type ErrorCode } from "../core/errors.ts";
export { partitionForKey } from "../core/topic/partitioner.ts";
export type { SubscribeFrom, CreditAmount, HelloResponse } from "../protocol/index.ts";
export { Admin } from "./admin.ts";
export type {
  AdminOptions,
  ClusterDescription,
  ConfigAlterationSpec,
  ConfigEntryDescription,
  DescribeConfigResource,
  DescribedConfigs,
  ListedOffset,
  NewTopicSpec,
  OffsetSpec,
  TopicDescription,
} from "./admin-types.ts";
export { type ClientOptions, createClient, EdgelogClient } from "./client.ts";
export { Connection } from "./connection.ts";
export type { ConnectionEvents, ConnectionOptions, RequestOptions } from "./connection-options.ts";
export { bytesToString, ConsumedRecord } from "./consumed-record.ts";
export type {
  AutoOffsetReset,
  ConsumedBatch,
  ConsumerOptions,
  EachBatchPayload,
  EachMessagePayload,
  PartitionAssignment,
  RetentionGap,
  RunOptions,
  TopicPartition,
  TopicPartitions,
} from "./consumer-options.ts";
export { Consumer } from "./consumer.ts";
export type {
  ConsumerEvents,
  GroupAssignment,
  GroupConsumerOptions,
  SubscribeOptions,
  TopicPartitionOffset,
} from "./group-options.ts";
export type { MessageBytes, MessageHeaders, ProducerMessage } from "./message-input.ts";
export { Producer } from "./producer.ts";
export type {
  AcksOption,
  ProducerBatch,
  ProducerCompression,
  ProducerOptions,
  ProducerRecord,
  RecordMetadata,
} from "./producer-options.ts";
export type { RetryOptions } from "./retry.ts";
export type { WebSocketConstructor, WebSocketLike } from "./websocket-like.ts";
