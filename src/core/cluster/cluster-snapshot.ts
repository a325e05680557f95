/**
 * The cluster's metadata decoded from the entries under its root (see `cluster-keys.ts`): live
 * brokers, the controller, topics, partition states and running reassignments. The watched view
 * keeps one up to date; admin operations read a fresh one with {@link readClusterSnapshot}.
 *
 * A partition state is visible only while its topic exists with at least that many partitions:
 * states left behind by a topic deletion under way are "orphans" the controller removes.
 *
 * @example
 * ```ts
 * const { snapshot, revision } = await readClusterSnapshot(store, keys);
 * visiblePartition(snapshot, "orders", 0)?.leader;
 * liveBrokerIds(snapshot); // Set {1, 2, 3}
 * ```
 * @module
 */
import type { Coordination, CoordinationEntry } from "../ports/coordination.ts";
import type { ClusterKeys } from "./cluster-keys.ts";
import { silentLogger, type ClusterLogger } from "./cluster-logger.ts";
import {
  decodeBrokerRecord,
  decodeControllerRecord,
  decodePartitionRecord,
  decodeReassignmentRecord,
  decodeTopicRecord,
  type ReassignmentRecord,
  type TopicRecordValue,
} from "./cluster-records.ts";
import type { BrokerInfo, PartitionState } from "./cluster-view.ts";

/**
 * A topic as stored, with its name and the revision of its key.
 *
 * @example
 * ```ts
 * const t: StoredTopic = { name: "orders", version: 12, id, partitions: 1, replicationFactor: 1, configs: {}, assignment: [[1]] };
 * ```
 */
export interface StoredTopic extends TopicRecordValue {
  name: string;
  /** The modRevision of `topics/<name>`. */
  version: number;
}

/**
 * A running reassignment, with the revision of its key.
 *
 * @example
 * ```ts
 * const r: StoredReassignment = { topic: "orders", partition: 0, target: [2, 3], original: [1, 2], version: 40 };
 * ```
 */
export interface StoredReassignment extends ReassignmentRecord {
  topic: string;
  partition: number;
  /** The modRevision of `reassignments/<topic>/<p>`. */
  version: number;
}

/**
 * The controller as elected: its broker id and the createRevision of its election key (its epoch:
 * a later controller always has a higher one).
 *
 * @example
 * ```ts
 * const c: ControllerInfo = { brokerId: 2, epoch: 57 };
 * ```
 */
export interface ControllerInfo {
  brokerId: number;
  epoch: number;
}

/**
 * A live broker, with the createRevision of its registration key (new at each registration).
 *
 * @example
 * ```ts
 * const b: StoredBroker = { info: { id: 1, url: "ws://b1:9092" }, revision: 5 };
 * ```
 */
export interface StoredBroker {
  info: BrokerInfo;
  revision: number;
}

/**
 * The decoded metadata; maps keyed by broker id, topic name and {@link partitionId}.
 *
 * @example
 * ```ts
 * const snapshot = emptySnapshot();
 * snapshot.brokers.size; // 0
 * ```
 */
export interface ClusterSnapshot {
  brokers: Map<number, StoredBroker>;
  controller: ControllerInfo | undefined;
  topics: Map<string, StoredTopic>;
  partitions: Map<string, PartitionState>;
  reassignments: Map<string, StoredReassignment>;
}

/**
 * What an entry changed: the kind of metadata it holds.
 *
 * @example
 * ```ts
 * const kind: ClusterEntryKind = "partition";
 * ```
 */
export type ClusterEntryKind = "brokers" | "controller" | "topics" | "partition" | "reassignment";

/**
 * The map key of a partition.
 *
 * @example
 * ```ts
 * snapshot.partitions.get(partitionId("orders", 0));
 * ```
 */
