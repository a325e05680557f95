/**
 * A partition's leadership on this broker (Kafka's Partition as leader): it serves the followers'
 * fetches from its log up to the log end, tracks each follower's log end offset, moves the high
 * watermark to the smallest log end of the in-sync replicas (never backwards), takes followers out
 * of the ISR when they lag for longer than replica.lag.time.max.ms and back in once they reach the
 * high watermark — both through the cluster's compare-and-swap `alterIsr` — and answers acks=all
 * waits once the high watermark covers them.
 *
 * While an ISR change is in flight the high watermark and the acks=all check use the "maximal" ISR
 * (the committed one plus the proposed one), as Kafka does, so neither moves on a change not yet
 * committed.
 *
 * @example
 * ```ts
 * const leader = new LeaderState({ log, state, localBrokerId: 1, clock, config, alterIsr, currentState });
 * await leader.start();
 * const reply = await leader.handleFetch(request, signal); // from a follower
 * await leader.waitForHighWatermark(endOffset, 30_000);   // acks=all
 * leader.stop();
 * ```
 * @module
 */
import type { PartitionState } from "../cluster/cluster-view.ts";
import { EdgelogError } from "../errors.ts";
import type { PartitionLog } from "../log/partition-log.ts";
import type { Clock, TimerHandle } from "../ports/clock.ts";
import { AckWaiters } from "./ack-waiters.ts";
import { FollowerProgress } from "./follower-progress.ts";
import type { OffsetForLeaderEpochResponse, ReplicaFetchRequest, ReplicaFetchResponse } from "./replica-transport.ts";
import type { ReplicationConfig, ReplicationLogger } from "./replication-config.ts";

const FOREVER_MS = 0x7fff_ffff;

/**
 * What a {@link LeaderState} is built from.
 *
 * @example
 * ```ts
 * const options: LeaderStateOptions = { log, state, localBrokerId: 1, clock, config,
 *   alterIsr: (isr, version, epoch) => view.alterIsr("orders", 0, isr, version, epoch),
 *   currentState: () => view.partition("orders", 0) };
 * ```
 */
export interface LeaderStateOptions {
  log: PartitionLog;
  /** The partition's state naming this broker leader. */
  state: PartitionState;
  localBrokerId: number;
  clock: Clock;
  config: ReplicationConfig;
  /** The cluster's compare-and-swap ISR change. */
  alterIsr: (isr: number[], expectedVersion: number, leaderEpoch: number) => Promise<PartitionState>;
  /** The partition's state as the cluster view has it now (read again after a lost compare-and-swap). */
  currentState: () => PartitionState | undefined;
  logger?: ReplicationLogger;
}

/**
 * One partition led by this broker, at one leader epoch.
 *
 * @example
 * ```ts
 * leader.isr;          // committed in-sync replicas, leader included
 * leader.leaderEpoch;  // the epoch this leadership runs under
 * ```
 */
export class LeaderState {
  readonly log: PartitionLog;
  readonly leaderEpoch: number;
  /** The log end when this leadership began: followers must reach it to join the ISR. */
  readonly epochStartOffset: number;
  private readonly local: number;
  private readonly clock: Clock;
  private readonly config: ReplicationConfig;
  private readonly alter: LeaderStateOptions["alterIsr"];
  private readonly currentState: () => PartitionState | undefined;
  private readonly logger: ReplicationLogger;
  private readonly followers = new Map<number, FollowerProgress>();
  private readonly waiters: AckWaiters;
  private readonly stopping = new AbortController();
  private committedIsr: number[];
  private version: number;
  private proposed: number[] | undefined;
  private timer: TimerHandle | undefined;
  private running = false;
  /** Set while the broker shuts down: followers that can no longer fetch are not lagging. */
  private isrFrozen = false;

  constructor(options: LeaderStateOptions) {
    const { state } = options;
    if (state.leader !== options.localBrokerId) throw new RangeError(`Broker ${options.localBrokerId} is not the leader of ${state.topic}-${state.partition}`);
    this.log = options.log;
    this.leaderEpoch = state.leaderEpoch;
    this.epochStartOffset = options.log.logEndOffset;
    this.local = options.localBrokerId;
    this.clock = options.clock;
    this.config = options.config;
    this.alter = options.alterIsr;
    this.currentState = options.currentState;
    this.logger = options.logger ?? (() => {});
    this.committedIsr = [...state.isr];
    this.version = state.version;
    const now = this.clock.monotonic();
    for (const id of state.replicas) {
      if (id !== this.local) this.followers.set(id, new FollowerProgress(id, state.isr.includes(id) ? now : Number.NEGATIVE_INFINITY));
    }
    this.waiters = new AckWaiters(this.clock, (endOffset) => this.ackVerdict(endOffset));
  }

