/**
 * The membership side of the coordinator: ConsumerGroupHeartbeat (join, heartbeat, leave) as in
 * KIP-848, session and rebalance timeouts on the clock's timers, the initial rebalance delay of a
 * new group, static membership, and the target assignment computed by the server-side assignor
 * every time the group epoch moves.
 *
 * Nothing here does I/O: group membership is kept in memory (see docs/differences.md).
 *
 * @example
 * ```ts
 * const membership = new GroupMembership({ clock, config, topics, groups, patterns: new PatternCache(), newMemberId, notify, log });
 * const { memberId, memberEpoch, assignment } = membership.heartbeat({ groupId: "g", memberEpoch: 0, clientId: "c", host: "h", subscribedTopics: ["t"] });
 * ```
 * @module
 */
import { EdgelogError } from "../errors.ts";
import type { Clock } from "../ports/clock.ts";
import { reconcile } from "./assignment-reconciler.ts";
import { ASSIGNORS, assignorByName, chooseAssignor } from "./assignors/index.ts";
import { ConsumerGroup } from "./consumer-group.ts";
import {
  type HeartbeatRequest,
  type HeartbeatResponse,
  LEAVE_GROUP_MEMBER_EPOCH,
  LEAVE_GROUP_STATIC_MEMBER_EPOCH,
} from "./coordinator-types.ts";
import type { GroupCoordinatorConfig } from "./group-coordinator-config.ts";
import { type GroupMember, newMember } from "./member.ts";
import {
  requireInteger,
  requireString,
  requireStringList,
  requireTopicPartitions,
  validateGroupId,
} from "./request-validation.ts";
import { type PatternCache, type ResolvedSubscriptions, resolveSubscriptions, type TopicsView } from "./subscription.ts";
import { compareStrings, isSubset, partitionCount, partitionSetOf, type PartitionSet, toTopicPartitions, type TopicPartitions } from "./topic-partitions.ts";

/**
 * What {@link GroupMembership} works with.
 *
 * @example
 * ```ts
 * const deps: MembershipDeps = { clock, config, topics, groups: new Map(), patterns: new PatternCache(), newMemberId: (c) => `${c}-1`, notify: () => {}, log: () => {} };
 * ```
 */
export interface MembershipDeps {
  clock: Clock;
  config: GroupCoordinatorConfig;
  topics: TopicsView;
  /** Every group the coordinator knows, shared with the offsets side. */
  groups: Map<string, ConsumerGroup>;
  patterns: PatternCache;
  newMemberId: (clientId: string) => string;
  /** Called when the partitions a member owns change (with [] when it is removed). */
  notify: (groupId: string, memberId: string, assignment: TopicPartitions[]) => void;
  /**
   * Whether every member is reconciled against a new target at once, without waiting for its own
   * heartbeat (revocations, partitions others released, and a new member epoch alone reach it
   * through `notify`); for brokers that push assignments. Default false: a member's assignment
   * changes only in its heartbeats.
   */
  reconcileEagerly?: boolean;
  log: (level: "info" | "warn", message: string) => void;
}

/**
 * Group membership and assignment.
 *
 * @example
 * ```ts
 * membership.heartbeat(request);
 * membership.close(); // clears every timer
 * ```
 */
export class GroupMembership {
  constructor(private readonly deps: MembershipDeps) {}

