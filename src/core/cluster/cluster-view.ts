/**
 * What a broker knows about its cluster: the live brokers, the controller, the topics and, per
 * partition, its replicas, leader, leader epoch and in-sync replicas (Kafka's metadata image). The
 * replication code (follower fetchers, high watermark, ISR decisions) reads it and changes the ISR
 * through {@link ClusterView.alterIsr}; everything else in a partition's state is the controller's.
 *
 * Two implementations: `localClusterView()` (`local-cluster-view.ts`) for a broker without
 * `controller.etcd.endpoints` (it leads every partition alone, epoch 0), and the watched view over the
 * Coordination port (`cluster-view-impl.ts`) that every broker of a cluster keeps.
 *
 * @example
 * ```ts
 * const state = view.partition("orders", 0);
 * if (state?.leader === view.localBrokerId) startServing(state.leaderEpoch);
 * const stop = view.onChange((change) => {
 *   if (change.type === "partition") reconcile(change.state);
 * });
 * ```
 * @module
 */
import { EdgelogError } from "../errors.ts";

/**
 * A live broker: registered under a lease the coordination store still has.
 *
 * @example
 * ```ts
 * const b: BrokerInfo = { id: 2, url: "ws://broker-2:9092" };
 * ```
 */
export interface BrokerInfo {
  id: number;
  /** The broker's advertised WebSocket listener, e.g. "ws://broker-2:9092". */
  url: string;
}

/**
 * One partition's replication state, as the controller (and, for the ISR, the leader) recorded it.
 *
 * @example
 * ```ts
 * const s: PartitionState = { topic: "orders", partition: 0, replicas: [1, 2, 3], leader: 1, leaderEpoch: 4, isr: [1, 3], version: 88 };
 * ```
 */
export interface PartitionState {
  topic: string;
  partition: number;
  /** Broker ids holding a copy, the preferred leader first. */
  replicas: number[];
  /** The leader's broker id, or -1 when the partition is offline. */
  leader: number;
  /** Raised on every change of leader (and on a reassignment that changes the replicas). */
  leaderEpoch: number;
  /** Replicas in sync with the leader, the leader included (when there is one). */
  isr: number[];
  /** The compare-and-swap token: the coordination store's modRevision of the state (0 on one broker). */
  version: number;
}

/**
 * A topic as the cluster knows it.
 *
 * @example
 * ```ts
 * const t: ClusterTopic = { name: "orders", partitions: 3, replicationFactor: 3, configs: { "min.insync.replicas": "2" } };
 * ```
 */
export interface ClusterTopic {
  name: string;
  partitions: number;
  replicationFactor: number;
  /** The topic's config overrides (Kafka's names). */
  configs: Record<string, string>;
}

/**
 * What changed in a {@link ClusterView}: one partition's state (its new value); the live brokers
 * or the controller; or the topics (created, deleted, partitions added, configs changed; a partition
 * that goes away with its topic is announced by this one).
 *
 * @example
 * ```ts
 * view.onChange((c) => { if (c.type === "brokers") console.log(view.brokers().map((b) => b.id)); });
 * ```
 */
export type ClusterChange = { type: "partition"; state: PartitionState } | { type: "brokers" } | { type: "topics" };

/**
 * A broker's view of the cluster; see the module documentation. Reads are synchronous and answer
 * what the view has seen so far; listeners hear of each change after the view has applied it.
 *
 * @example
 * ```ts
 * const s = view.partition("orders", 0)!;
 * if (s.leader === view.localBrokerId) {
 *   const shrunk = s.isr.filter((id) => !lagging.has(id));
 *   await view.alterIsr("orders", 0, shrunk, s.version, s.leaderEpoch);
 * }
 * ```
 */
