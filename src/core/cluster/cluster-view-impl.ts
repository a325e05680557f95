/**
 * The {@link ClusterView} every broker of a cluster keeps: it reads everything under the cluster's
 * root once, then follows a watch on it, so reads are local and synchronous. After a watch resync
 * (the store compacted revisions the watch missed) it replaces its state and tells listeners what
 * differs. {@link ClusterView.alterIsr} is a transaction comparing the partition's modRevision.
 *
 * Beyond the ClusterView contract the watched view answers what the controller and the admin
 * operations need: the topic records, the running reassignments, the controller's election entry,
 * the revision it reflects and {@link WatchedClusterView.waitForRevision}.
 *
 * @example
 * ```ts
 * const view = await watchClusterView({ store, keys: clusterKeys("dev"), localBrokerId: 1 });
 * view.partition("orders", 0)?.leader;
 * view.close();
 * ```
 * @module
 */
import { EdgelogError } from "../errors.ts";
import type { Coordination, CoordinationEntry, WatchEvent, WatchUpdate } from "../ports/coordination.ts";
import type { ClusterKeys } from "./cluster-keys.ts";
import { errorMessage, silentLogger, type ClusterLogger } from "./cluster-logger.ts";
import { encodePartitionRecord } from "./cluster-records.ts";
import {
  applyClusterEntry,
  byTopicPartition,
  copyPartition,
  emptySnapshot,
  isVisible,
  partitionId,
  snapshotOf,
  visiblePartition,
  visiblePartitions,
  type ClusterSnapshot,
  type ControllerInfo,
  type StoredReassignment,
  type StoredTopic,
} from "./cluster-snapshot.ts";
import { checkAlterIsr, staleVersion, type ClusterChange, type ClusterTopic, type ClusterView, type PartitionState } from "./cluster-view.ts";

/**
 * The watched view; see the module documentation.
 *
 * @example
 * ```ts
 * const { revision } = await store.put(keys.topic("t"), text);
 * await view.waitForRevision(revision);
 * view.topicRecord("t");
 * ```
 */
export interface WatchedClusterView extends ClusterView {
  readonly keys: ClusterKeys;
  /** The store revision the view reflects. */
  readonly revision: number;
  controller(): ControllerInfo | undefined;
  /** The createRevision of a live broker's registration key (it changes when the broker registers again). */
  brokerRevision(id: number): number | undefined;
  topicRecord(name: string): StoredTopic | undefined;
  /** Partition states of no existing topic or partition (a deletion under way), by topic and partition. */
  orphanPartitions(): PartitionState[];
  reassignment(topic: string, partition: number): StoredReassignment | undefined;
  reassignments(): StoredReassignment[];
  /**
   * Resolves once the view reflects `revision`, the revision of a write under the cluster's root (a
   * revision only keys elsewhere reached is never seen); rejects when the view is closed first.
   */
  waitForRevision(revision: number): Promise<void>;
  /** Stops the watch; listeners hear nothing more. */
  close(): void;
}

/**
 * Options for {@link watchClusterView}.
 *
 * @example
 * ```ts
 * await watchClusterView({ store, keys, localBrokerId: config.brokerId, logger });
 * ```
 */
export interface WatchClusterViewOptions {
  store: Coordination;
  keys: ClusterKeys;
  localBrokerId: number;
  logger?: ClusterLogger;
}

/**
 * Reads the cluster's metadata and starts following it. Rejects with COORDINATOR_NOT_AVAILABLE when
 * the store cannot be reached.
 *
 * @example
 * ```ts
 * const view = await watchClusterView({ store, keys: clusterKeys("dev"), localBrokerId: 1 });
 * const stop = view.onChange((c) => console.log(c.type));
 * ```
 */
