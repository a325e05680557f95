/**
 * `metadata`: the brokers and each topic's partitions with leader, replicas and in-sync replicas
 * (on one broker all three are this broker). A broker's URL is its first advertised listener with
 * the path "/" (where WebSocket upgrades are served). Requested topics that do not exist are created when
 * `auto.create.topics.enable` is true, else answered with UNKNOWN_TOPIC_OR_PARTITION.
 *
 * ```
 * MetadataRequest  => { id, op: "metadata", topics?: [string] | null }
 * MetadataResponse => { id, clusterId, controllerId, brokers: [...], topics: [{ topic, error?, internal, partitions: [...] }] }
 * ```
 *
 * @example
 * ```ts
 * await handleMetadata({ id: 2, op: "metadata", topics: ["orders"] }, scope);
 * ```
 * @module
 */
import { withError } from "../../protocol/envelope.ts";
import { metadataResponse, type MetadataRequest, type PartitionMetadata, type TopicMetadata } from "../../protocol/ops/metadata.ts";
import type { BrokerContext } from "../broker-context.ts";
import type { Handler } from "./handler.ts";

/** Kafka's internal topics. */
const INTERNAL_TOPICS: ReadonlySet<string> = new Set(["__consumer_offsets", "__transaction_state"]);

/**
 * Answers `metadata`.
 *
 * @example
 * ```ts
 * HANDLERS.metadata = handleMetadata;
 * ```
 */
export const handleMetadata: Handler<MetadataRequest> = async (request, { broker }) => {
  const topics: TopicMetadata[] = [];
  if (request.topics === null) {
    for (const topic of broker.topics.list()) topics.push(describeTopic(broker, topic.name, topic.partitions));
  } else {
    for (const name of request.topics) {
      try {
        const topic = await broker.topic(name, { autoCreate: true });
        topics.push(describeTopic(broker, topic.name, topic.partitions));
      } catch (error) {
        topics.push(withError({ topic: name, internal: INTERNAL_TOPICS.has(name), partitions: [] }, error));
      }
    }
  }
  const brokerId = broker.config.brokerId;
  return metadataResponse(request.id, {
    clusterId: broker.clusterId,
    controllerId: brokerId,
    brokers: broker.config.advertisedListeners.slice(0, 1).map((listener) => ({ brokerId, url: `${listener.url}/`, rack: null })),
    topics,
  });
};

function describeTopic(broker: BrokerContext, topic: string, count: number): TopicMetadata {
  const partitions: PartitionMetadata[] = [];
  for (let partition = 0; partition < count; partition++) {
    const replicas = broker.replicas.replicas(topic, partition);
    partitions.push({
      partition,
      leader: broker.config.brokerId,
      leaderEpoch: broker.replicas.leaderEpoch(topic, partition),
      replicas: [...replicas],
      isr: [...broker.replicas.inSyncReplicas(topic, partition)],
      offlineReplicas: [],
    });
  }
  return { topic, internal: INTERNAL_TOPICS.has(topic), partitions };
}