  /** `<topic>-<partition>`. */
  get name(): string {
    return `${this.log.topic}-${this.log.partition}`;
  }

  /** The committed in-sync replicas, the leader included. */
  get isr(): readonly number[] {
    return this.committedIsr;
  }

  /** The committed ISR plus the members of an ISR change in flight. */
  get maximalIsr(): readonly number[] {
    if (this.proposed === undefined) return this.committedIsr;
    return [...new Set([...this.committedIsr, ...this.proposed])];
  }

  /** Whether the leadership is running (started and not stopped). */
  get active(): boolean {
    return this.running;
  }

  /** A follower's progress (for metrics and tests), or undefined for a broker that is no replica. */
  follower(brokerId: number): FollowerProgress | undefined {
    return this.followers.get(brokerId);
  }

  /**
   * Records the epoch's start offset in the leader epoch cache (as Kafka does on becoming leader),
   * starts the periodic ISR check (every replica.lag.time.max.ms / 2) and the watch that moves the
   * high watermark after the leader's own appends.
   */
  async start(): Promise<void> {
    if (this.running || this.stopping.signal.aborted) return;
    this.running = true;
    // First, as Kafka's makeLeader does under the partition's lock: a leader that restarted with a
    // stale high watermark never shows it while the epoch cache is written (an ISR of itself alone
    // commits its whole log at once).
    this.maybeIncrementHighWatermark();
    const epochs = this.log.leaderEpochCache;
    if (epochs.assign(this.leaderEpoch, this.log.logEndOffset)) await epochs.persist();
    if (this.stopping.signal.aborted) return;
    this.scheduleIsrCheck();
    void this.watchAppends();
  }

  /** Ends the leadership: acks=all waits fail with NOT_LEADER_OR_FOLLOWER, long polls end. */
  stop(): void {
    if (this.stopping.signal.aborted) return;
    this.running = false;
    this.stopping.abort();
    if (this.timer !== undefined) this.clock.clearTimer(this.timer);
    this.timer = undefined;
    this.waiters.failAll(this.notLeader());
  }

  /**
   * Takes in a state the cluster view reports for this leadership (same leader and epoch): a newer
   * ISR (the controller's or this leader's own change) or replica set.
   */
  update(state: PartitionState): void {
    if (state.leader !== this.local || state.leaderEpoch !== this.leaderEpoch || state.version < this.version) return;
    this.committedIsr = [...state.isr];
    this.version = state.version;
    for (const id of state.replicas) {
      if (id !== this.local && !this.followers.has(id)) this.followers.set(id, new FollowerProgress(id, Number.NEGATIVE_INFINITY));
    }
    for (const id of [...this.followers.keys()]) if (!state.replicas.includes(id)) this.followers.delete(id);
    this.maybeIncrementHighWatermark();
  }

  /** Kafka's check of the requester's view of the leader epoch: older is fenced, newer unknown here. */
  checkLeaderEpoch(epoch: number): void {
    if (!this.running) throw this.notLeader();
    if (epoch < 0) return;
    if (epoch < this.leaderEpoch) {
      throw new EdgelogError("FENCED_LEADER_EPOCH", `The leader epoch ${epoch} in the request is older than the current epoch ${this.leaderEpoch} of ${this.name}`);
    }
    if (epoch > this.leaderEpoch) {
      throw new EdgelogError("UNKNOWN_LEADER_EPOCH", `The leader epoch ${epoch} in the request is newer than the current epoch ${this.leaderEpoch} of ${this.name}`);
    }
  }

  /** OffsetsForLeaderEpoch: the largest epoch ≤ `epoch` this log has and where it ends. */
  endOffsetForEpoch(epoch: number, currentLeaderEpoch: number): OffsetForLeaderEpochResponse {
    this.checkLeaderEpoch(currentLeaderEpoch);
    const found = this.log.leaderEpochCache.endOffsetFor(epoch, this.log.logEndOffset);
    return { leaderEpoch: found.epoch, endOffset: found.endOffset };
  }

