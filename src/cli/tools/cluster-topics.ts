/**
 * Topic lookups the tools share, through the `metadata` op: every topic with its internal flag, id
 * and partitions (a listing never creates a topic), Kafka's topic include lists (`--topic` of
 * `kafka-topics` is a regular expression over whole names, with `,` as "or"), and the partitions of
 * one topic (which, as a Kafka client's metadata request does, lets a broker with
 * `auto.create.topics.enable` create it).
 *
 * @example
 * ```ts
 * const topics = await listClusterTopics(connection);
 * topics.filter(includeList("hello.*")).map((t) => t.name);
 * ```
 * @module
 */
import type { Connection } from "../../client/connection.ts";
import { fromWireError } from "../../protocol/wire-error.ts";
import type { MetadataResponse, PartitionMetadata } from "../../protocol/index.ts";
import { UsageError } from "../usage-error.ts";

/**
 * One topic of the cluster.
 *
 * @example
 * ```ts
 * const topic: ClusterTopic = { name: "orders", internal: false, topicId: "x5pHhVsVTnyBQmPhqT0ADA", partitions: [] };
 * ```
 */
export interface ClusterTopic {
  name: string;
  internal: boolean;
  /** Absent when the broker does not send topic ids. */
  topicId: string | undefined;
  /** Sorted by partition. */
  partitions: PartitionMetadata[];
}

/**
 * Every topic of the cluster (internal ones included), sorted by name.
 *
 * @example
 * ```ts
 * (await listClusterTopics(connection)).map((t) => t.name); // ["__consumer_offsets", "orders"]
 * ```
 */
export async function listClusterTopics(connection: Connection): Promise<ClusterTopic[]> {
  const reply = await connection.request<MetadataResponse>("metadata", { topics: null });
  return reply.topics
    .filter((t) => t.error === undefined)
    .map(toClusterTopic)
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/**
 * The partition numbers of `topic`, sorted; rejects with the broker's error (e.g.
 * `UNKNOWN_TOPIC_OR_PARTITION` when the topic does not exist and the broker does not create topics).
 *
 * @example
 * ```ts
 * await topicPartitions(connection, "orders"); // [0, 1, 2]
 * ```
 */
export async function topicPartitions(connection: Connection, topic: string): Promise<number[]> {
  const reply = await connection.request<MetadataResponse>("metadata", { topics: [topic] });
  const found = reply.topics.find((t) => t.topic === topic);
  if (found === undefined) throw new Error(`Topic '${topic}' does not exist.`);
  if (found.error !== undefined) throw fromWireError(found.error);
  return found.partitions.map((p) => p.partition).sort((a, b) => a - b);
}

/**
 * Kafka's include list: a regular expression that must match a whole topic name, `,` meaning "or",
 * spaces and surrounding quotes ignored. A pattern that does not compile is a {@link UsageError}.
 *
 * @example
 * ```ts
 * const matches = includeList("orders,payments", "topics");
 * matches({ name: "orders", internal: false }); // true
 * ```
 */
export function includeList(pattern: string, command: string): (topic: { name: string }) => boolean {
  const source = pattern.trim().replaceAll(",", "|").replaceAll(" ", "").replace(/^["']+/, "").replace(/["']+$/, "");
  let regex: RegExp;
  try {
    regex = new RegExp(`^(?:${source})$`);
  } catch {
    throw new UsageError(`${JSON.stringify(pattern)} is not a valid regular expression`, command);
  }
  return (topic) => regex.test(topic.name);
}

function toClusterTopic(t: MetadataResponse["topics"][number]): ClusterTopic {
  return {
    name: t.topic,
    internal: t.internal,
    topicId: t.topicId,
    partitions: [...t.partitions].sort((a, b) => a.partition - b.partition),
  };
}
