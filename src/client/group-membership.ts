/**
 * A consumer's membership of a group, over `groupHeartbeat` (KIP-848, protocol §7.15): the join
 * (epoch 0, with the subscription), heartbeats with the member's epoch and the partitions it owns,
 * the assignment each reply and each `assignment` push carries, and the leave.
 *
 * - Use the epoch of the latest reply or push; replies of heartbeats sent before a rejoin are
 *   ignored, and so are pushes while a join is out (its reply carries the truth).
 * - `FENCED_MEMBER_EPOCH`, `UNKNOWN_MEMBER_ID` (removed, or forgotten by a restarted broker) and a
 *   push with epoch -1 (its session timed out) lose every partition; the member joins again with
 *   epoch 0 and the same member id (a static member: the same `groupInstanceId`).
 * - Retriable failures are retried sooner than the interval; after a dropped connection the member
 *   heartbeats on the new one at once, which moves it there. Other failures crash the consumer.
 *
 * @example
 * ```ts
 * import { GroupMembership } from "./group-membership.ts";
 * const membership = new GroupMembership(host);
 * await membership.subscribe(["orders"], undefined);
 * await membership.leave();
 * ```
 * @module
 */
import { asEdgelogError, EdgelogError } from "../core/errors.ts";
import type { GroupHeartbeatResponse, WireTopicPartitions } from "../protocol/index.ts";
import type { Connection } from "./connection.ts";
import type { EventListeners } from "./event-listeners.ts";
import { HeartbeatTimer } from "./group-heartbeats.ts";
import type { ConsumerEvents, ResolvedGroupOptions } from "./group-options.ts";
import type { ResolvedRetry } from "./retry.ts";

/**
 * What membership needs from the group consumer.
 *
 * @example
 * ```ts
 * const host: GroupMembershipHost = { connection, options, retry, events, owned: () => owned.list(), assigned, lost, answered, crash };
 * ```
 */
export interface GroupMembershipHost {
  /** The connection to the group's coordinator (`group-coordinator.ts`). */
  readonly connection: Pick<Connection, "ready" | "request" | "on">;
  readonly options: ResolvedGroupOptions;
  readonly retry: ResolvedRetry;
  readonly events: EventListeners<ConsumerEvents>;
  /** What the member owns now (`ownedPartitions`). */
  owned(): WireTopicPartitions[];
  /** A reply or push carried the member's whole current assignment. */
  assigned(assignment: WireTopicPartitions[]): void;
  /** The member lost its partitions (fenced or removed): drop them without a commit. */
  lost(): void;
  /** A heartbeat was answered (its assignment applied). */
  answered(): Promise<void>;
  crash(error: EdgelogError): void;
}

const FENCED = new Set(["UNKNOWN_MEMBER_ID", "FENCED_MEMBER_EPOCH"]);
const TRANSIENT = new Set(["NETWORK_EXCEPTION", "BROKER_NOT_AVAILABLE"]);

/**
 * See the module documentation.
 *
 * @example
 * ```ts
 * membership.member(); // { memberId: "app-3f2…", memberEpoch: 4 }
 * ```
 */
export class GroupMembership {
  readonly #host: GroupMembershipHost;
  readonly #heartbeats: HeartbeatTimer;
  readonly #unlisten: () => void;
  #active = false;
  #topics: string[] = [];
  #pattern: string | undefined;
  #subscriptionChanged = false;
  #memberId: string | undefined;
  #epoch = 0;
  /** A join (epoch 0) is out. */
  #joining = false;
  /** Moves on at every rejoin: answers to older heartbeats are ignored. */
  #generation = 0;

