/**
 * The consumer group coordinator, runtime-agnostic: membership and server-side assignment
 * (KIP-848, see `group-membership.ts`), committed offsets in `__consumer_offsets` (through an
 * {@link OffsetsStore}), and the admin side (list, describe, delete, reset offsets, lag).
 *
 * Reads and heartbeats are synchronous; everything that writes offsets is a promise that resolves
 * once the records are stored. Until {@link GroupCoordinator.load} has finished every call fails
 * with COORDINATOR_LOAD_IN_PROGRESS; after `close()` with COORDINATOR_NOT_AVAILABLE.
 *
 * @example
 * ```ts
 * const coordinator = createGroupCoordinator({ clock, offsetsLog: memoryOffsetsStore(), topics, config: { initialRebalanceDelayMs: 0 } });
 * await coordinator.load();
 * const { memberId, memberEpoch, assignment } = coordinator.heartbeat({ groupId: "g", memberEpoch: 0, clientId: "c", host: "/127.0.0.1", subscribedTopics: ["t"] });
 * await coordinator.commitOffsets({ groupId: "g", memberId, memberEpoch, offsets: [{ topic: "t", partition: 0, offset: 42 }] });
 * coordinator.fetchOffsets("g"); // [{ topic: "t", partition: 0, offset: 42, ... }]
 * ```
 * @module
 */
import { EdgelogError } from "../errors.ts";
import type { Clock, TimerHandle } from "../ports/clock.ts";
import { parseCommitRequest } from "./commit-request.ts";
import { CommittedOffsets } from "./committed-offsets.ts";
import { ConsumerGroup } from "./consumer-group.ts";
import { deadGroup, describeGroup } from "./describe-group.ts";
import type {
  CommitOffsetsRequest,
  DeleteGroupResult,
  FetchedOffset,
  GroupDescription,
  GroupListing,
  HeartbeatRequest,
  HeartbeatResponse,
  PartitionsQuery,
} from "./coordinator-types.ts";
import { LEAVE_GROUP_MEMBER_EPOCH, NO_OFFSET } from "./coordinator-types.ts";
import { type GroupCoordinatorConfig, resolveGroupCoordinatorConfig } from "./group-coordinator-config.ts";
import { GroupMembership } from "./group-membership.ts";
import type { GroupStateName } from "./group-state.ts";
import { type LagRow, lagRows } from "./lag.ts";
import type { OffsetsStore } from "./offsets-store.ts";
import { partitionForGroup } from "./partition-for-group.ts";
import { expiredOffsets } from "./offset-expiry.ts";
import { planOffsetReset, type ResetOffsetsRequest, type ResetOffsetsResult } from "./reset-offsets.ts";
import { requireInteger, requireString, validateGroupId } from "./request-validation.ts";
import { PatternCache, resolveSubscriptions, type TopicsView } from "./subscription.ts";
import { compareStrings, toTopicPartitions, type TopicPartitions } from "./topic-partitions.ts";

/**
 * What {@link createGroupCoordinator} needs.
 *
 * @example
 * ```ts
 * const options: GroupCoordinatorOptions = { clock: systemClock(), offsetsLog: partitionLogOffsetsStore(getLog), topics };
 * ```
 */
export interface GroupCoordinatorOptions {
  clock: Clock;
  /** The partitions of `__consumer_offsets`; as many as `config.offsetsTopicPartitions`. */
  offsetsLog: OffsetsStore;
  topics: TopicsView;
  config?: Partial<GroupCoordinatorConfig>;
  /** Called when the partitions a member owns change; with [] when it leaves or is removed. */
  onAssignmentChange?: (groupId: string, memberId: string, assignment: TopicPartitions[]) => void;
  /**
   * Reconcile every member against a new target at once instead of in its next heartbeat, so that
   * `onAssignmentChange` reports revocations and newly free partitions without delay, and also a
   * member epoch that moved alone (a broker that pushes assignments sets it). Default false.
   */
  reconcileEagerly?: boolean;
  /** Member ids for joins that bring none; default `<clientId>-<random UUID>` as Kafka makes them. */
  newMemberId?: (clientId: string) => string;
  logger?: (level: "info" | "warn", message: string) => void;
}

