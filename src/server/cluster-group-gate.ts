/**
 * Which broker of a cluster coordinates a consumer group: the leader of the group's
 * `__consumer_offsets` partition (`toPositive(groupId.hashCode()) % partitions`), as in Kafka. Every
 * broker runs a coordinator, but {@link ClusterGroupGate.wrap} lets it answer only for the groups it
 * coordinates:
 *
 * - a request naming a group whose partition another broker leads fails with NOT_COORDINATOR
 *   (`details.coordinator`: that broker's id, -1 while there is none);
 * - before `__consumer_offsets` exists the gate starts creating it and answers
 *   COORDINATOR_NOT_AVAILABLE (retriable: the next try finds the coordinator);
 * - `listGroups` lists only the groups this broker coordinates (Kafka's tools ask every broker).
 *
 * When the broker becomes the leader of an offsets partition it reads that partition again (the
 * commits other leaders wrote) before it answers for its groups (COORDINATOR_LOAD_IN_PROGRESS
 * meanwhile).
 *
 * @example
 * ```ts
 * const gate = new ClusterGroupGate({ cluster, partitions: () => 50, ensureTopic, logger });
 * const coordinator = gate.wrap(createGroupCoordinator(options));
 * const stop = gate.follow(coordinator);
 * await gate.scan(); // once the broker has joined
 * ```
 * @module
 */
import { EdgelogError } from "../core/errors.ts";
import type { GroupCoordinator } from "../core/group/group-coordinator.ts";
import { partitionForGroup } from "../core/group/partition-for-group.ts";
import { CONSUMER_OFFSETS_TOPIC } from "../core/topic/topic-name.ts";
import type { BrokerLogger } from "./broker-context.ts";
import type { ClusterNode } from "./cluster-node.ts";

/**
 * What a {@link ClusterGroupGate} needs.
 *
 * @example
 * ```ts
 * const options: ClusterGroupGateOptions = { cluster, partitions: () => 50, ensureTopic: () => store.ensureTopic(), logger };
 * ```
 */
export interface ClusterGroupGateOptions {
  cluster: Pick<ClusterNode, "view" | "replicas">;
  /** The partition count of `__consumer_offsets` the coordinator spreads groups over. */
  partitions: () => number;
  /** Creates `__consumer_offsets` when it does not exist. */
  ensureTopic: () => Promise<void>;
  logger: BrokerLogger;
}

/**
 * The gate; see the module documentation.
 *
 * @example
 * ```ts
 * gate.coordinates("billing"); // true on the leader of billing's offsets partition
 * ```
 */
export class ClusterGroupGate {
  private readonly loaded = new Set<number>();
  private readonly loading = new Map<number, Promise<void>>();
  private creating: Promise<void> | undefined;
  private coordinator: GroupCoordinator | undefined;
  private scanning: Promise<void> = Promise.resolve();

  constructor(private readonly options: ClusterGroupGateOptions) {}

  /** Whether this broker coordinates the group now (and has loaded its partition). */
  coordinates(groupId: string): boolean {
    const partition = partitionForGroup(groupId, this.options.partitions());
    return this.options.cluster.replicas.isLeader(CONSUMER_OFFSETS_TOPIC, partition) && this.loaded.has(partition);
  }

  /** Throws the error a request for the group gets on this broker, unless it coordinates the group. */
  check(groupId: string): void {
    if (typeof groupId !== "string") return; // the coordinator answers a malformed id
    const { view, replicas } = this.options.cluster;
    const partition = partitionForGroup(groupId, this.options.partitions());
    const state = view.partition(CONSUMER_OFFSETS_TOPIC, partition);
    if (state === undefined) {
      this.creating ??= this.options.ensureTopic().catch((error: unknown) => {
        this.options.logger("warn", `Cannot create ${CONSUMER_OFFSETS_TOPIC}: ${error instanceof Error ? error.message : String(error)}`);
      }).finally(() => {
        this.creating = undefined;
      });
      throw new EdgelogError("COORDINATOR_NOT_AVAILABLE", `The coordinator of group ${groupId} is not available yet: ${CONSUMER_OFFSETS_TOPIC} is being created`);
    }
    if (replicas.isLeader(CONSUMER_OFFSETS_TOPIC, partition)) {
      if (this.loaded.has(partition)) return;
      throw new EdgelogError("COORDINATOR_LOAD_IN_PROGRESS", `Broker ${view.localBrokerId} is loading ${CONSUMER_OFFSETS_TOPIC}-${partition}, the partition of group ${groupId}`);
    }
    if (state.leader < 0) {
      throw new EdgelogError("COORDINATOR_NOT_AVAILABLE", `The partition ${CONSUMER_OFFSETS_TOPIC}-${partition} of group ${groupId} has no leader`, {
        details: { coordinator: -1 },
      });
    }
    throw new EdgelogError(
      "NOT_COORDINATOR",
      `Broker ${view.localBrokerId} is not the coordinator of group ${groupId}: broker ${state.leader} is (the leader of ${CONSUMER_OFFSETS_TOPIC}-${partition})`,
      { details: { coordinator: state.leader } },
    );
  }

