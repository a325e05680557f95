/**
 * A consumer in a consumer group (KIP-848, protocol §7.15–§7.17): its membership (join, heartbeats,
 * leave: `group-membership.ts`), the partitions it owns (`group-owned-partitions.ts`), the group
 * subscription it reads them through (`group-fetcher.ts`) and its commits (`group-commits.ts`).
 *
 * - Revocation: a partition taken away stops delivering at once; once the application has finished
 *   the records it was handed, the member commits their position (with `autoCommit`), calls
 *   `onPartitionsRevoked`, and only then acknowledges by leaving the partition out of
 *   `ownedPartitions` in an immediate heartbeat. So the next owner starts where this one stopped.
 * - Fencing: `FENCED_MEMBER_EPOCH`, `UNKNOWN_MEMBER_ID` (the broker removed the member, or forgot it
 *   in a restart) or an `assignment` push with epoch -1 lose every partition without a commit; the
 *   member rejoins with epoch 0 and the same member id. It remembers where it was in each lost
 *   partition, so when one comes back records it already delivered are not delivered again.
 * - Reconnects: the member heartbeats on the new connection at once (same id and epoch, when the
 *   broker still knows it) and subscribes again; each partition resumes from the committed offset,
 *   records already received being dropped.
 * - Clusters: group ops go to the group's coordinator, found by following `NOT_COORDINATOR`
 *   (`group-coordinator.ts`); moving to a new coordinator (its broker died) is handled as a
 *   reconnect — the new coordinator does not know the member, which rejoins with its member id.
 *   Partitions the coordinator does not lead are read from their leaders (`group-fetcher.ts`).
 * - `disconnect()` commits (with `autoCommit`) and leaves: epoch -1, or -2 for a static member
 *   (`groupInstanceId`), whose partitions then wait for it until its session times out.
 *
 * @example
 * ```ts
 * import { GroupConsumer } from "./group-consumer.ts";
 * const group = new GroupConsumer(options, host);
 * await group.subscribe({ topics: ["orders"], pattern: undefined, fromBeginning: true });
 * for (const p of group.partitions()) if (p.ready) handle(p.take(100));
 * await group.close();
 * ```
 * @module
 */
import { EdgelogError } from "../core/errors.ts";
import type { CreditAmount } from "../protocol/index.ts";
import type { BrokerPool } from "./broker-pool.ts";
import type { TopicPartition } from "./consumer-options.ts";
import type { EventListeners } from "./event-listeners.ts";
import { GroupCommits, type OffsetToCommit } from "./group-commits.ts";
import { CoordinatorLink } from "./group-coordinator.ts";
import { GroupFetcher } from "./group-fetcher.ts";
import { GroupMembership } from "./group-membership.ts";
import { type ConsumerEvents, groupOffsetReset, type ResolvedGroupOptions } from "./group-options.ts";
import { OwnedPartitions } from "./group-owned-partitions.ts";
import type { GroupPartition } from "./group-partition.ts";
import type { ResolvedRetry } from "./retry.ts";
import type { AutoOffsetReset, RetentionGap } from "./stream-host.ts";

/**
 * What a group consumer needs from its consumer.
 *
 * @example
 * ```ts
 * const host: GroupConsumerHost = { pool, window, retry, autoOffsetReset: undefined, onGap, readable: wake, isPaused: () => false, events };
 * ```
 */
export interface GroupConsumerHost {
  /** The consumer's broker connections: group ops go to the coordinator among them. */
  readonly pool: BrokerPool;
  /** The credit pool of the group subscription. */
  readonly window: CreditAmount;
  readonly retry: ResolvedRetry;
  /** The consumer's `autoOffsetReset` option, when given. */
  readonly autoOffsetReset: AutoOffsetReset | undefined;
  onGap(gap: RetentionGap): void;
  /** Records, a failure or a change of partitions may let a waiting delivery go on. */
  readable(): void;
  /** Whether the application paused this partition (a newly assigned one starts paused then). */
  isPaused(topic: string, partition: number): boolean;
  readonly events: EventListeners<ConsumerEvents>;
}

type State = "idle" | "active" | "failed" | "closed";

/**
 * See the module documentation.
 *
 * @example
 * ```ts
 * group.partitions().map((p) => p.position);
 * ```
 */
export class GroupConsumer {
  readonly #options: ResolvedGroupOptions;
  readonly #host: GroupConsumerHost;
  readonly #link: CoordinatorLink;
  readonly #unlisten: (() => void)[];
  readonly #membership: GroupMembership;
  readonly #owned: OwnedPartitions;
  readonly #fetcher: GroupFetcher;
  readonly #commits: GroupCommits;
  #state: State = "idle";
  #reset: AutoOffsetReset;
  #failure: EdgelogError | undefined;

