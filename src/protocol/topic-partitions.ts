/**
 * Lists of topic-partitions as the consumer-group ops carry them: an assignment or the partitions a
 * member owns (`[{topic, partitions: [int32]}]`), and which partitions an admin op addresses
 * (`[{topic, partitions?}]`, all of a topic's partitions when `partitions` is left out).
 *
 * ```
 * TopicPartitions => { topic: string, partitions: [int32 ≥ 0] }     no topic twice, no partition twice
 * PartitionsQuery => { topic: string, partitions?: [int32 ≥ 0] }    absent: every partition of the topic
 * ```
 *
 * @example
 * ```ts
 * import { readTopicPartitionsList } from "./topic-partitions.ts";
 * readTopicPartitionsList(Fields.of({ owned: [{ topic: "t", partitions: [0, 2] }] }), "owned");
 * // [{ topic: "t", partitions: [0, 2] }]
 * ```
 * @module
 */
import { Fields, INT32_MAX, readInt, rejectDuplicates } from "./fields.ts";

/**
 * Partitions of one topic.
 *
 * @example
 * ```ts
 * const assignment: WireTopicPartitions[] = [{ topic: "orders", partitions: [0, 1] }];
 * ```
 */
export interface WireTopicPartitions {
  topic: string;
  partitions: number[];
}

/**
 * A topic and, optionally, some of its partitions (all of them when `partitions` is undefined).
 *
 * @example
 * ```ts
 * const which: WirePartitionsQuery[] = [{ topic: "orders", partitions: [0] }, { topic: "payments" }];
 * ```
 */
export interface WirePartitionsQuery {
  topic: string;
  partitions?: number[];
}

/**
 * Reads a required `[{topic, partitions}]` field; no topic twice and no partition twice in a topic.
 *
 * @example
 * ```ts
 * readTopicPartitionsList(Fields.of({ ownedPartitions: [] }), "ownedPartitions"); // []
 * ```
 */
export function readTopicPartitionsList(fields: Fields, key: string): WireTopicPartitions[] {
  const list = fields.list(key, (item, path) => {
    const t = Fields.of(item, path);
    return { topic: t.string("topic"), partitions: readPartitionNumbers(t, "partitions") };
  });
  rejectDuplicates(list.map((t) => t.topic), fields.pathOf(key), "topic");
  return list;
}

/**
 * Reads an optional `[{topic, partitions?}]` field; undefined when absent or null. At least one
 * item when present; no topic twice.
 *
 * @example
 * ```ts
 * readPartitionsQueries(Fields.of({ topics: [{ topic: "t" }] }), "topics"); // [{ topic: "t" }]
 * ```
 */
export function readPartitionsQueries(fields: Fields, key: string): WirePartitionsQuery[] | undefined {
  const list = fields.optionalList(key, (item, path) => {
    const t = Fields.of(item, path);
    const query: WirePartitionsQuery = { topic: t.string("topic") };
    if (t.has("partitions")) query.partitions = readPartitionNumbers(t, "partitions");
    return query;
  }, 1);
  if (list !== undefined) rejectDuplicates(list.map((t) => t.topic), fields.pathOf(key), "topic");
  return list;
}

function readPartitionNumbers(fields: Fields, key: string): number[] {
  const partitions = fields.list(key, (v, path) => readInt(v, path, 0, INT32_MAX));
  rejectDuplicates(partitions, fields.pathOf(key));
  return partitions;
}

/**
 * Reads the `topic` (string) and `partition` (int32 ≥ 0) of an op about one partition.
 *
 * @example
 * ```ts
 * readTopicPartition(Fields.of({ topic: "orders", partition: 3, offset: 42 })); // { topic: "orders", partition: 3 }
 * ```
 */
export function readTopicPartition(fields: Fields): { topic: string; partition: number } {
  return { topic: fields.string("topic"), partition: fields.int("partition", 0, INT32_MAX) };
}