  /** The coordinator answering only for the groups this broker coordinates. */
  wrap(coordinator: GroupCoordinator): GroupCoordinator {
    const checkAll = (groupIds: readonly string[]): void => {
      if (Array.isArray(groupIds)) for (const groupId of groupIds) this.check(groupId);
    };
    return {
      ...coordinator,
      heartbeat: (request) => (this.check(request.groupId), coordinator.heartbeat(request)),
      leave: (request) => (this.check(request.groupId), coordinator.leave(request)),
      commitOffsets: async (request) => (this.check(request.groupId), coordinator.commitOffsets(request)),
      fetchOffsets: (groupId, partitions, member) => (this.check(groupId), coordinator.fetchOffsets(groupId, partitions, member)),
      listGroups: (filter) => coordinator.listGroups(filter).filter((g) => this.coordinates(g.groupId)),
      describeGroups: (groupIds) => (checkAll(groupIds), coordinator.describeGroups(groupIds)),
      deleteGroups: async (groupIds) => (checkAll(groupIds), coordinator.deleteGroups(groupIds)),
      resetOffsets: async (request) => (this.check(request.groupId), coordinator.resetOffsets(request)),
      describeLag: (groupId, logEnd) => (this.check(groupId), coordinator.describeLag(groupId, logEnd)),
    };
  }

  /**
   * Follows the cluster: after each change (once replication has acted on it) every offsets
   * partition this broker leads and has not loaded since it became leader is read again. Returns
   * the function that stops following.
   */
  follow(coordinator: GroupCoordinator): () => void {
    this.coordinator = coordinator;
    const stop = this.options.cluster.view.onChange((change) => {
      if (change.type === "brokers") return;
      if (change.type === "partition" && change.state.topic !== CONSUMER_OFFSETS_TOPIC) return;
      void this.scan();
    });
    void this.scan();
    return () => {
      this.coordinator = undefined;
      stop();
    };
  }

  /**
   * Looks at the offsets partitions now (the broker calls it once it has joined the cluster and taken
   * up its roles); resolves once the loads it started have finished.
   */
  scan(): Promise<void> {
    const { replicas } = this.options.cluster;
    this.scanning = this.scanning.then(async () => {
      await replicas.settled();
      const coordinator = this.coordinator;
      if (coordinator === undefined) return;
      const count = this.options.partitions();
      for (let partition = 0; partition < count; partition++) {
        if (!replicas.isLeader(CONSUMER_OFFSETS_TOPIC, partition)) {
          this.loaded.delete(partition);
          continue;
        }
        if (this.loaded.has(partition) || this.loading.has(partition)) continue;
        const load = coordinator
          .loadPartition(partition)
          .then(() => {
            if (!replicas.isLeader(CONSUMER_OFFSETS_TOPIC, partition)) return;
            this.loaded.add(partition);
            this.options.logger("info", `Coordinating the groups of ${CONSUMER_OFFSETS_TOPIC}-${partition}`);
          })
          .catch((error: unknown) => {
            this.options.logger("warn", `Loading ${CONSUMER_OFFSETS_TOPIC}-${partition} failed: ${error instanceof Error ? error.message : String(error)}`);
          })
          .finally(() => this.loading.delete(partition));
        this.loading.set(partition, load);
      }
      await Promise.all(this.loading.values());
    });
    return this.scanning;
  }
}