export async function watchClusterView(options: WatchClusterViewOptions): Promise<WatchedClusterView> {
  const { store, keys, localBrokerId } = options;
  const logger = options.logger ?? silentLogger;
  const listeners = new Set<(change: ClusterChange) => void>();
  const waiters = new Set<{ revision: number; resolve: () => void; reject: (e: unknown) => void }>();
  let state: ClusterSnapshot = emptySnapshot();
  let revision = 0;
  let closed = false;

  function emit(changes: ClusterChange[]): void {
    for (const change of changes) {
      for (const listener of [...listeners]) {
        try {
          listener(change);
        } catch (error) {
          logger("error", `A cluster view listener failed: ${errorMessage(error)}`);
        }
      }
    }
  }

  function advance(to: number): void {
    if (to <= revision) return;
    revision = to;
    for (const waiter of [...waiters]) {
      if (waiter.revision > revision) continue;
      waiters.delete(waiter);
      waiter.resolve();
    }
  }

  function onEvents(events: WatchEvent[]): void {
    let brokers = false;
    let topics = false;
    const touched = new Set<string>();
    for (const event of events) {
      const kind = applyClusterEntry(state, keys, event.key, event.type === "PUT" ? event.entry : null, logger);
      if (kind === "brokers" || kind === "controller") brokers = true;
      else if (kind === "topics") topics = true;
      else if (kind === "partition") {
        const parsed = keys.parse(event.key) as { topic: string; partition: number };
        touched.add(partitionId(parsed.topic, parsed.partition));
      }
    }
    advance(events[events.length - 1]!.revision);
    const changes: ClusterChange[] = [];
    if (brokers) changes.push({ type: "brokers" });
    if (topics) changes.push({ type: "topics" });
    for (const id of touched) {
      const s = state.partitions.get(id);
      if (s !== undefined && isVisible(state, s)) changes.push({ type: "partition", state: copyPartition(s) });
    }
    emit(changes);
  }

  function load(entries: CoordinationEntry[], at: number): void {
    const before = state;
    const next = snapshotOf(keys, entries, logger);
    state = next;
    advance(at);
    const changes: ClusterChange[] = [];
    const brokerKey = (s: ClusterSnapshot): string =>
      JSON.stringify([[...s.brokers.values()].map((b) => [b.info.id, b.info.url, b.revision]).sort(), s.controller]);
    if (brokerKey(before) !== brokerKey(next)) changes.push({ type: "brokers" });
    const topicKey = (s: ClusterSnapshot): string => JSON.stringify([...s.topics.values()].map((t) => [t.name, t.version]).sort());
    if (topicKey(before) !== topicKey(next) || [...before.partitions.keys()].some((id) => !next.partitions.has(id))) {
      changes.push({ type: "topics" });
    }
    for (const [id, s] of next.partitions) {
      if (before.partitions.get(id)?.version !== s.version && isVisible(next, s)) changes.push({ type: "partition", state: copyPartition(s) });
    }
    emit(changes);
  }

  const initial = await store.getPrefix(keys.root);
  load(initial.entries, initial.revision);
  const watch = await store.watchPrefix(
    keys.root,
    { fromRevision: initial.revision + 1, onError: (error) => logger("warn", `Cluster metadata watch: ${errorMessage(error)}`) },
    (update: WatchUpdate) => {
      if (closed) return;
      if (update.type === "resync") {
        logger("warn", `Cluster metadata watch resynchronized at revision ${update.revision}`);
        load(update.entries, update.revision);
      } else if (update.events.length > 0) {
        onEvents(update.events);
      }
    },
  );

  const copyReassignment = (r: StoredReassignment): StoredReassignment => ({ ...r, target: [...r.target], original: [...r.original] });

  return {
    keys,
    localBrokerId,
    get revision() {
      return revision;
    },
    brokers: () => [...state.brokers.values()].map((b) => ({ ...b.info })).sort((a, b) => a.id - b.id),
    broker(id) {
      const found = state.brokers.get(id);
      return found === undefined ? undefined : { ...found.info };
    },
    brokerRevision: (id) => state.brokers.get(id)?.revision,
    controllerId: () => state.controller?.brokerId,
    controller: () => (state.controller === undefined ? undefined : { ...state.controller }),
    topics: (): ClusterTopic[] =>
      [...state.topics.values()]
        .map((t) => ({ name: t.name, partitions: t.partitions, replicationFactor: t.replicationFactor, configs: { ...t.configs } }))
        .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
    topicRecord(name) {
      const t = state.topics.get(name);
      return t === undefined ? undefined : { ...t, configs: { ...t.configs }, assignment: t.assignment.map((r) => [...r]) };
    },
    partition(topic, partition) {
      const s = visiblePartition(state, topic, partition);
      return s === undefined ? undefined : copyPartition(s);
    },
    partitions: () => visiblePartitions(state),
    orphanPartitions: () => [...state.partitions.values()].filter((s) => !isVisible(state, s)).map(copyPartition).sort(byTopicPartition),
    reassignment(topic, partition) {
      const r = state.reassignments.get(partitionId(topic, partition));
      return r === undefined ? undefined : copyReassignment(r);
    },
    reassignments: () => [...state.reassignments.values()].map(copyReassignment).sort(byTopicPartition),
    onChange(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },

    async alterIsr(topic, partition, isr, expectedVersion, leaderEpoch) {
      const current = visiblePartition(state, topic, partition);
      const next = checkAlterIsr(current, localBrokerId, topic, partition, isr, expectedVersion, leaderEpoch);
      const key = keys.partition(topic, partition);
      const record = { replicas: [...current!.replicas], leader: current!.leader, leaderEpoch: current!.leaderEpoch, isr: next };
      const result = await store.txn({
        compare: [{ key, target: "modRevision", op: "=", value: expectedVersion }],
        success: [{ type: "put", key, value: encodePartitionRecord(record) }],
        failure: [{ type: "get", key }],
      });
      if (!result.succeeded) {
        const read = result.results[0];
        const actual = read?.type === "get" ? read.entries[0]?.modRevision : undefined;
        throw staleVersion(topic, partition, expectedVersion, actual);
      }
      const updated: PartitionState = { topic, partition, ...record, version: result.revision };
      const id = partitionId(topic, partition);
      const known = state.partitions.get(id);
      if (!closed && (known === undefined || known.version < updated.version)) {
        state.partitions.set(id, updated);
        emit([{ type: "partition", state: copyPartition(updated) }]);
      }
      return copyPartition(updated);
    },

    waitForRevision(target) {
      if (target <= revision) return Promise.resolve();
      if (closed) return Promise.reject(viewClosed());
      return new Promise((resolve, reject) => waiters.add({ revision: target, resolve, reject }));
    },

    close() {
      if (closed) return;
      closed = true;
      watch.cancel();
      listeners.clear();
      for (const waiter of waiters) waiter.reject(viewClosed());
      waiters.clear();
    },
  };
}

function viewClosed(): EdgelogError {
  return new EdgelogError("COORDINATOR_NOT_AVAILABLE", "The cluster view is closed", { retriable: false });
}
