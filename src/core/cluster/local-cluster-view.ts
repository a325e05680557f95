/**
 * The {@link ClusterView} of a broker that runs alone (no `controller.etcd.endpoints`): it is the
 * only live broker and the controller, and leads every partition of its topic registry with itself
 * as the only replica and in-sync replica, at leader epoch 0 and version 0. Nothing external is needed.
 *
 * The registry does not announce its changes, so the broker calls {@link LocalClusterView.refresh}
 * after an admin operation; the view then tells its listeners what appeared or went away.
 *
 * @example
 * ```ts
 * const view = localClusterView(0, "ws://localhost:9092", registry);
 * view.partition("orders", 0); // { replicas: [0], leader: 0, leaderEpoch: 0, isr: [0], version: 0, ... }
 * await registry.createTopic("events", { partitions: 2 });
 * view.refresh(); // listeners hear { type: "topics" } and one { type: "partition" } per new partition
 * ```
 * @module
 */
import type { TopicDescription } from "../topic/topic-registry.ts";
import { checkAlterIsr, type BrokerInfo, type ClusterChange, type ClusterTopic, type ClusterView, type PartitionState } from "./cluster-view.ts";

/**
 * What the local view reads of the topic registry.
 *
 * @example
 * ```ts
 * const topics: LocalTopicSource = registry; // a TopicRegistry is one
 * ```
 */
export interface LocalTopicSource {
  list(): TopicDescription[] | ClusterTopic[];
  get(name: string): TopicDescription | ClusterTopic | undefined;
}

/**
 * The single-broker view, with {@link LocalClusterView.refresh} for the broker to call after it
 * changed its topics.
 *
 * @example
 * ```ts
 * const view: LocalClusterView = localClusterView(0, "ws://localhost:9092", registry);
 * ```
 */
export interface LocalClusterView extends ClusterView {
  /** Compares the registry with what listeners last heard and tells them the differences. */
  refresh(): void;
}

/**
 * Creates the view of a broker that runs alone.
 *
 * @example
 * ```ts
 * const view = localClusterView(config.brokerId, config.advertisedListeners[0]!.url, registry);
 * view.controllerId(); // config.brokerId
 * ```
 */
export function localClusterView(brokerId: number, url: string, topicRegistry: LocalTopicSource): LocalClusterView {
  const self: BrokerInfo = { id: brokerId, url };
  const listeners = new Set<(change: ClusterChange) => void>();
  const stateOf = (topic: string, partition: number): PartitionState => ({
    topic,
    partition,
    replicas: [brokerId],
    leader: brokerId,
    leaderEpoch: 0,
    isr: [brokerId],
    version: 0,
  });
  const topicOf = (t: TopicDescription | ClusterTopic): ClusterTopic => ({
    name: t.name,
    partitions: t.partitions,
    replicationFactor: t.replicationFactor,
    configs: { ...t.configs },
  });
  const snapshot = (): Map<string, string> =>
    new Map(topicRegistry.list().map((t) => [t.name, JSON.stringify([t.partitions, t.replicationFactor, Object.entries(t.configs).sort()])]));
  let known = snapshot();

  function emit(change: ClusterChange): void {
    for (const listener of [...listeners]) {
      try {
        listener(change);
      } catch {
        // One failing listener must not keep the others from hearing the change.
      }
    }
  }

  function partitionState(topic: string, partition: number): PartitionState | undefined {
    const found = topicRegistry.get(topic);
    if (found === undefined || !Number.isInteger(partition) || partition < 0 || partition >= found.partitions) return undefined;
    return stateOf(topic, partition);
  }

  return {
    localBrokerId: brokerId,
    brokers: () => [{ ...self }],
    broker: (id) => (id === brokerId ? { ...self } : undefined),
    controllerId: () => brokerId,
    topics: () => topicRegistry.list().map(topicOf),
    partition: partitionState,
    partitions: () => topicRegistry.list().flatMap((t) => Array.from({ length: t.partitions }, (_, p) => stateOf(t.name, p))),
    onChange(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    async alterIsr(topic, partition, isr, expectedVersion, leaderEpoch) {
      const current = partitionState(topic, partition);
      checkAlterIsr(current, brokerId, topic, partition, isr, expectedVersion, leaderEpoch);
      return current!;
    },
    refresh() {
      const before = known;
      const after = snapshot();
      known = after;
      const changed = [...after].filter(([name, shape]) => before.get(name) !== shape).map(([name]) => name);
      const removed = [...before.keys()].filter((name) => !after.has(name));
      if (changed.length === 0 && removed.length === 0) return;
      emit({ type: "topics" });
      for (const name of changed) {
        const oldCount = before.has(name) ? (JSON.parse(before.get(name)!) as [number])[0] : 0;
        const newCount = (JSON.parse(after.get(name)!) as [number])[0];
        for (let p = oldCount; p < newCount; p++) emit({ type: "partition", state: stateOf(name, p) });
      }
    },
  };
}
