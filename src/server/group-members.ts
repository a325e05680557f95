/**
 * Which connection each consumer-group member heartbeats on, so that the broker can push it
 * what the coordinator decides between its heartbeats:
 *
 * - a member is linked to the session of its latest `groupHeartbeat` (a heartbeat from another
 *   connection moves it there and ends the group subscription left behind, with an error push);
 * - when the coordinator changes the assignment of a linked member outside that member's own
 *   heartbeat (another member joined or left, a session timed out), the broker stops the streams of
 *   revoked partitions, sends `{push: "assignment", …}`, then starts the streams of new ones;
 * - during a member's own heartbeat the reply carries the assignment: revoked streams stop before
 *   the reply and new ones start after it, with no push;
 * - a closed connection unlinks its members, but they stay in the group until their session
 *   times out (Kafka detects a dead client by its silence); an explicit leave unlinks at once.
 *
 * @example
 * ```ts
 * const members = new GroupMembers({ epochOf: (g, m) => epochs.get(`${g}/${m}`) ?? -1 });
 * const { response, afterReply } = members.heartbeat(session, "cbor", request.groupId, () => coordinator.heartbeat(request));
 * scope.afterReply(afterReply);
 * ```
 * @module
 */
import { EdgelogError } from "../core/errors.ts";
import type { HeartbeatResponse } from "../core/group/coordinator-types.ts";
import type { FrameFormat } from "../protocol/frame-codec.ts";
import { assignmentPush } from "../protocol/push.ts";
import type { WireTopicPartitions } from "../protocol/topic-partitions.ts";
import type { GroupSubscription } from "./group-subscription.ts";
import type { SessionScope } from "./session-scope.ts";

/**
 * A member's link to the connection it heartbeats on.
 *
 * @example
 * ```ts
 * const link: MemberLink | undefined = members.linkOn(session, "g", memberId);
 * ```
 */
export interface MemberLink {
  readonly groupId: string;
  readonly memberId: string;
  readonly session: SessionScope;
  /** The format of its latest heartbeat; assignment pushes use it. */
  format: FrameFormat;
  /** Its group subscription on that session, when it has one. */
  subscription: GroupSubscription | undefined;
}

/**
 * What {@link GroupMembers} needs.
 *
 * @example
 * ```ts
 * const options: GroupMembersOptions = { epochOf: (groupId, memberId) => -1 };
 * ```
 */
export interface GroupMembersOptions {
  /** A member's current epoch; -1 when it is not in the group. */
  epochOf: (groupId: string, memberId: string) => number;
}

type Change = [groupId: string, memberId: string, assignment: WireTopicPartitions[]];

/**
 * The links and the assignment pushes; see the module documentation.
 *
 * @example
 * ```ts
 * coordinatorOptions.onAssignmentChange = (groupId, memberId, assignment) => members.assignmentChanged(groupId, memberId, assignment);
 * ```
 */
export class GroupMembers {
  private readonly links = new Map<string, MemberLink>();
  private readonly bySession = new Map<SessionScope, Set<string>>();
  /** Changes reported during a heartbeat, dispatched once it has returned. */
  private pending: Change[] | undefined;

  constructor(private readonly options: GroupMembersOptions) {}

  /** Members linked now (for tests and diagnostics). */
  get linkCount(): number {
    return this.links.size;
  }

  /**
   * Runs one heartbeat `call` of `session` for group `groupId` (it must call the coordinator
   * synchronously), links the member to the session and applies the answered assignment to its
   * group subscription: revoked streams stop now, new ones start in the returned `afterReply`. A
   * leave (epoch -1 or -2 answered) unlinks the member and ends its group subscription silently.
   * Assignment changes of other members that the heartbeat caused are pushed once it has returned.
   */
  heartbeat(
    session: SessionScope,
    format: FrameFormat,
    groupId: string,
    call: () => HeartbeatResponse,
  ): { response: HeartbeatResponse; afterReply: () => void } {
    const changes: Change[] = [];
    const outer = this.pending;
    this.pending = changes;
    let response: HeartbeatResponse;
    try {
      response = call();
    } catch (error) {
      this.pending = outer;
      for (const change of changes) this.dispatch(...change);
      throw error;
    }
    this.pending = outer;
    const self = keyOf(groupId, response.memberId);
    for (const change of changes) if (keyOf(change[0], change[1]) !== self) this.dispatch(...change);
    return { response, afterReply: this.applyHeartbeat(session, format, groupId, response) };
  }

