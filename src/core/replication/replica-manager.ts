/**
 * The replication of every partition this broker holds a replica of (Kafka's ReplicaManager): it
 * follows the {@link ClusterView} and makes each replica a leader (a {@link LeaderState} at the
 * controller's epoch, with the view's ISR) or a follower (a {@link PartitionFollower} fetching from
 * the leader), creating local logs through a callback. It serves the followers' requests
 * ({@link ReplicaFetchServer}) and answers the broker's acks=all questions: it has the methods of
 * the server's `ReplicaWaiter` (`replicas`, `inSyncReplicas`, `leaderEpoch`, `waitForReplicas`), plus
 * `isLeader`/`requireLeader` for the produce and fetch handlers.
 *
 * Role changes of one partition run one at a time, each against the view's latest state. The first
 * time a log gets a role its high watermark starts from `restoredHighWatermark` (Kafka's
 * replication-offset-checkpoint) or else from the log start: the log end of a log just opened may
 * hold records the other replicas lack.
 *
 * @example
 * ```ts
 * const replicas = new ReplicaManager({ view, clock, clientFactory, logFor: (t, p) => registry.openLog(t, p) });
 * await replicas.start();
 * if (!replicas.isLeader("orders", 0)) throw notLeader();
 * await replicas.waitForReplicas("orders", 0, info.lastOffset + 1, 30_000);
 * await replicas.close();
 * ```
 * @module
 */
import type { ClusterChange, ClusterView, PartitionState } from "../cluster/cluster-view.ts";
import { EdgelogError } from "../errors.ts";
import type { PartitionLog } from "../log/partition-log.ts";
import type { Clock } from "../ports/clock.ts";
import { FetchClientPool, type ClientLease } from "./fetch-client-pool.ts";
import { PartitionFollower } from "./follower.ts";
import { LeaderState } from "./leader-state.ts";
import type {
  OffsetForLeaderEpochRequest,
  OffsetForLeaderEpochResponse,
  ReplicaFetchClientFactory,
  ReplicaFetchRequest,
  ReplicaFetchResponse,
  ReplicaFetchServer,
} from "./replica-transport.ts";
import { replicationConfig, type ReplicationConfig, type ReplicationLogger } from "./replication-config.ts";
import { checkOffsetForLeaderEpochRequest, checkReplicaFetchRequest } from "./request-checks.ts";

/**
 * What a {@link ReplicaManager} needs.
 *
 * @example
 * ```ts
 * const options: ReplicaManagerOptions = { view, clock, clientFactory, logFor, config: { replicaLagTimeMaxMs: 10_000 } };
 * ```
 */
export interface ReplicaManagerOptions {
  view: ClusterView;
  clock: Clock;
  /** Makes the client of a leader broker (the broker-to-broker WebSocket in a server). */
  clientFactory: ReplicaFetchClientFactory;
  /** The local log of a replica, created (with the topic's config) when missing. */
  logFor: (topic: string, partition: number) => Promise<PartitionLog>;
  /** A high watermark saved before a restart, if any (replication-offset-checkpoint). */
  restoredHighWatermark?: (topic: string, partition: number) => number | undefined;
  config?: Partial<ReplicationConfig>;
  logger?: ReplicationLogger;
}

type Role =
  | { kind: "none" }
  | { kind: "leader"; leader: LeaderState }
  | { kind: "follower"; epoch: number; leaderId: number; url: string | undefined; follower?: PartitionFollower; lease?: ClientLease };

interface Slot {
  topic: string;
  partition: number;
  role: Role;
  queue: Promise<void>;
  queued: boolean;
  hwRestored: boolean;
}

/**
 * Leaders and followers of this broker's replicas.
 *
 * @example
 * ```ts
 * replicas.inSyncReplicas("orders", 0); // [1, 3]
 * replicas.leaderState("orders", 0)?.follower(3)?.logEndOffset;
 * ```
 */