  /** One ConsumerGroupHeartbeat; see {@link HeartbeatRequest}. Errors are `EdgelogError`s. */
  heartbeat(req: HeartbeatRequest): HeartbeatResponse {
    if (req === null || typeof req !== "object") throw new EdgelogError("INVALID_REQUEST", "A heartbeat needs a request object");
    validateGroupId(req.groupId);
    requireInteger(req.memberEpoch, "memberEpoch");
    if (req.memberId !== undefined) requireString(req.memberId, "memberId");
    if (req.instanceId !== undefined) {
      requireString(req.instanceId, "instanceId");
      if (req.instanceId === "") throw new EdgelogError("INVALID_REQUEST", "InstanceId can't be empty.");
    }
    if (req.memberEpoch === LEAVE_GROUP_MEMBER_EPOCH || req.memberEpoch === LEAVE_GROUP_STATIC_MEMBER_EPOCH) return this.leave(req);
    if (req.memberEpoch < 0) throw new EdgelogError("INVALID_REQUEST", `MemberEpoch ${req.memberEpoch} is invalid.`);
    requireString(req.clientId, "clientId");
    requireString(req.host, "host");
    if (req.subscribedTopics !== undefined) requireStringList(req.subscribedTopics, "subscribedTopics");
    if (req.subscribedPattern !== undefined) {
      requireString(req.subscribedPattern, "subscribedPattern");
      this.deps.patterns.get(req.subscribedPattern);
    }
    if (req.ownedPartitions !== undefined) requireTopicPartitions(req.ownedPartitions, "ownedPartitions");
    if (req.assignor !== undefined && (typeof req.assignor !== "string" || assignorByName(req.assignor) === undefined)) {
      throw new EdgelogError(
        "UNSUPPORTED_ASSIGNOR",
        `ServerAssignor ${String(req.assignor)} is not supported. Supported assignors: ${ASSIGNORS.map((a) => a.name).join(", ")}.`,
      );
    }
    if (req.rebalanceTimeoutMs !== undefined) requireInteger(req.rebalanceTimeoutMs, "rebalanceTimeoutMs", 1);
    if (req.sessionTimeoutMs !== undefined) this.checkSessionTimeout(req.sessionTimeoutMs);

    const joining = req.memberEpoch === 0;
    const { group, member, isNew } = joining ? this.join(req) : this.existing(req);
    let changed = isNew;
    member.clientId = req.clientId;
    member.host = req.host;
    if (req.rebalanceTimeoutMs !== undefined) member.rebalanceTimeoutMs = req.rebalanceTimeoutMs;
    if (req.sessionTimeoutMs !== undefined) member.sessionTimeoutMs = req.sessionTimeoutMs;
    if (req.subscribedTopics !== undefined || req.subscribedPattern !== undefined) {
      const topics = [...new Set(req.subscribedTopics ?? [])].sort(compareStrings);
      const pattern = req.subscribedPattern ?? null;
      if (topics.join("\n") !== member.subscribedTopics.join("\n") || pattern !== member.subscribedPattern) changed = true;
      member.subscribedTopics = topics;
      member.subscribedPattern = pattern;
    }
    if (req.assignor !== undefined) {
      const name = assignorByName(req.assignor)!.name;
      if (name !== member.assignor) changed = true;
      member.assignor = name;
    }
    this.updateGroup(group, changed);
    const owned = joining ? partitionSetOf(req.ownedPartitions ?? []) : req.ownedPartitions === undefined ? undefined : partitionSetOf(req.ownedPartitions);
    this.reconcileMember(group, member, owned);
    this.armTimers(group, member);
    this.reconcileOthers(group, member);
    return this.response(member);
  }

  /** Clears every timer; the groups stay as they are. */
  close(): void {
    for (const group of this.deps.groups.values()) {
      if (group.initialDelay !== undefined) this.deps.clock.clearTimer(group.initialDelay.timer);
      group.initialDelay = undefined;
      for (const member of group.members.values()) this.clearTimers(member);
    }
  }

  private response(member: GroupMember): HeartbeatResponse {
    return {
      memberId: member.memberId,
      memberEpoch: member.memberEpoch,
      heartbeatIntervalMs: this.deps.config.heartbeatIntervalMs,
      assignment: toTopicPartitions(member.assigned),
    };
  }