export function partitionId(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`;
}

/**
 * Orders by topic name, then partition.
 *
 * @example
 * ```ts
 * states.sort(byTopicPartition);
 * ```
 */
export function byTopicPartition(a: { topic: string; partition: number }, b: { topic: string; partition: number }): number {
  return a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition;
}

/**
 * A copy of a partition state that the caller may change.
 *
 * @example
 * ```ts
 * return copyPartition(state);
 * ```
 */
export function copyPartition(s: PartitionState): PartitionState {
  return { ...s, replicas: [...s.replicas], isr: [...s.isr] };
}

/**
 * A snapshot of an empty cluster.
 *
 * @example
 * ```ts
 * const snapshot = emptySnapshot();
 * ```
 */
export function emptySnapshot(): ClusterSnapshot {
  return { brokers: new Map(), controller: undefined, topics: new Map(), partitions: new Map(), reassignments: new Map() };
}

/**
 * Applies one entry (or, for null, its deletion) to `snapshot`. Answers what kind of metadata it
 * was, or undefined for a key outside the layout and for a partition state older than the one held.
 * A malformed value is logged and counts as a deletion.
 *
 * @example
 * ```ts
 * for (const e of events) applyClusterEntry(snapshot, keys, e.key, e.type === "PUT" ? e.entry : null);
 * ```
 */
export function applyClusterEntry(
  snapshot: ClusterSnapshot,
  keys: ClusterKeys,
  key: string,
  entry: CoordinationEntry | null,
  logger: ClusterLogger = silentLogger,
): ClusterEntryKind | undefined {
  const parsed = keys.parse(key);
  if (parsed === undefined) return undefined;
  const decoded = <T>(decode: (text: string) => T | undefined): T | undefined => {
    if (entry === null) return undefined;
    const value = decode(entry.text);
    if (value === undefined) logger("warn", `Ignoring malformed cluster metadata at ${key}: ${entry.text.slice(0, 200)}`);
    return value;
  };
  switch (parsed.type) {
    case "broker": {
      const record = decoded(decodeBrokerRecord);
      if (record === undefined || record.id !== parsed.id) snapshot.brokers.delete(parsed.id);
      else snapshot.brokers.set(parsed.id, { info: { id: record.id, url: record.url }, revision: entry!.createRevision });
      return "brokers";
    }
    case "controller": {
      const record = decoded(decodeControllerRecord);
      snapshot.controller = record === undefined ? undefined : { brokerId: record.brokerId, epoch: entry!.createRevision };
      return "controller";
    }
    case "topic": {
      const record = decoded(decodeTopicRecord);
      if (record === undefined) snapshot.topics.delete(parsed.name);
      else snapshot.topics.set(parsed.name, { ...record, name: parsed.name, version: entry!.modRevision });
      return "topics";
    }
    case "partition": {
      const id = partitionId(parsed.topic, parsed.partition);
      const record = decoded(decodePartitionRecord);
      if (record === undefined) {
        snapshot.partitions.delete(id);
        return "topics";
      }
      const known = snapshot.partitions.get(id);
      if (known !== undefined && known.version >= entry!.modRevision) return undefined;
      snapshot.partitions.set(id, { topic: parsed.topic, partition: parsed.partition, ...record, version: entry!.modRevision });
      return "partition";
    }
    case "reassignment": {
      const id = partitionId(parsed.topic, parsed.partition);
      const record = decoded(decodeReassignmentRecord);
      if (record === undefined) snapshot.reassignments.delete(id);
      else snapshot.reassignments.set(id, { ...record, topic: parsed.topic, partition: parsed.partition, version: entry!.modRevision });
      return "reassignment";
    }
  }
}

/**
 * Decodes a snapshot from entries (a `getPrefix` of the root, or a watch resync).
 *
 * @example
 * ```ts
 * const snapshot = snapshotOf(keys, (await store.getPrefix(keys.root)).entries);
 * ```
 */
export function snapshotOf(keys: ClusterKeys, entries: readonly CoordinationEntry[], logger: ClusterLogger = silentLogger): ClusterSnapshot {
  const snapshot = emptySnapshot();
  for (const entry of entries) applyClusterEntry(snapshot, keys, entry.key, entry, logger);
  return snapshot;
}

/**
 * Reads the cluster's metadata as it is now.
 *
 * @example
 * ```ts
 * const { snapshot, revision } = await readClusterSnapshot(store, keys);
 * ```
 */
export async function readClusterSnapshot(
  store: Coordination,
  keys: ClusterKeys,
  logger: ClusterLogger = silentLogger,
): Promise<{ snapshot: ClusterSnapshot; revision: number }> {
  const { entries, revision } = await store.getPrefix(keys.root);
  return { snapshot: snapshotOf(keys, entries, logger), revision };
}

/**
 * Whether a partition state belongs to an existing topic and partition.
 *
 * @example
 * ```ts
 * [...snapshot.partitions.values()].filter((s) => isVisible(snapshot, s));
 * ```
 */
export function isVisible(snapshot: ClusterSnapshot, s: { topic: string; partition: number }): boolean {
  const topic = snapshot.topics.get(s.topic);
  return topic !== undefined && s.partition < topic.partitions;
}

/**
 * A partition's state when visible (not a copy).
 *
 * @example
 * ```ts
 * visiblePartition(snapshot, "orders", 0)?.isr;
 * ```
 */
export function visiblePartition(snapshot: ClusterSnapshot, topic: string, partition: number): PartitionState | undefined {
  const s = snapshot.partitions.get(partitionId(topic, partition));
  return s !== undefined && isVisible(snapshot, s) ? s : undefined;
}

/**
 * Every visible partition state, by topic and partition (copies).
 *
 * @example
 * ```ts
 * visiblePartitions(snapshot).filter((s) => s.leader === -1); // offline partitions
 * ```
 */
export function visiblePartitions(snapshot: ClusterSnapshot): PartitionState[] {
  return [...snapshot.partitions.values()].filter((s) => isVisible(snapshot, s)).map(copyPartition).sort(byTopicPartition);
}

/**
 * The ids of the live brokers.
 *
 * @example
 * ```ts
 * liveBrokerIds(snapshot).has(3);
 * ```
 */
export function liveBrokerIds(snapshot: ClusterSnapshot): Set<number> {
  return new Set(snapshot.brokers.keys());
}