export class ReplicaManager implements ReplicaFetchServer {
  readonly config: ReplicationConfig;
  private readonly view: ClusterView;
  private readonly clock: Clock;
  private readonly logFor: ReplicaManagerOptions["logFor"];
  private readonly restoredHw: NonNullable<ReplicaManagerOptions["restoredHighWatermark"]>;
  private readonly logger: ReplicationLogger;
  private readonly pool: FetchClientPool;
  private readonly slots = new Map<string, Slot>();
  private unsubscribe: (() => void) | undefined;
  private shuttingDown = false;
  private closed = false;

  constructor(options: ReplicaManagerOptions) {
    this.config = replicationConfig(options.config);
    this.view = options.view;
    this.clock = options.clock;
    this.logFor = options.logFor;
    this.restoredHw = options.restoredHighWatermark ?? (() => undefined);
    this.logger = options.logger ?? (() => {});
    this.pool = new FetchClientPool(options.clientFactory);
  }

  /** Subscribes to the view and takes up the role of every replica it assigns here; resolves once they are taken up. */
  async start(): Promise<void> {
    if (this.unsubscribe !== undefined || this.closed) return;
    this.unsubscribe = this.view.onChange((change) => this.onChange(change));
    for (const state of this.view.partitions()) this.enqueue(state.topic, state.partition);
    await this.settled();
  }

  /** Resolves once every role change queued so far (and any it queued) has run. */
  async settled(): Promise<void> {
    for (;;) {
      const queues = [...this.slots.values()].map((s) => s.queue);
      await Promise.all(queues);
      if ([...this.slots.values()].every((s, i) => s.queue === queues[i]) && queues.length === this.slots.size) return;
    }
  }

  /**
   * The first step of a broker's shutdown: the partitions it leads keep their ISR from now on
   * (see {@link LeaderState.freezeIsr}), so that a follower can take over cleanly.
   */
  beginShutdown(): void {
    this.shuttingDown = true;
    for (const slot of this.slots.values()) if (slot.role?.kind === "leader") slot.role.leader.freezeIsr();
  }

  /** Stops every leadership and fetcher and closes the clients; the logs stay open (their owner closes them). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.unsubscribe?.();
    for (const slot of this.slots.values()) this.enqueueSlot(slot);
    await this.settled();
    this.pool.closeAll();
  }

  /** Whether this broker leads the partition now (its leadership started and has not ended). */
  isLeader(topic: string, partition: number): boolean {
    return this.leaderState(topic, partition) !== undefined;
  }

  /** The running leadership of a partition, or undefined. */
  leaderState(topic: string, partition: number): LeaderState | undefined {
    const role = this.slots.get(key(topic, partition))?.role;
    return role?.kind === "leader" && role.leader.active ? role.leader : undefined;
  }

  /** The fetcher of a partition this broker follows, or undefined. */
  follower(topic: string, partition: number): PartitionFollower | undefined {
    const role = this.slots.get(key(topic, partition))?.role;
    return role?.kind === "follower" ? role.follower : undefined;
  }

  /**
   * The leadership of a partition, or NOT_LEADER_OR_FOLLOWER (UNKNOWN_TOPIC_OR_PARTITION when the
   * cluster does not know it): the check produce and consumer fetches make first.
   */
  requireLeader(topic: string, partition: number): LeaderState {
    const leader = this.leaderState(topic, partition);
    if (leader !== undefined) return leader;
    const state = this.view.partition(topic, partition);
    if (state === undefined) throw unknownPartition(topic, partition);
    throw new EdgelogError("NOT_LEADER_OR_FOLLOWER", `Broker ${this.view.localBrokerId} is not the leader of ${topic}-${partition} (leader: ${state.leader})`, {
      details: { topic, partition, leader: state.leader, leaderEpoch: state.leaderEpoch },
    });
  }

  /** Broker ids holding a copy of the partition, preferred leader first; empty when unknown. */
  replicas(topic: string, partition: number): readonly number[] {
    return this.view.partition(topic, partition)?.replicas ?? [];
  }