  /**
   * Serves a follower's fetch: the epoch check, the divergence check against the follower's last
   * fetched epoch, the follower's progress (which may move the high watermark and the ISR), then
   * batches from the fetch offset up to the log end, long-polling up to `maxWaitMs` for new batches
   * or a higher high watermark.
   */
  async handleFetch(request: ReplicaFetchRequest, signal?: AbortSignal): Promise<ReplicaFetchResponse> {
    this.checkLeaderEpoch(request.leaderEpoch);
    const follower = this.followers.get(request.replicaId);
    if (follower === undefined) {
      throw new EdgelogError("NOT_LEADER_OR_FOLLOWER", `Broker ${request.replicaId} is not a replica of ${this.name}`, {
        details: { topic: this.log.topic, partition: this.log.partition },
      });
    }
    const log = this.log;
    if (request.lastFetchedEpoch >= 0) {
      const end = log.leaderEpochCache.endOffsetFor(request.lastFetchedEpoch, log.logEndOffset);
      if (end.epoch < request.lastFetchedEpoch || end.endOffset < request.fetchOffset) {
        return { ...this.positions(), batches: new Uint8Array(0), divergingEpoch: { epoch: end.epoch, endOffset: end.endOffset } };
      }
    }
    const leaderEnd = log.logEndOffset;
    if (request.fetchOffset < log.logStartOffset || request.fetchOffset > leaderEnd) {
      throw new EdgelogError("OFFSET_OUT_OF_RANGE", `Offset ${request.fetchOffset} of ${this.name} is outside [${log.logStartOffset}, ${leaderEnd}]`, {
        details: { logStartOffset: log.logStartOffset, logEndOffset: leaderEnd, highWatermark: log.highWatermark },
      });
    }
    follower.recordFetch(request.fetchOffset, leaderEnd, this.clock.monotonic());
    this.maybeExpandIsr(follower);
    this.maybeIncrementHighWatermark();
    const readUpTo = { maxBytes: request.maxBytes, maxOffset: Number.MAX_SAFE_INTEGER };
    let read = await log.read(request.fetchOffset, readUpTo);
    if (read.bytes.length === 0 && request.maxWaitMs > 0 && log.highWatermark <= follower.lastSentHighWatermark) {
      await this.waitForNews(request.fetchOffset, follower.lastSentHighWatermark, request.maxWaitMs, signal);
      this.checkLeaderEpoch(request.leaderEpoch);
      read = await log.read(request.fetchOffset, readUpTo);
    }
    const positions = this.positions();
    follower.lastSentHighWatermark = positions.highWatermark;
    return { ...positions, batches: read.bytes };
  }

  /**
   * acks=all: resolves once the high watermark is at or past `endOffset`; rejects with
   * NOT_ENOUGH_REPLICAS_AFTER_APPEND when it got there with fewer in-sync replicas than
   * min.insync.replicas, REQUEST_TIMED_OUT after `timeoutMs`, NOT_LEADER_OR_FOLLOWER when the
   * leadership ends first.
   */
  waitForHighWatermark(endOffset: number, timeoutMs: number, signal?: AbortSignal): Promise<void> {
    this.maybeIncrementHighWatermark();
    const waited = this.waiters.wait(endOffset, timeoutMs, signal, this.name);
    // A leader in shutdown answers what its followers have not confirmed with NOT_LEADER_OR_FOLLOWER
    // at once: its followers can no longer fetch, and the client retries on the next leader.
    if (this.isrFrozen) this.waiters.failAll(this.notLeader());
    return waited;
  }

  /** Kafka's maybeIncrementLeaderHW: the smallest log end of the (maximal) ISR, never lower than before. */
  maybeIncrementHighWatermark(): void {
    if (!this.running) return;
    const log = this.log;
    let hw = log.logEndOffset;
    for (const id of this.maximalIsr) {
      if (id === this.local) continue;
      const end = this.followers.get(id)?.logEndOffset ?? -1;
      if (end < hw) hw = end;
    }
    if (hw > log.highWatermark) log.setHighWatermark(hw);
    this.waiters.recheck();
  }

  /**
   * Kafka's maybeShrinkIsr, run on the clock: proposes the ISR without the followers that are
   * neither at the log end nor caught up within replica.lag.time.max.ms.
   */
  checkIsr(): void {
    if (!this.running || this.isrFrozen || this.proposed !== undefined) return;
    const now = this.clock.monotonic();
    const leaderEnd = this.log.logEndOffset;
    const lagging = this.committedIsr.filter((id) => {
      if (id === this.local) return false;
      const follower = this.followers.get(id);
      return follower === undefined || !follower.isCaughtUp(leaderEnd, now, this.config.replicaLagTimeMaxMs);
    });
    if (lagging.length > 0) {
      this.logger("info", `Shrinking the ISR of ${this.name} from [${this.committedIsr.join(",")}]: lagging [${lagging.join(",")}]`);
      this.propose(this.committedIsr.filter((id) => !lagging.includes(id)));
      return;
    }
    for (const follower of this.followers.values()) {
      this.maybeExpandIsr(follower);
      if (this.proposed !== undefined) return;
    }
  }