export interface ClusterView {
  /** This broker's id (`broker.id`). */
  readonly localBrokerId: number;
  /** The live brokers, by id. */
  brokers(): BrokerInfo[];
  /** A live broker, or undefined. */
  broker(id: number): BrokerInfo | undefined;
  /** The controller's broker id, or undefined while there is none. */
  controllerId(): number | undefined;
  /** Every topic, in name order. */
  topics(): ClusterTopic[];
  /** One partition's state, or undefined when the topic or partition does not exist. */
  partition(topic: string, partition: number): PartitionState | undefined;
  /** Every partition's state, by topic and partition. */
  partitions(): PartitionState[];
  /** Calls `listener` after each change; returns the function that removes it. */
  onChange(listener: (change: ClusterChange) => void): () => void;
  /**
   * The leader's ISR change (Kafka's AlterPartition): a compare-and-swap on `expectedVersion`.
   * Resolves the new state. Rejects, retriably, with INVALID_UPDATE_VERSION when the state moved
   * (read it again and decide again), FENCED_LEADER_EPOCH when `leaderEpoch` is not the current one,
   * NOT_LEADER_OR_FOLLOWER when this broker is not the leader; with UNKNOWN_TOPIC_OR_PARTITION for a
   * partition the view does not know, and INVALID_REQUEST when `isr` is not a set of the partition's
   * replicas that includes the leader.
   */
  alterIsr(topic: string, partition: number, isr: number[], expectedVersion: number, leaderEpoch: number): Promise<PartitionState>;
}

/**
 * The checks every {@link ClusterView.alterIsr} makes against the state it holds, before writing:
 * throws the error the method documents, or returns the ISR to write (sorted as given, without
 * duplicates).
 *
 * @example
 * ```ts
 * const isr = checkAlterIsr(current, localBrokerId, "orders", 0, [1, 3], 88, 4);
 * ```
 */
export function checkAlterIsr(
  current: PartitionState | undefined,
  localBrokerId: number,
  topic: string,
  partition: number,
  isr: readonly number[],
  expectedVersion: number,
  leaderEpoch: number,
): number[] {
  if (current === undefined) {
    throw new EdgelogError("UNKNOWN_TOPIC_OR_PARTITION", `Partition ${topic}-${partition} does not exist`, { details: { topic, partition } });
  }
  if (!Array.isArray(isr) || isr.some((id) => !Number.isInteger(id))) {
    throw new EdgelogError("INVALID_REQUEST", `The ISR of ${topic}-${partition} must be a list of broker ids`);
  }
  if (current.leader !== localBrokerId) {
    throw new EdgelogError("NOT_LEADER_OR_FOLLOWER", `Broker ${localBrokerId} is not the leader of ${topic}-${partition} (leader: ${current.leader})`, {
      details: { topic, partition, leader: current.leader },
    });
  }
  if (leaderEpoch !== current.leaderEpoch) {
    throw new EdgelogError("FENCED_LEADER_EPOCH", `Leader epoch ${leaderEpoch} of ${topic}-${partition} is not the current ${current.leaderEpoch}`, {
      details: { topic, partition, leaderEpoch: current.leaderEpoch },
    });
  }
  if (expectedVersion !== current.version) throw staleVersion(topic, partition, expectedVersion, current.version);
  const unique = [...new Set(isr)];
  if (!unique.includes(current.leader)) {
    throw new EdgelogError("INVALID_REQUEST", `The ISR [${unique.join(",")}] of ${topic}-${partition} must include its leader ${current.leader}`);
  }
  const outside = unique.filter((id) => !current.replicas.includes(id));
  if (outside.length > 0) {
    throw new EdgelogError("INVALID_REQUEST", `Broker(s) ${outside.join(",")} are not replicas of ${topic}-${partition} [${current.replicas.join(",")}]`);
  }
  return unique;
}

/**
 * The retriable error of a compare-and-swap that lost the race: the partition's state is no longer
 * at `expected`.
 *
 * @example
 * ```ts
 * throw staleVersion("orders", 0, 88, 91); // INVALID_UPDATE_VERSION, retriable
 * ```
 */
export function staleVersion(topic: string, partition: number, expected: number, actual: number | undefined): EdgelogError {
  const now = actual === undefined ? "it changed" : `it is at ${actual}`;
  return new EdgelogError("INVALID_UPDATE_VERSION", `The state of ${topic}-${partition} is not at version ${expected}: ${now}`, {
    retriable: true,
    details: { topic, partition, version: actual },
  });
}