  private checkSessionTimeout(ms: unknown): void {
    const { minSessionTimeoutMs: min, maxSessionTimeoutMs: max } = this.deps.config;
    if (typeof ms !== "number" || !Number.isSafeInteger(ms) || ms < min || ms > max) {
      throw new EdgelogError("INVALID_SESSION_TIMEOUT", `The session timeout ${String(ms)} ms is not within [${min}, ${max}] (group.min/max.session.timeout.ms)`);
    }
  }

  /** A join (member epoch 0): a new member, a rejoin of a known one, or a static member coming back. */
  private join(req: HeartbeatRequest): { group: ConsumerGroup; member: GroupMember; isNew: boolean } {
    if (req.ownedPartitions !== undefined && req.ownedPartitions.some((tp) => tp.partitions.length > 0)) {
      throw new EdgelogError("INVALID_REQUEST", "TopicPartitions must be empty when (re-)joining.");
    }
    let group = this.deps.groups.get(req.groupId);
    const instanceId = req.instanceId ?? null;
    const staticId = instanceId === null ? undefined : group?.staticMembers.get(instanceId);
    if (group !== undefined && staticId !== undefined) {
      const old = group.members.get(staticId)!;
      if (req.memberId === staticId) {
        old.leftStatic = false;
        return { group, member: old, isNew: false };
      }
      const memberId = req.memberId ?? this.deps.newMemberId(req.clientId);
      if (group.members.has(memberId)) throw new EdgelogError("INVALID_REQUEST", `Member id ${memberId} is used by another member`);
      // A static member back within its session: it takes over the old member's partitions, no rebalance.
      const replacement = this.createMember(req, memberId);
      replacement.subscribedTopics = old.subscribedTopics;
      replacement.subscribedPattern = old.subscribedPattern;
      replacement.assignor = old.assignor;
      this.clearTimers(old);
      const had = partitionCount(old.assigned) > 0;
      group.replaceMember(old, replacement);
      if (had) this.notify(group, old.memberId, []);
      this.deps.log("info", `Static member ${instanceId} of group ${group.groupId} came back as ${replacement.memberId}, replacing ${old.memberId}`);
      return { group, member: replacement, isNew: false };
    }
    if (group !== undefined && req.memberId !== undefined) {
      const known = group.members.get(req.memberId);
      if (known !== undefined) {
        if (known.instanceId !== instanceId) {
          throw new EdgelogError("FENCED_INSTANCE_ID", `Member ${req.memberId} cannot rejoin with instance id ${String(instanceId)}: it joined as ${String(known.instanceId)}`);
        }
        return { group, member: known, isNew: false };
      }
    }
    if (req.subscribedTopics === undefined && req.subscribedPattern === undefined) {
      throw new EdgelogError("INVALID_REQUEST", "SubscribedTopicNames or SubscribedTopicRegex must be set in first request.");
    }
    if ((req.subscribedTopics ?? []).length === 0 && req.subscribedPattern === undefined) {
      throw new EdgelogError("INVALID_REQUEST", "SubscribedTopicNames must not be empty in first request.");
    }
    if (group === undefined) {
      group = new ConsumerGroup(req.groupId);
      this.deps.groups.set(req.groupId, group);
    }
    if (group.members.size >= this.deps.config.maxGroupSize) {
      throw new EdgelogError("GROUP_MAX_SIZE_REACHED", `The consumer group has reached its maximum number of members (${this.deps.config.maxGroupSize}).`);
    }
    const member = this.createMember(req, req.memberId ?? this.deps.newMemberId(req.clientId));
    if (group.members.has(member.memberId)) throw new EdgelogError("INVALID_REQUEST", `Member id ${member.memberId} is already in use`);
    const wasEmpty = group.members.size === 0;
    group.addMember(member);
    group.emptySince = undefined;
    if (wasEmpty) this.startInitialDelay(group, member);
    else this.extendInitialDelay(group);
    return { group, member, isNew: true };
  }