  /**
   * Stops shrinking the ISR, as a Kafka leader in controlled shutdown does: once the broker closes
   * its connections its followers cannot fetch, and shrinking the ISR to the leader alone would
   * leave no in-sync replica to take over.
   */
  freezeIsr(): void {
    this.isrFrozen = true;
    this.waiters.failAll(this.notLeader());
  }

  /** Kafka's maybeExpandIsr: a follower out of the ISR rejoins once it reached the high watermark and this epoch's start. */
  private maybeExpandIsr(follower: FollowerProgress): void {
    if (!this.running || this.proposed !== undefined || this.committedIsr.includes(follower.brokerId)) return;
    const end = follower.logEndOffset;
    if (end < this.log.highWatermark || end < this.epochStartOffset) return;
    this.logger("info", `Expanding the ISR of ${this.name} from [${this.committedIsr.join(",")}] to include ${follower.brokerId}`);
    this.propose([...this.committedIsr, follower.brokerId]);
  }

  /** Sends one ISR change; on a lost compare-and-swap takes in the current state and decides again. */
  private propose(isr: number[]): void {
    this.proposed = isr;
    const version = this.version;
    this.alter(isr, version, this.leaderEpoch).then(
      (state) => {
        this.proposed = undefined;
        this.update(state);
      },
      (error: unknown) => {
        this.proposed = undefined;
        const message = error instanceof Error ? error.message : String(error);
        this.logger("info", `The ISR change of ${this.name} to [${isr.join(",")}] failed: ${message}`);
        const current = this.currentState();
        if (current !== undefined) this.update(current);
        this.maybeIncrementHighWatermark();
        // Decide again at once only when the state moved; otherwise the next check or view change will.
        if (this.version !== version) this.checkIsr();
      },
    );
  }

  private ackVerdict(endOffset: number): boolean | EdgelogError {
    if (!this.running) return this.notLeader();
    if (this.log.highWatermark < endOffset) return false;
    const min = this.log.config.minInsyncReplicas;
    const isr = this.maximalIsr;
    if (isr.length < min) {
      return new EdgelogError(
        "NOT_ENOUGH_REPLICAS_AFTER_APPEND",
        `The size of the current ISR [${isr.join(", ")}] is insufficient to satisfy the min.isr requirement of ${min} for partition ${this.name}`,
      );
    }
    return true;
  }

  private positions(): Omit<ReplicaFetchResponse, "batches"> {
    const log = this.log;
    return { highWatermark: log.highWatermark, logStartOffset: log.logStartOffset, logEndOffset: log.logEndOffset };
  }

  /** Waits until the log end passes `offset` or the high watermark passes `knownHw`, at most `timeoutMs`. */
  private async waitForNews(offset: number, knownHw: number, timeoutMs: number, signal: AbortSignal | undefined): Promise<void> {
    const done = new AbortController();
    const end = (): void => done.abort();
    signal?.addEventListener("abort", end, { once: true });
    this.stopping.signal.addEventListener("abort", end, { once: true });
    try {
      if (signal?.aborted || this.stopping.signal.aborted) return;
      await Promise.race([
        this.log.waitForAppend(offset, timeoutMs, done.signal, "logEnd"),
        this.log.waitForAppend(knownHw, timeoutMs, done.signal, "highWatermark"),
      ]);
    } finally {
      done.abort();
      signal?.removeEventListener("abort", end);
      this.stopping.signal.removeEventListener("abort", end);
    }
  }

  /** Moves the high watermark after the leader's own appends (it follows them at once when the ISR is only the leader). */
  private async watchAppends(): Promise<void> {
    const signal = this.stopping.signal;
    while (this.running) {
      const started = this.clock.monotonic();
      const appended = await this.log.waitForAppend(this.log.logEndOffset, FOREVER_MS, signal, "logEnd");
      if (!this.running) return;
      if (appended) this.maybeIncrementHighWatermark();
      else if (this.clock.monotonic() - started < FOREVER_MS) return; // the log closed
    }
  }

  private scheduleIsrCheck(): void {
    const every = Math.max(1, Math.floor(this.config.replicaLagTimeMaxMs / 2));
    this.timer = this.clock.setTimer(every, () => {
      this.timer = undefined;
      if (!this.running) return;
      this.checkIsr();
      this.scheduleIsrCheck();
    });
  }

  private notLeader(): EdgelogError {
    return new EdgelogError("NOT_LEADER_OR_FOLLOWER", `This broker is no longer the leader of ${this.name} at epoch ${this.leaderEpoch}`, {
      details: { topic: this.log.topic, partition: this.log.partition },
    });
  }
}