  /** The coordinator's onAssignmentChange: deferred during a heartbeat, dispatched at once otherwise. */
  assignmentChanged(groupId: string, memberId: string, assignment: WireTopicPartitions[]): void {
    if (this.pending !== undefined) this.pending.push([groupId, memberId, assignment]);
    else this.dispatch(groupId, memberId, assignment);
  }

  /**
   * The member's link when it heartbeats on `session`; UNKNOWN_MEMBER_ID otherwise.
   *
   * @example
   * ```ts
   * const link = members.linkOn(session, request.groupId, request.memberId);
   * ```
   */
  linkOn(session: SessionScope, groupId: string, memberId: string): MemberLink {
    const link = this.links.get(keyOf(groupId, memberId));
    if (link === undefined || link.session !== session || session.signal.aborted) {
      throw new EdgelogError("UNKNOWN_MEMBER_ID", `Member ${memberId} of group ${groupId} has not sent groupHeartbeat on this connection`);
    }
    return link;
  }

  /** Ends every group subscription and forgets every link (broker shutdown). */
  clear(): void {
    for (const link of [...this.links.values()]) {
      link.subscription?.stop();
      this.unlink(link);
    }
  }

  /** Links a heartbeat's member to its session, or unlinks it after a leave, and applies the answer. */
  private applyHeartbeat(session: SessionScope, format: FrameFormat, groupId: string, response: HeartbeatResponse): () => void {
    const key = keyOf(groupId, response.memberId);
    let link = this.links.get(key);
    if (response.memberEpoch < 0) {
      if (link !== undefined) {
        if (link.session === session) link.subscription?.stop();
        else link.subscription?.end(new EdgelogError("UNKNOWN_MEMBER_ID", `Member ${response.memberId} left group ${groupId}`));
        this.unlink(link);
      }
      return () => {};
    }
    if (link !== undefined && link.session !== session) {
      const moved = `Member ${response.memberId} of group ${groupId} now heartbeats on another connection`;
      link.subscription?.end(new EdgelogError("UNKNOWN_MEMBER_ID", moved));
      this.unlink(link);
      link = undefined;
    }
    link ??= this.link(session, groupId, response.memberId);
    link.format = format;
    const subscription = link.subscription;
    if (subscription === undefined) return () => {};
    subscription.revokeExcept(response.assignment);
    return () => subscription.assign(response.assignment);
  }

  private dispatch(groupId: string, memberId: string, assignment: WireTopicPartitions[]): void {
    const link = this.links.get(keyOf(groupId, memberId));
    if (link === undefined) return;
    if (link.session.signal.aborted) {
      this.unlink(link);
      return;
    }
    link.subscription?.revokeExcept(assignment);
    const memberEpoch = this.options.epochOf(groupId, memberId);
    link.session.send(assignmentPush({ groupId, memberId, memberEpoch, assignment }), link.format);
    link.subscription?.assign(assignment);
  }

  private link(session: SessionScope, groupId: string, memberId: string): MemberLink {
    const key = keyOf(groupId, memberId);
    const link: MemberLink = { groupId, memberId, session, format: "cbor", subscription: undefined };
    this.links.set(key, link);
    let keys = this.bySession.get(session);
    if (keys === undefined) {
      keys = new Set();
      this.bySession.set(session, keys);
      session.signal.addEventListener("abort", () => this.sessionEnded(session), { once: true });
    }
    keys.add(key);
    return link;
  }

  private unlink(link: MemberLink): void {
    const key = keyOf(link.groupId, link.memberId);
    if (this.links.get(key) === link) this.links.delete(key);
    this.bySession.get(link.session)?.delete(key);
  }

  private sessionEnded(session: SessionScope): void {
    const keys = this.bySession.get(session);
    this.bySession.delete(session);
    if (keys === undefined) return;
    for (const key of keys) {
      const link = this.links.get(key);
      if (link?.session === session) this.links.delete(key);
    }
  }
}

function keyOf(groupId: string, memberId: string): string {
  return `${groupId}\u0000${memberId}`;
}