  /** A heartbeat of a known member (epoch > 0), fenced as Kafka fences it. */
  private existing(req: HeartbeatRequest): { group: ConsumerGroup; member: GroupMember; isNew: false } {
    if (req.memberId === undefined || req.memberId === "") throw new EdgelogError("INVALID_REQUEST", "MemberId can't be empty.");
    const group = this.deps.groups.get(req.groupId);
    if (req.instanceId !== undefined) {
      const staticId = group?.staticMembers.get(req.instanceId);
      if (staticId !== undefined && staticId !== req.memberId) {
        throw new EdgelogError("FENCED_INSTANCE_ID", `Static member ${req.memberId} with instance id ${req.instanceId} was fenced by member ${staticId}.`);
      }
    }
    const member = group?.members.get(req.memberId);
    if (group === undefined || member === undefined) {
      throw new EdgelogError("UNKNOWN_MEMBER_ID", `Member ${req.memberId} is not a member of group ${req.groupId}.`);
    }
    if (member.leftStatic) {
      throw new EdgelogError("FENCED_MEMBER_EPOCH", `Static member ${member.memberId} left the group; it must rejoin with member epoch 0.`);
    }
    const received = req.memberEpoch;
    if (received > member.memberEpoch) {
      throw new EdgelogError(
        "FENCED_MEMBER_EPOCH",
        `The consumer group member has a greater member epoch (${received}) than the one known by the group coordinator (${member.memberEpoch}). The member must abandon all its partitions and rejoin.`,
      );
    }
    if (received < member.memberEpoch) {
      // The response that bumped the epoch may have been lost: accept the previous epoch from a member that owns no more than it has.
      const lostResponse =
        received === member.previousMemberEpoch && req.ownedPartitions !== undefined && isSubset(partitionSetOf(req.ownedPartitions), member.assigned);
      if (!lostResponse) {
        throw new EdgelogError(
          "FENCED_MEMBER_EPOCH",
          `The consumer group member has a smaller member epoch (${received}) than the one known by the group coordinator (${member.memberEpoch}). The member must abandon all its partitions and rejoin.`,
        );
      }
    }
    return { group, member, isNew: false };
  }

  private createMember(req: HeartbeatRequest, memberId: string): GroupMember {
    return newMember({
      memberId,
      instanceId: req.instanceId ?? null,
      clientId: req.clientId,
      host: req.host,
      sessionTimeoutMs: req.sessionTimeoutMs ?? this.deps.config.sessionTimeoutMs,
      rebalanceTimeoutMs: req.rebalanceTimeoutMs ?? this.deps.config.rebalanceTimeoutMs,
    });
  }

  /** A leave: -1 removes the member, -2 keeps a static member's partitions until its session times out. */
  private leave(req: HeartbeatRequest): HeartbeatResponse {
    if (req.memberId === undefined || req.memberId === "") throw new EdgelogError("INVALID_REQUEST", "MemberId can't be empty.");
    const group = this.deps.groups.get(req.groupId);
    const unknown = (): EdgelogError => new EdgelogError("UNKNOWN_MEMBER_ID", `Member ${req.memberId} is not a member of group ${req.groupId}.`);
    if (req.instanceId === undefined) {
      if (req.memberEpoch === LEAVE_GROUP_STATIC_MEMBER_EPOCH) throw new EdgelogError("INVALID_REQUEST", "InstanceId can't be null.");
      const member = group?.members.get(req.memberId);
      if (group === undefined || member === undefined) throw unknown();
      this.removeMember(group, member, "left the group");
      return { memberId: member.memberId, memberEpoch: LEAVE_GROUP_MEMBER_EPOCH, heartbeatIntervalMs: 0, assignment: [] };
    }
    const staticId = group?.staticMembers.get(req.instanceId);
    if (group === undefined || staticId === undefined) throw new EdgelogError("UNKNOWN_MEMBER_ID", `Instance id ${req.instanceId} is unknown.`);
    if (staticId !== req.memberId) {
      throw new EdgelogError("FENCED_INSTANCE_ID", `Static member ${req.memberId} with instance id ${req.instanceId} was fenced by member ${staticId}.`);
    }
    const member = group.members.get(staticId)!;
    if (req.memberEpoch === LEAVE_GROUP_MEMBER_EPOCH) {
      this.removeMember(group, member, "left the group");
      return { memberId: member.memberId, memberEpoch: LEAVE_GROUP_MEMBER_EPOCH, heartbeatIntervalMs: 0, assignment: [] };
    }
    // Temporarily gone: what it was releasing counts as released; what it owns waits for it.
    group.applyAssignment(member, { ...member, pendingRevocation: new Map() });
    member.leftStatic = true;
    this.armTimers(group, member);
    this.reconcileOthers(group, member);
    this.deps.log("info", `Static member ${req.instanceId} (${member.memberId}) of group ${group.groupId} left for now`);
    return { memberId: member.memberId, memberEpoch: LEAVE_GROUP_STATIC_MEMBER_EPOCH, heartbeatIntervalMs: 0, assignment: [] };
  }