  /** The committed in-sync replicas (the leader's own view while it leads); empty when unknown. */
  inSyncReplicas(topic: string, partition: number): readonly number[] {
    return this.leaderState(topic, partition)?.isr ?? this.view.partition(topic, partition)?.isr ?? [];
  }

  /** The partition's current leader epoch; -1 when the partition is unknown. */
  leaderEpoch(topic: string, partition: number): number {
    return this.leaderState(topic, partition)?.leaderEpoch ?? this.view.partition(topic, partition)?.leaderEpoch ?? -1;
  }

  /**
   * acks=all: resolves once the high watermark is at or past `endOffset`. Rejects with
   * NOT_ENOUGH_REPLICAS_AFTER_APPEND when the ISR got there smaller than min.insync.replicas,
   * REQUEST_TIMED_OUT after `timeoutMs`, NOT_LEADER_OR_FOLLOWER when this broker does not (or no
   * longer) lead the partition.
   */
  waitForReplicas(topic: string, partition: number, endOffset: number, timeoutMs: number, signal?: AbortSignal): Promise<void> {
    try {
      return this.requireLeader(topic, partition).waitForHighWatermark(endOffset, timeoutMs, signal);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** Serves a follower's fetch (the broker's `replicaFetch` operation). */
  async handleReplicaFetch(request: ReplicaFetchRequest, signal?: AbortSignal): Promise<ReplicaFetchResponse> {
    checkReplicaFetchRequest(request);
    return this.leaderFor(request.topic, request.partition, request.leaderEpoch).handleFetch(request, signal);
  }

  /** Serves OffsetsForLeaderEpoch (the broker's `offsetForLeaderEpoch` operation). */
  async handleOffsetForLeaderEpoch(request: OffsetForLeaderEpochRequest): Promise<OffsetForLeaderEpochResponse> {
    checkOffsetForLeaderEpochRequest(request);
    return this.leaderFor(request.topic, request.partition, request.currentLeaderEpoch).endOffsetForEpoch(request.leaderEpoch, request.currentLeaderEpoch);
  }

  /** The leadership a follower's request is for, or the error Kafka answers: epoch first, then leadership. */
  private leaderFor(topic: string, partition: number, epoch: number): LeaderState {
    const leader = this.leaderState(topic, partition);
    if (leader !== undefined) return leader;
    const state = this.view.partition(topic, partition);
    if (state === undefined) throw unknownPartition(topic, partition);
    if (epoch >= 0 && epoch > state.leaderEpoch) {
      throw new EdgelogError("UNKNOWN_LEADER_EPOCH", `The leader epoch ${epoch} in the request is newer than the epoch ${state.leaderEpoch} broker ${this.view.localBrokerId} knows for ${topic}-${partition}`);
    }
    if (epoch >= 0 && epoch < state.leaderEpoch) {
      throw new EdgelogError("FENCED_LEADER_EPOCH", `The leader epoch ${epoch} in the request is older than the current epoch ${state.leaderEpoch} of ${topic}-${partition}`);
    }
    return this.requireLeader(topic, partition);
  }

  private onChange(change: ClusterChange): void {
    if (change.type === "partition") {
      this.enqueue(change.state.topic, change.state.partition);
    } else if (change.type === "brokers") {
      for (const slot of this.slots.values()) if (slot.role.kind === "follower") this.enqueueSlot(slot);
    } else {
      for (const slot of this.slots.values()) this.enqueueSlot(slot);
      for (const state of this.view.partitions()) this.enqueue(state.topic, state.partition);
    }
  }

  private enqueue(topic: string, partition: number): void {
    const k = key(topic, partition);
    let slot = this.slots.get(k);
    if (slot === undefined) {
      slot = { topic, partition, role: { kind: "none" }, queue: Promise.resolve(), queued: false, hwRestored: false };
      this.slots.set(k, slot);
    }
    this.enqueueSlot(slot);
  }

  /** Queues one reconciliation of the slot (coalesced: one waiting run reads the latest state anyway). */
  private enqueueSlot(slot: Slot): void {
    if (slot.queued) return;
    slot.queued = true;
    slot.queue = slot.queue.then(async () => {
      slot.queued = false;
      try {
        await this.reconcile(slot);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        this.logger("error", `Cannot take up the replica of ${slot.topic}-${slot.partition}: ${message}`);
        if (!this.closed) this.clock.setTimer(this.config.replicaFetchBackoffMs, () => this.enqueueSlot(slot));
      }
    });
  }

  /** Brings the slot's role in line with the view's latest state. */
  private async reconcile(slot: Slot): Promise<void> {
    const state = this.closed ? undefined : this.view.partition(slot.topic, slot.partition);
    const local = this.view.localBrokerId;
    if (state === undefined || !state.replicas.includes(local)) return this.stopRole(slot);
    const role = slot.role;
    if (state.leader === local) {
      if (role.kind === "leader" && role.leader.leaderEpoch === state.leaderEpoch) return role.leader.update(state);
      await this.stopRole(slot);
      await this.becomeLeader(slot, state);
      return;
    }
    const broker = state.leader >= 0 && state.leader !== local ? this.view.broker(state.leader) : undefined;
    if (role.kind === "follower" && role.epoch === state.leaderEpoch && role.leaderId === state.leader && role.url === broker?.url) return;
    await this.stopRole(slot);
    const log = await this.prepareLog(slot);
    if (broker === undefined) {
      slot.role = { kind: "follower", epoch: state.leaderEpoch, leaderId: state.leader, url: undefined };
      return;
    }
    const lease = this.pool.acquire(broker);
    const follower = new PartitionFollower({
      log,
      localBrokerId: local,
      leaderId: state.leader,
      leaderEpoch: state.leaderEpoch,
      client: lease.client,
      clock: this.clock,
      config: this.config,
      logger: this.logger,
    });
    slot.role = { kind: "follower", epoch: state.leaderEpoch, leaderId: state.leader, url: broker.url, follower, lease };
    follower.start();
    this.logger("info", `Following ${slot.topic}-${slot.partition} from broker ${state.leader} at epoch ${state.leaderEpoch}`);
  }

  private async becomeLeader(slot: Slot, state: PartitionState): Promise<void> {
    const log = await this.prepareLog(slot);
    const { topic, partition } = slot;
    const leader = new LeaderState({
      log,
      state,
      localBrokerId: this.view.localBrokerId,
      clock: this.clock,
      config: this.config,
      alterIsr: (isr, version, epoch) => this.view.alterIsr(topic, partition, isr, version, epoch),
      currentState: () => this.view.partition(topic, partition),
      logger: this.logger,
    });
    await leader.start();
    if (this.shuttingDown) leader.freezeIsr();
    slot.role = { kind: "leader", leader };
    this.logger("info", `Leading ${topic}-${partition} at epoch ${state.leaderEpoch} with ISR [${state.isr.join(",")}]`);
  }

  /** The slot's log, its high watermark under replication's control (restored the first time). */
  private async prepareLog(slot: Slot): Promise<PartitionLog> {
    const log = await this.logFor(slot.topic, slot.partition);
    if (!slot.hwRestored) {
      const restored = this.restoredHw(slot.topic, slot.partition);
      log.setHighWatermark(restored === undefined ? log.logStartOffset : Math.min(restored, log.logEndOffset));
      slot.hwRestored = true;
    } else {
      log.setHighWatermark(log.highWatermark);
    }
    return log;
  }

  private async stopRole(slot: Slot): Promise<void> {
    const role = slot.role;
    slot.role = { kind: "none" };
    if (role.kind === "leader") {
      role.leader.stop();
    } else if (role.kind === "follower") {
      await role.follower?.stop();
      role.lease?.release();
    }
  }
}

function key(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`;
}

function unknownPartition(topic: string, partition: number): EdgelogError {
  return new EdgelogError("UNKNOWN_TOPIC_OR_PARTITION", `The cluster has no partition ${topic}-${partition}`, { details: { topic, partition } });
}