  /**
   * Not a member until {@link subscribe}.
   *
   * @example
   * ```ts
   * new GroupMembership(host);
   * ```
   */
  constructor(host: GroupMembershipHost) {
    this.#host = host;
    const { connection, options, retry } = host;
    this.#heartbeats = new HeartbeatTimer({
      beat: () => this.#heartbeat(),
      canSchedule: () => this.#active && connection.ready,
      retry,
      intervalMs: options.heartbeatIntervalMs,
      sessionTimeoutMs: options.sessionTimeoutMs,
    });
    this.#unlisten = connection.on("push", (push) => this.#onPush(push));
  }

  /**
   * The member id and epoch while the member is in the group (undefined while it joins).
   *
   * @example
   * ```ts
   * const member = membership.member();
   * ```
   */
  member(): { memberId: string; memberEpoch: number } | undefined {
    return this.#memberId !== undefined && this.#epoch > 0 ? { memberId: this.#memberId, memberEpoch: this.#epoch } : undefined;
  }

  /**
   * Adds topics and a pattern to the subscription: the first call joins, later ones send the new
   * subscription. Resolves once that heartbeat was answered (or failed).
   *
   * @example
   * ```ts
   * await membership.subscribe(["orders"], "audit-.*");
   * ```
   */
  subscribe(topics: string[], pattern: string | undefined): Promise<void> {
    this.#topics = [...new Set([...this.#topics, ...topics])].sort();
    if (pattern !== undefined) this.#pattern = this.#pattern === undefined ? pattern : `${this.#pattern}|${pattern}`;
    if (this.#active) this.#subscriptionChanged = true;
    else this.#active = this.#joining = true;
    return this.#heartbeats.now();
  }

  /**
   * Heartbeats at once (a revocation was released, the group subscription must be made again).
   *
   * @example
   * ```ts
   * void membership.heartbeatNow();
   * ```
   */
  heartbeatNow(): Promise<void> {
    return this.#heartbeats.now();
  }

  /**
   * After a reconnect, heartbeats on the new connection at once; after a disconnect, waits for one.
   *
   * @example
   * ```ts
   * connection.on("connect", ({ reconnected }) => membership.connectionChanged(true, reconnected));
   * ```
   */
  connectionChanged(up: boolean, reconnected: boolean): void {
    if (!up) this.#heartbeats.stop();
    else if (reconnected && this.#active) void this.#heartbeats.now();
  }

  /**
   * Stops heartbeating (the broker removes the member after its session timeout).
   *
   * @example
   * ```ts
   * membership.stop();
   * ```
   */
  stop(): void {
    this.#active = false;
    this.#heartbeats.stop();
  }

  /**
   * Stops for good and leaves the group: epoch -1, or -2 for a static member (its partitions wait
   * for it).
   *
   * @example
   * ```ts
   * await membership.leave();
   * ```
   */
  async leave(): Promise<void> {
    const member = this.member();
    this.stop();
    this.#unlisten();
    if (member === undefined || !this.#host.connection.ready) return;
    const instanceId = this.#host.options.groupInstanceId;
    const body: Record<string, unknown> = { groupId: this.#host.options.groupId, memberId: member.memberId, memberEpoch: instanceId === undefined ? -1 : -2 };
    if (instanceId !== undefined) body["instanceId"] = instanceId;
    await this.#host.connection.request("groupHeartbeat", body).catch(() => undefined);
  }

  /** One heartbeat (a join at epoch 0); true when answered. */
  async #heartbeat(): Promise<boolean> {
    if (!this.#active) return true;
    const generation = this.#generation;
    const joining = this.#epoch === 0;
    const o = this.#host.options;
    const body: Record<string, unknown> = { groupId: o.groupId, memberEpoch: this.#epoch };
    if (this.#memberId !== undefined) body["memberId"] = this.#memberId;
    if (o.groupInstanceId !== undefined) body["instanceId"] = o.groupInstanceId;
    const withSubscription = joining || this.#subscriptionChanged;
    this.#subscriptionChanged = false;
    if (withSubscription) {
      body["subscribedTopics"] = this.#topics;
      if (this.#pattern !== undefined) body["subscribedPattern"] = this.#pattern;
    }
    if (joining) {
      if (o.assignor !== undefined) body["assignor"] = o.assignor;
      if (o.sessionTimeoutMs !== undefined) body["sessionTimeoutMs"] = o.sessionTimeoutMs;
      if (o.rebalanceTimeoutMs !== undefined) body["rebalanceTimeoutMs"] = o.rebalanceTimeoutMs;
    }
    body["ownedPartitions"] = joining ? [] : this.#host.owned();
    try {
      await this.#host.connection.request<GroupHeartbeatResponse>("groupHeartbeat", body, {
        onReply: (reply) => this.#onReply(generation, joining, reply),
      });
    } catch (error) {
      if (withSubscription && !joining) this.#subscriptionChanged = true;
      if (generation === this.#generation && this.#active) this.#onError(asEdgelogError(error));
      return false;
    }
    if (this.#active && generation === this.#generation) await this.#host.answered();
    return true;
  }

  #onReply(generation: number, joining: boolean, reply: GroupHeartbeatResponse): void {
    if (generation !== this.#generation || !this.#active) return;
    const { options, events } = this.#host;
    const groupId = options.groupId;
    this.#memberId = reply.memberId;
    this.#epoch = reply.memberEpoch;
    if (reply.heartbeatIntervalMs > 0) this.#heartbeats.brokerIntervalMs = reply.heartbeatIntervalMs;
    events.emit("heartbeat", { groupId, memberId: reply.memberId, memberEpoch: reply.memberEpoch });
    if (joining) {
      this.#joining = false;
      const assignment = reply.assignment.map(({ topic, partitions }) => ({ topic, partitions: [...partitions] }));
      events.emit("group.join", { groupId, memberId: reply.memberId, memberEpoch: reply.memberEpoch, assignment });
    }
    this.#host.assigned(reply.assignment);
  }

  #onError(error: EdgelogError): void {
    if (FENCED.has(error.code)) this.#rejoin();
    else if (!error.retriable && !TRANSIENT.has(error.code)) this.#host.crash(error);
    // else: retried sooner; after a dropped connection, its "connect" heartbeats at once
  }

  #onPush(push: { readonly push: string; readonly [field: string]: unknown }): void {
    if (push.push !== "assignment" || !this.#active || this.#joining) return;
    if (push["groupId"] !== this.#host.options.groupId || push["memberId"] !== this.#memberId) return;
    const epoch = push["memberEpoch"];
    const assignment = push["assignment"];
    if (typeof epoch !== "number" || !Array.isArray(assignment)) return;
    if (epoch < 0) {
      this.#rejoin(); // the broker removed the member (its session timed out)
      return;
    }
    this.#epoch = epoch;
    this.#host.assigned(assignment as WireTopicPartitions[]);
  }

  /** Loses every partition and joins again with epoch 0 and the same member id. */
  #rejoin(): void {
    this.#host.lost();
    this.#epoch = 0;
    this.#joining = true;
    this.#generation++;
    void this.#heartbeats.now();
  }
}