  /** Removes a member (leave, session or rebalance timeout) and rebalances what it held. */
  private removeMember(group: ConsumerGroup, member: GroupMember, why: string): void {
    this.clearTimers(member);
    const had = partitionCount(member.assigned) > 0;
    group.removeMember(member);
    this.deps.log("info", `Member ${member.memberId} of group ${group.groupId} ${why}`);
    if (had) this.notify(group, member.memberId, []);
    if (group.members.size === 0) {
      if (group.initialDelay !== undefined) this.deps.clock.clearTimer(group.initialDelay.timer);
      group.initialDelay = undefined;
      group.emptySince = this.deps.clock.now();
    }
    this.updateGroup(group, true);
    this.reconcileOthers(group, undefined);
  }

  /**
   * Bumps the group epoch when membership or subscriptions changed (or the subscribed topics did)
   * and computes the new target assignment, unless the initial delay holds it back.
   */
  private updateGroup(group: ConsumerGroup, changed: boolean): void {
    const resolved = resolveSubscriptions(group.members.values(), this.deps.topics, this.deps.patterns);
    if (resolved.signature !== group.subscriptionSignature) changed = true;
    if (!changed) return;
    group.groupEpoch++;
    group.subscriptionSignature = resolved.signature;
    if (group.initialDelay !== undefined || group.members.size === 0) {
      // Members reach this epoch with nothing; the first real assignment comes when the delay ends.
      group.setTarget(group.groupEpoch, new Map(), group.assignorName);
      return;
    }
    this.computeTarget(group, resolved);
  }

  private computeTarget(group: ConsumerGroup, resolved: ResolvedSubscriptions): void {
    const members = [...group.members.values()];
    const assignor = chooseAssignor(members.map((m) => m.assignor));
    const target = assignor.assign({
      members: members.map((m) => ({
        memberId: m.memberId,
        instanceId: m.instanceId,
        topics: resolved.topicsByMember.get(m.memberId) ?? new Set(),
        current: group.targetOf(m.memberId),
      })),
      partitionsPerTopic: resolved.partitionsPerTopic,
    });
    group.setTarget(group.groupEpoch, target, assignor.name);
  }

  private startInitialDelay(group: ConsumerGroup, first: GroupMember): void {
    const delay = this.deps.config.initialRebalanceDelayMs;
    if (delay <= 0) return;
    const now = this.deps.clock.monotonic();
    const lastDeadline = now + Math.max(delay, first.rebalanceTimeoutMs);
    group.initialDelay = { timer: this.delayTimer(group, delay), deadline: now + delay, lastDeadline };
  }