/**
 * A group's lag, as `kafka-consumer-groups --describe` shows it.
 *
 * @example
 * ```ts
 * const { state, rows } = coordinator.describeLag("g", (t, p) => logs.get(t, p).highWatermark);
 * ```
 */
export interface GroupLag {
  groupId: string;
  state: GroupStateName;
  rows: LagRow[];
}

/**
 * The coordinator's API.
 *
 * @example
 * ```ts
 * const groups: GroupListing[] = coordinator.listGroups();
 * ```
 */
export interface GroupCoordinator {
  /** ConsumerGroupHeartbeat: join (epoch 0), heartbeat, or leave (-1; static -2). */
  heartbeat(request: HeartbeatRequest): HeartbeatResponse;
  /** Leaves for good (a heartbeat with epoch -1). */
  leave(request: { groupId: string; memberId: string; instanceId?: string }): HeartbeatResponse;
  commitOffsets(request: CommitOffsetsRequest): Promise<void>;
  /**
   * Committed offsets (-1 when none) of the given partitions, or of every partition with one. With
   * `member`, a member's fetch: an unknown member is UNKNOWN_MEMBER_ID, another epoch FENCED_MEMBER_EPOCH.
   */
  fetchOffsets(groupId: string, partitions?: PartitionsQuery[], member?: { memberId: string; memberEpoch: number }): FetchedOffset[];
  listGroups(filter?: { states?: GroupStateName[] }): GroupListing[];
  describeGroups(groupIds: string[]): GroupDescription[];
  /** Deletes groups without members, with their offsets. */
  deleteGroups(groupIds: string[]): Promise<DeleteGroupResult[]>;
  resetOffsets(request: ResetOffsetsRequest): Promise<ResetOffsetsResult>;
  /** Lag per partition; `logEnd` gives the high watermark of a partition. GROUP_ID_NOT_FOUND for an unknown group. */
  describeLag(groupId: string, logEnd: (topic: string, partition: number) => number): GroupLag;
  /** Expires offsets past offsets.retention (runs every offsets.retention.check.interval.ms by itself); resolves with how many. */
  expireOffsets(): Promise<number>;
  /** The `__consumer_offsets` partition of a group. */
  partitionFor(groupId: string): number;
  /** Reads `__consumer_offsets` from the start; call once before anything else. */
  load(): Promise<void>;
  /**
   * Reads one partition of `__consumer_offsets` again, replacing the committed offsets of its groups
   * (a broker of a cluster that has just become the partition's leader); after `load()`.
   */
  loadPartition(partition: number): Promise<void>;
  /** Stops the timers and waits for writes in flight. */
  close(): Promise<void>;
}

/**
 * Creates a coordinator; call `load()` before using it.
 *
 * @example
 * ```ts
 * const coordinator = createGroupCoordinator({
 *   clock, offsetsLog: partitionLogOffsetsStore((p) => logs[p]!), topics: { partitionsOf, listTopics },
 *   onAssignmentChange: (groupId, memberId, assignment) => sessions.push(memberId, assignment),
 * });
 * await coordinator.load();
 * ```
 */