  /**
   * A member of `options.groupId` that joins on {@link subscribe}.
   *
   * @example
   * ```ts
   * new GroupConsumer(resolveGroupOptions({ groupId: "g" })!, host);
   * ```
   */
  constructor(options: ResolvedGroupOptions, host: GroupConsumerHost) {
    this.#options = options;
    this.#host = host;
    this.#reset = groupOffsetReset(host.autoOffsetReset, undefined);
    const { pool, window, retry, events } = host;
    const groupId = options.groupId;
    const link = new CoordinatorLink(pool, groupId, retry);
    this.#link = link;
    this.#membership = new GroupMembership({
      connection: link,
      options,
      retry,
      events,
      owned: () => this.#owned.list(),
      assigned: (assignment) => {
        const added = this.#owned.apply(assignment);
        if (added.length > 0) void this.#commits.fetchCommitted(added, (gap) => host.onGap(gap));
      },
      lost: () => this.#owned.loseAll(),
      answered: async () => {
        if (this.#state === "active" && !this.#fetcher.active) await this.#fetcher.subscribe();
      },
      crash: (error) => this.#crash(error),
    });
    this.#owned = new OwnedPartitions({
      releaseCredit: (credit) => this.#fetcher.release(credit),
      readable: () => host.readable(),
      isPaused: (topic, partition) => host.isPaused(topic, partition),
      release: (partitions) => this.#release(partitions),
      acknowledged: () => void this.#membership.heartbeatNow(),
      changed: (change) => this.#changed(change),
    });
    this.#fetcher = new GroupFetcher({
      link,
      pool,
      groupId,
      window,
      retry,
      memberId: () => this.#membership.member()?.memberId,
      autoOffsetReset: () => this.#reset,
      partition: (topic, partition) => this.#owned.get(topic, partition),
      committed: (p) => this.#commits.committedOffset(p),
      onGap: (gap) => host.onGap(gap),
      lost: () => void this.#membership.heartbeatNow(),
      crash: (error) => this.#crash(error),
    });
    this.#commits = new GroupCommits({
      connection: link,
      groupId,
      member: () => this.#membership.member(),
      partition: (topic, partition) => this.#owned.find(topic, partition),
      committed: (offsets) => events.emit("commit", { groupId, offsets }),
    });
    this.#unlisten = [
      link.on("connect", ({ reconnected }) => this.connectionChanged(true, reconnected)),
      link.on("disconnect", () => this.connectionChanged(false, false)),
    ];
  }

  /**
   * The consumer's failure, once it crashed.
   *
   * @example
   * ```ts
   * if (group.failure) throw group.failure;
   * ```
   */
  get failure(): EdgelogError | undefined {
    return this.#failure;
  }

  /**
   * Whether `subscribe()` was called.
   *
   * @example
   * ```ts
   * if (group.subscribed) throw new TypeError("assign() or subscribe(), not both");
   * ```
   */
  get subscribed(): boolean {
    return this.#state !== "idle";
  }

  /**
   * Adds topics (and a pattern) to the subscription, joining the group the first time. Resolves once
   * the broker answered (and, on the first call, the group subscription is made); rejects with a
   * join error that retrying cannot fix (e.g. `INVALID_SESSION_TIMEOUT`, `UNSUPPORTED_ASSIGNOR`).
   *
   * @example
   * ```ts
   * await group.subscribe({ topics: ["orders"], pattern: undefined, fromBeginning: undefined });
   * ```
   */
  async subscribe(subscription: { topics: string[]; pattern: string | undefined; fromBeginning: boolean | undefined }): Promise<void> {
    if (this.#state === "closed") throw new EdgelogError("NETWORK_EXCEPTION", "The consumer is disconnected", { retriable: false });
    if (this.#failure !== undefined) throw this.#failure;
    const reset = subscription.fromBeginning === undefined ? this.#reset : groupOffsetReset(this.#host.autoOffsetReset, subscription.fromBeginning);
    const resetChanged = reset !== this.#reset && this.#state !== "idle"; // the first groupSubscribe uses it anyway
    this.#reset = reset;
    await this.#link.connect();
    if (this.#state === "idle") {
      this.#state = "active";
      if (this.#options.autoCommit) this.#commits.startAuto(this.#options.autoCommitIntervalMs, () => this.#owned.delivering());
    }
    await this.#membership.subscribe(subscription.topics, subscription.pattern);
    if (resetChanged && this.#fetcher.active) await this.#restartStreams([]);
    if (this.#failure !== undefined) throw this.#failure;
  }

  /**
   * The partitions delivering now.
   *
   * @example
   * ```ts
   * for (const p of group.partitions()) console.log(p.topic, p.partition, p.position);
   * ```
   */
  partitions(): GroupPartition[] {
    return this.#owned.delivering();
  }

  /**
   * The partition owned now, if it is.
   *
   * @example
   * ```ts
   * group.partition("orders", 0)?.position;
   * ```
   */
  partition(topic: string, partition: number): GroupPartition | undefined {
    return this.#owned.get(topic, partition);
  }

  /**
   * Moves an owned partition to `offset`: commits it (a group subscription starts each partition at
   * the group's committed offset) and starts the group subscription again.
   *
   * @example
   * ```ts
   * await group.seek("orders", 0, 0);
   * ```
   */
  async seek(topic: string, partition: number, offset: number): Promise<void> {
    const p = this.#owned.get(topic, partition);
    if (p === undefined) throw new TypeError(`seek(): ${topic}-${partition} is not assigned to this member`);
    p.seek(offset);
    await this.#restartStreams([{ topic, partition, offset }]);
  }

  /**
   * Resumes partitions; when one dropped records while paused, the group subscription starts again
   * so that they come once more.
   *
   * @example
   * ```ts
   * await group.resume(group.partitions());
   * ```
   */
  async resume(partitions: GroupPartition[]): Promise<void> {
    let missed = false;
    for (const p of partitions) if (p.resume()) missed = true;
    if (missed) await this.#restartStreams([]);
  }

  /**
   * Commits offsets (the next offset to consume of each partition) as this member.
   *
   * @example
   * ```ts
   * await group.commitOffsets([{ topic: "orders", partition: 0, offset: 42 }]);
   * ```
   */
  commitOffsets(offsets: OffsetToCommit[]): Promise<void> {
    return this.#commits.commit(offsets);
  }

  /**
   * The coordinator's connection came up (`up`) or went down (or the member moved to another
   * coordinator): the group subscription ends with it, and the member heartbeats on a new
   * connection at once. The group consumer follows its coordinator link by itself.
   *
   * @example
   * ```ts
   * link.on("connect", ({ reconnected }) => group.connectionChanged(true, reconnected));
   * ```
   */
  connectionChanged(up: boolean, reconnected: boolean): void {
    if (!up) this.#fetcher.onDisconnected();
    this.#membership.connectionChanged(up, reconnected);
  }

  /**
   * Commits what was processed (with `autoCommit`) and leaves the group; the partitions are dropped.
   *
   * @example
   * ```ts
   * await group.close();
   * ```
   */
  async close(): Promise<void> {
    if (this.#state === "closed") return;
    const commit = this.#state === "active" && this.#options.autoCommit && this.#link.ready;
    this.#state = "closed";
    this.#commits.stopAuto();
    this.#membership.stop();
    if (commit) await this.#commits.commitProcessed(this.#owned.all()).catch(() => undefined);
    await this.#membership.leave();
    this.#owned.close();
    await this.#fetcher.stop().catch(() => undefined);
    for (const unlisten of this.#unlisten) unlisten();
    this.#link.close();
  }

  /** Revoked partitions whose records are done: commit them (with autoCommit) and tell the application. */
  async #release(partitions: GroupPartition[]): Promise<void> {
    if (this.#state !== "active") return;
    if (this.#options.autoCommit) await this.#commits.commitProcessed(partitions).catch(() => undefined);
    try {
      await this.#options.onPartitionsRevoked?.(partitions.map((p) => ({ topic: p.topic, partition: p.partition })));
    } catch {
      // the application's listener must not keep the partitions from being released
    }
  }

  #changed(change: { assigned: GroupPartition[]; revoked: GroupPartition[]; lost: GroupPartition[] }): void {
    this.#fetcher.dropClosed();
    const tp = (p: GroupPartition): TopicPartition => ({ topic: p.topic, partition: p.partition });
    const member = this.#membership.member();
    this.#host.events.emit("rebalance", {
      groupId: this.#options.groupId,
      memberId: member?.memberId ?? "",
      memberEpoch: member?.memberEpoch ?? 0,
      assigned: change.assigned.map(tp),
      revoked: change.revoked.map(tp),
      lost: change.lost.map(tp),
      assignment: this.#owned.latest.map(({ topic, partitions }) => ({ topic, partitions: [...partitions] })),
    });
    this.#host.readable();
  }

  /**
   * Starts the group subscription again (seek, resume after records were dropped, a new reset
   * policy). The broker starts each partition at the group's committed offset: the member first
   * commits `extra`, with `autoCommit` what was processed, and otherwise the position of partitions
   * without a committed offset, so that none of them starts past where the application is.
   */
  async #restartStreams(extra: OffsetToCommit[]): Promise<void> {
    await this.#fetcher.restart(async () => {
      const offsets = [...extra];
      for (const p of this.#owned.delivering()) {
        if (extra.some((o) => o.topic === p.topic && o.partition === p.partition)) continue;
        if (this.#options.autoCommit && p.processed !== undefined && p.processed !== p.committed) {
          offsets.push({ topic: p.topic, partition: p.partition, offset: p.processed });
        } else if ((p.committed === undefined || p.committed < 0) && p.position !== undefined) {
          offsets.push({ topic: p.topic, partition: p.partition, offset: p.position });
        }
      }
      await this.#commits.commit(offsets);
    });
  }

  #crash(error: EdgelogError): void {
    if (this.#state !== "active") return;
    this.#state = "failed";
    this.#failure = error;
    this.#membership.stop();
    this.#commits.stopAuto();
    this.#host.events.emit("crash", { error, groupId: this.#options.groupId });
    this.#host.readable();
  }
}