  /** Each member joining during the delay pushes it back by the delay, up to the first member's rebalance timeout. */
  private extendInitialDelay(group: ConsumerGroup): void {
    const pending = group.initialDelay;
    if (pending === undefined) return;
    const now = this.deps.clock.monotonic();
    const deadline = Math.min(now + this.deps.config.initialRebalanceDelayMs, pending.lastDeadline);
    if (deadline <= pending.deadline) return;
    this.deps.clock.clearTimer(pending.timer);
    group.initialDelay = { ...pending, timer: this.delayTimer(group, deadline - now), deadline };
  }

  private delayTimer(group: ConsumerGroup, ms: number) {
    return this.deps.clock.setTimer(ms, () => {
      if (this.deps.groups.get(group.groupId) !== group) return;
      group.initialDelay = undefined;
      if (group.members.size > 0) {
        this.updateGroup(group, true);
        this.reconcileOthers(group, undefined);
      }
    });
  }

  /** With `reconcileEagerly`: reconciles every member but `except` now, what they own being unknown until they heartbeat. */
  private reconcileOthers(group: ConsumerGroup, except: GroupMember | undefined): void {
    if (this.deps.reconcileEagerly !== true) return;
    for (const other of [...group.members.values()]) if (other !== except) this.reconcileMember(group, other, undefined);
  }

  private reconcileMember(group: ConsumerGroup, member: GroupMember, owned: PartitionSet | undefined): void {
    if (member.leftStatic) return;
    const next = reconcile(member, { epoch: group.targetEpoch, partitions: group.targetOf(member.memberId) }, owned, (topic, partition) => {
      const owner = group.ownerOf(topic, partition);
      return owner !== undefined && owner !== member.memberId;
    });
    if (next === member) return;
    // Eagerly reconciled members also hear of a new epoch alone, or their next heartbeat would be fenced.
    const epochMoved = this.deps.reconcileEagerly === true && next.memberEpoch !== member.memberEpoch;
    if (group.applyAssignment(member, next) || epochMoved) this.notify(group, member.memberId, toTopicPartitions(member.assigned));
  }

  /** (Re)starts the session timer and runs the rebalance timer while the member owes a revocation. */
  private armTimers(group: ConsumerGroup, member: GroupMember): void {
    const clock = this.deps.clock;
    if (member.sessionTimer !== undefined) clock.clearTimer(member.sessionTimer);
    member.sessionTimer = clock.setTimer(member.sessionTimeoutMs, () => {
      member.sessionTimer = undefined;
      if (group.members.get(member.memberId) === member) this.removeMember(group, member, `timed out: no heartbeat within ${member.sessionTimeoutMs} ms`);
    });
    if (member.state === "UNREVOKED_PARTITIONS" && !member.leftStatic) {
      member.rebalanceTimer ??= clock.setTimer(member.rebalanceTimeoutMs, () => {
        member.rebalanceTimer = undefined;
        if (group.members.get(member.memberId) === member && member.state === "UNREVOKED_PARTITIONS") {
          this.removeMember(group, member, `did not release its revoked partitions within ${member.rebalanceTimeoutMs} ms`);
        }
      });
    } else if (member.rebalanceTimer !== undefined) {
      clock.clearTimer(member.rebalanceTimer);
      member.rebalanceTimer = undefined;
    }
  }

  private clearTimers(member: GroupMember): void {
    if (member.sessionTimer !== undefined) this.deps.clock.clearTimer(member.sessionTimer);
    if (member.rebalanceTimer !== undefined) this.deps.clock.clearTimer(member.rebalanceTimer);
    member.sessionTimer = undefined;
    member.rebalanceTimer = undefined;
  }

  private notify(group: ConsumerGroup, memberId: string, assignment: TopicPartitions[]): void {
    try {
      this.deps.notify(group.groupId, memberId, assignment);
    } catch (cause) {
      this.deps.log("warn", `onAssignmentChange threw for member ${memberId} of group ${group.groupId}: ${String(cause)}`);
    }
  }
}