export function createGroupCoordinator(options: GroupCoordinatorOptions): GroupCoordinator {
  const { clock, topics } = options;
  const config = resolveGroupCoordinatorConfig(options.config);
  const log = options.logger ?? (() => {});
  const groups = new Map<string, ConsumerGroup>();
  const patterns = new PatternCache();
  const offsets = new CommittedOffsets(options.offsetsLog, config.offsetsTopicPartitions, clock);
  const onChange = options.onAssignmentChange;
  const membership = new GroupMembership({
    clock,
    config,
    topics,
    groups,
    patterns,
    newMemberId: options.newMemberId ?? ((clientId) => (clientId === "" ? crypto.randomUUID() : `${clientId}-${crypto.randomUUID()}`)),
    notify: onChange === undefined ? () => {} : onChange,
    reconcileEagerly: options.reconcileEagerly === true,
    log,
  });
  let status: "new" | "loading" | "ready" | "closed" = "new";
  let loading: Promise<void> | undefined;
  let expiryTimer: TimerHandle | undefined;
  let expiring: Promise<number> | undefined;

  const ready = (): void => {
    if (status === "ready") return;
    if (status === "closed") throw new EdgelogError("COORDINATOR_NOT_AVAILABLE", "The group coordinator is closed");
    throw new EdgelogError("COORDINATOR_LOAD_IN_PROGRESS", "The group coordinator is loading __consumer_offsets");
  };

  const scheduleExpiry = (): void => {
    expiryTimer = clock.setTimer(config.offsetsRetentionCheckIntervalMs, () => {
      expiryTimer = undefined;
      if (status !== "ready") return;
      coordinator.expireOffsets().catch((e: unknown) => log("warn", `Offset expiry failed: ${String(e)}`));
      scheduleExpiry();
    });
  };

  const partitionsOf = (topic: string): number => {
    const n = topics.partitionsOf(topic);
    if (n === undefined) throw new EdgelogError("UNKNOWN_TOPIC_OR_PARTITION", `Topic ${topic} does not exist`, { details: { topic } });
    return n;
  };

  /** The partitions a query names, each checked to exist; all committed ones of the group when there is no query. */
  const partitionsFor = (groupId: string, queries: PartitionsQuery[] | undefined): Array<[string, number]> => {
    if (queries === undefined) return offsets.list(groupId).map((o) => [o.topic, o.partition]);
    if (!Array.isArray(queries)) throw new EdgelogError("INVALID_REQUEST", "topics must be a list of { topic, partitions? }");
    const out: Array<[string, number]> = [];
    for (const q of queries) {
      requireString(q?.topic, "topic");
      const n = partitionsOf(q.topic);
      const list = q.partitions ?? Array.from({ length: n }, (_, i) => i);
      for (const p of list) {
        requireInteger(p, "partition", 0);
        if (p >= n) throw new EdgelogError("UNKNOWN_TOPIC_OR_PARTITION", `Partition ${q.topic}-${p} does not exist`, { details: { topic: q.topic, partition: p } });
        out.push([q.topic, p]);
      }
    }
    return out;
  };

  const checkMember = (groupId: string, memberId: string, epoch: number, classic: boolean): void => {
    const member = groups.get(groupId)?.members.get(memberId);
    if (member === undefined) throw new EdgelogError("UNKNOWN_MEMBER_ID", `Member ${memberId} is not a member of group ${groupId}.`);
    if (member.leftStatic || epoch !== member.memberEpoch) {
      const expected = member.leftStatic ? -2 : member.memberEpoch;
      if (classic) throw new EdgelogError("ILLEGAL_GENERATION", `The received generation id ${epoch} does not match the expected member epoch ${expected}.`);
      throw new EdgelogError("FENCED_MEMBER_EPOCH", `The received member epoch ${epoch} does not match the expected member epoch ${expected}.`);
    }
  };

  const getOrCreateGroup = (groupId: string): ConsumerGroup => {
    let group = groups.get(groupId);
    if (group === undefined) groups.set(groupId, (group = new ConsumerGroup(groupId)));
    return group;
  };

  const coordinator: GroupCoordinator = {
    heartbeat(request) {
      ready();
      return membership.heartbeat(request);
    },

    leave(request) {
      ready();
      return membership.heartbeat({ ...request, memberEpoch: LEAVE_GROUP_MEMBER_EPOCH, clientId: "", host: "" });
    },

    async commitOffsets(request) {
      ready();
      const commit = parseCommitRequest(request, { metadataMaxBytes: config.offsetMetadataMaxBytes, partitionsOf, now: clock.now() });
      const { groupId, memberId, epoch } = commit;
      const group = groups.get(groupId);
      if (memberId === "" && epoch < 0) {
        // A client outside group management (or an admin): only while the group has no members.
        if (group !== undefined && group.members.size > 0) {
          throw new EdgelogError("UNKNOWN_MEMBER_ID", `Group ${groupId} has members: a commit without a member id is only accepted while it is empty`);
        }
      } else {
        checkMember(groupId, memberId, epoch, commit.classic);
      }
      await offsets.write(groupId, commit.writes);
      getOrCreateGroup(groupId);
    },

    fetchOffsets(groupId, partitions, member) {
      ready();
      validateGroupId(groupId);
      if (member !== undefined) {
        requireString(member.memberId, "memberId");
        requireInteger(member.memberEpoch, "memberEpoch");
        checkMember(groupId, member.memberId, member.memberEpoch, false);
      }
      return partitionsFor(groupId, partitions).map(([topic, partition]) => {
        const c = offsets.get(groupId, topic, partition);
        return c === undefined
          ? { topic, partition, offset: NO_OFFSET, leaderEpoch: -1, metadata: "", commitTimestamp: -1 }
          : { topic, partition, offset: c.offset, leaderEpoch: c.leaderEpoch, metadata: c.metadata, commitTimestamp: c.commitTimestamp };
      });
    },

    listGroups(filter) {
      ready();
      const states = filter?.states === undefined ? undefined : new Set<string>(filter.states);
      return [...groups.values()]
        .map((g): GroupListing => ({ groupId: g.groupId, state: g.state(), protocolType: "consumer" }))
        .filter((g) => states === undefined || states.has(g.state))
        .sort((a, b) => compareStrings(a.groupId, b.groupId));
    },

    describeGroups(groupIds) {
      ready();
      if (!Array.isArray(groupIds)) throw new EdgelogError("INVALID_REQUEST", "describeGroups() needs a list of group ids");
      return groupIds.map((groupId) => {
        const group = typeof groupId === "string" ? groups.get(groupId) : undefined;
        return group === undefined ? deadGroup(String(groupId)) : describeGroup(group);
      });
    },

    async deleteGroups(groupIds) {
      ready();
      if (!Array.isArray(groupIds)) throw new EdgelogError("INVALID_REQUEST", "deleteGroups() needs a list of group ids");
      const results: DeleteGroupResult[] = [];
      for (const groupId of groupIds) {
        try {
          validateGroupId(groupId);
          const group = groups.get(groupId);
          if (group === undefined) throw new EdgelogError("GROUP_ID_NOT_FOUND", `Group ${groupId} does not exist.`);
          if (group.members.size > 0) throw new EdgelogError("NON_EMPTY_GROUP", `Group ${groupId} is not empty: it is ${group.state()} with ${group.members.size} member(s).`);
          await offsets.write(groupId, offsets.list(groupId).map((o) => ({ topic: o.topic, partition: o.partition, value: null })));
          // A member may have joined while the tombstones were written: the group then lives on, without offsets.
          if (groups.get(groupId) === group && group.members.size === 0) groups.delete(groupId);
          results.push({ groupId });
        } catch (e) {
          if (!(e instanceof EdgelogError)) throw e;
          results.push({ groupId: String(groupId), error: e.code, message: e.message });
        }
      }
      return results;
    },

    async resetOffsets(request) {
      ready();
      if (request === null || typeof request !== "object") throw new EdgelogError("INVALID_REQUEST", "resetOffsets() needs a request object");
      const { groupId } = request;
      validateGroupId(groupId);
      const inactiveOrThrow = (): void => {
        const group = groups.get(groupId);
        const state = group?.state() ?? "Dead";
        if (!request.force && group !== undefined && group.members.size > 0) {
          throw new EdgelogError("NON_EMPTY_GROUP", `Assignments can only be reset if the group '${groupId}' is inactive, but the current state is ${state}.`, {
            details: { groupId, state },
          });
        }
      };
      inactiveOrThrow();
      const plan = await planOffsetReset({
        partitions: partitionsFor(groupId, request.topics),
        committed: (topic, partition) => offsets.get(groupId, topic, partition)?.offset,
        spec: request.spec,
        logOffsets: request.logOffsets,
        now: clock.now(),
      });
      if (request.execute !== true) return { groupId, executed: false, partitions: plan };
      ready();
      inactiveOrThrow();
      const now = clock.now();
      await offsets.write(groupId, plan.map((p) => ({ topic: p.topic, partition: p.partition, value: { offset: p.newOffset, leaderEpoch: -1, metadata: "", commitTimestamp: now } })));
      getOrCreateGroup(groupId);
      return { groupId, executed: true, partitions: plan };
    },

    describeLag(groupId, logEnd) {
      ready();
      validateGroupId(groupId);
      const group = groups.get(groupId);
      if (group === undefined) throw new EdgelogError("GROUP_ID_NOT_FOUND", `Consumer group '${groupId}' does not exist.`);
      const members = [...group.members.values()].map((m) => ({ memberId: m.memberId, host: m.host, clientId: m.clientId, assignment: toTopicPartitions(m.assigned) }));
      const committed = offsets.list(groupId).map((o) => ({ topic: o.topic, partition: o.partition, offset: o.value.offset }));
      return { groupId, state: group.state(), rows: lagRows(members, committed, logEnd) };
    },

    expireOffsets() {
      ready();
      expiring ??= expire().finally(() => {
        expiring = undefined;
      });
      return expiring;
    },

    partitionFor(groupId) {
      validateGroupId(groupId);
      return partitionForGroup(groupId, config.offsetsTopicPartitions);
    },

    load() {
      if (status === "closed") return Promise.reject(new EdgelogError("COORDINATOR_NOT_AVAILABLE", "The group coordinator is closed"));
      loading ??= (async () => {
        status = "loading";
        try {
          await offsets.load();
        } catch (e) {
          status = "new";
          loading = undefined;
          throw e;
        }
        for (const groupId of offsets.groups()) getOrCreateGroup(groupId);
        status = "ready";
        scheduleExpiry();
      })();
      return loading;
    },

    async loadPartition(partition) {
      ready();
      await offsets.reload(partition);
      for (const groupId of offsets.groups()) getOrCreateGroup(groupId);
    },

    async close() {
      if (status === "closed") return;
      status = "closed";
      membership.close();
      if (expiryTimer !== undefined) clock.clearTimer(expiryTimer);
      expiryTimer = undefined;
      await offsets.idle();
    },
  };

  /** Writes tombstones for expired offsets (see `offset-expiry.ts`) and drops groups left with neither members nor offsets. */
  async function expire(): Promise<number> {
    let expired = 0;
    for (const groupId of offsets.groups()) {
      const group = groups.get(groupId);
      const hasMembers = group !== undefined && group.members.size > 0;
      const subscribedTopics = new Set<string>();
      if (hasMembers) for (const set of resolveSubscriptions(group.members.values(), topics, patterns).topicsByMember.values()) for (const t of set) subscribedTopics.add(t);
      const gone = expiredOffsets({
        offsets: offsets.list(groupId),
        hasMembers,
        emptySince: group?.emptySince,
        subscribedTopics,
        now: clock.now(),
        retentionMs: config.offsetsRetentionMs,
      });
      if (gone.length === 0) continue;
      await offsets.write(groupId, gone.map((p) => ({ ...p, value: null })));
      expired += gone.length;
      log("info", `Expired ${gone.length} offset(s) of group ${groupId}`);
    }
    for (const [groupId, group] of groups) {
      if (group.members.size === 0 && !offsets.hasGroup(groupId)) groups.delete(groupId);
    }
    return expired;
  }

  return coordinator;
}
