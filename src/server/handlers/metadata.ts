/**
 * `metadata`: the brokers and each topic's partitions with leader, replicas and in-sync replicas
 * (on one broker all three are this broker), from the broker's view of its cluster. A broker's URL is
 * its advertised listener (in a cluster: the one it registered) with the path "/" (where WebSocket
 * upgrades are served). A partition without a leader carries LEADER_NOT_AVAILABLE; replicas on
 * brokers that are not alive are listed in `offlineReplicas`. Requested topics that do not exist are created when
 * `auto.create.topics.enable` is true, else answered with UNKNOWN_TOPIC_OR_PARTITION.
 *
 * ```
 * MetadataRequest  => { id, op: "metadata", topics?: [string] | null }
 * MetadataResponse => { id, clusterId, controllerId, brokers: [...], topics: [{ topic, topicId, error?, internal, partitions: [...] }] }
 * ```
 *
 * @example
 * ```ts
 * await handleMetadata({ id: 2, op: "metadata", topics: ["orders"] }, scope);
 * ```
 * @module
 */
import { EdgelogError } from "../../core/errors.ts";
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
    for (const topic of broker.topics.list()) topics.push(describeTopic(broker, topic.name, topic.partitions, topic.id));
  } else {
    for (const name of request.topics) {
      try {
        const topic = await broker.topic(name, { autoCreate: true });
        topics.push(describeTopic(broker, topic.name, topic.partitions, topic.id));
      } catch (error) {
        topics.push(withError({ topic: name, internal: INTERNAL_TOPICS.has(name), partitions: [] }, error));
      }
    }
  }
  return metadataResponse(request.id, {
    clusterId: broker.clusterId,
    controllerId: broker.view.controllerId() ?? -1,
    brokers: broker.view.brokers().map((b) => ({ brokerId: b.id, url: `${b.url}/`, rack: null })),
    topics,
  });
};

function describeTopic(broker: BrokerContext, topic: string, count: number, topicId: string): TopicMetadata {
  const partitions: PartitionMetadata[] = [];
  for (let partition = 0; partition < count; partition++) {
    const replicas = broker.replicas.replicas(topic, partition);
    const leader = broker.view.partition(topic, partition)?.leader ?? -1;
    const described: PartitionMetadata = {
      partition,
      leader,
      leaderEpoch: broker.replicas.leaderEpoch(topic, partition),
      replicas: [...replicas],
      isr: [...broker.replicas.inSyncReplicas(topic, partition)],
      offlineReplicas: replicas.filter((id) => broker.view.broker(id) === undefined),
    };
    partitions.push(leader < 0 ? withError(described, leaderNotAvailable(topic, partition)) : described);
  }
  return { topic, topicId, internal: INTERNAL_TOPICS.has(topic), partitions };
}

function leaderNotAvailable(topic: string, partition: number): EdgelogError {
  return new EdgelogError("LEADER_NOT_AVAILABLE", `There is no leader for ${topic}-${partition} right now`, { details: { topic, partition } });
}
