/**
 * A group subscription: the push streams of the partitions assigned to one group member, started
 * and stopped as its assignment changes. Each partition runs a {@link Subscription} (the same
 * mechanism as `subscribe`), all under the group subscription's id and sharing one credit pool:
 *
 * - a partition starts at the group's committed offset when the log holds it, else where
 *   `autoOffsetReset` says (the log start for "earliest", the high watermark for "latest"); with
 *   "none" it does not start and an error push names it, with Kafka's message
 *   "Undefined offset with no reset policy for partitions: [t-0]";
 * - a revoked partition's stream stops at once: no records push of it follows;
 * - a stream whose position the log no longer holds (retention) starts over by `autoOffsetReset`,
 *   as Kafka's consumer resets; with "none", and on any other failure, it ends with an error push
 *   carrying the topic and partition. Such a partition stays stopped until it is assigned again or
 *   the client subscribes anew; the other partitions go on;
 * - `credit` grants the pool and wakes every stream; a push spends it for all (§9 of
 *   docs/protocol.md applies to the pool as a whole).
 *
 * @example
 * ```ts
 * const sub = new GroupSubscription({ id: session.nextSubscriptionId(), groupId: "g", memberId, credit: { records: 100, bytes: 1 << 20 },
 *   autoOffsetReset: "earliest", format: "cbor", broker, session });
 * session.subscriptions.set(sub.id, sub);
 * sub.start([{ topic: "orders", partitions: [0, 2] }]);
 * ```
 * @module
 */
import { isEdgelogError } from "../core/errors.ts";
import { resolveStartOffset } from "../core/group/offset-reset-policy.ts";
import { FlowCredit, type BatchSize } from "../protocol/flow-credit.ts";
import type { FrameFormat } from "../protocol/frame-codec.ts";
import type { AutoOffsetResetPolicy } from "../protocol/ops/group-subscribe.ts";
import { errorPush, partitionErrorPush } from "../protocol/push.ts";
import type { RecordFormat, ValueEncoding } from "../protocol/record-view.ts";
import type { WireTopicPartitions } from "../protocol/topic-partitions.ts";
import type { BrokerContext } from "./broker-context.ts";
import type { SessionScope, SessionSubscription } from "./session-scope.ts";
import { Subscription } from "./subscription.ts";

/**
 * What a {@link GroupSubscription} is made of.
 *
 * @example
 * ```ts
 * const options: GroupSubscriptionOptions = { id: 1, groupId: "g", memberId: "m", credit: { records: 10, bytes: 1 << 20 }, autoOffsetReset: "latest", format: "json", broker, session };
 * ```
 */
export interface GroupSubscriptionOptions {
  id: number;
  groupId: string;
  memberId: string;
  /** The initial credit of the pool. */
  credit: BatchSize;
  autoOffsetReset: AutoOffsetResetPolicy;
  /** The format of the groupSubscribe request; every push uses it. */
  format: FrameFormat;
  recordFormat?: RecordFormat;
  valueEncoding?: ValueEncoding;
  broker: BrokerContext;
  session: SessionScope;
  /** Called once when the group subscription ends, however it ends. */
  onStop?: () => void;
}

/**
 * The streams of one member's assignment; see the module documentation.
 *
 * @example
 * ```ts
 * sub.revokeExcept(next);  // before telling the member
 * sub.assign(next);        // then start what is new
 * ```
 */
export class GroupSubscription implements SessionSubscription {
  readonly id: number;
  readonly groupId: string;
  readonly memberId: string;
  private readonly pool: FlowCredit;
  private readonly options: GroupSubscriptionOptions;
  private readonly streams = new Map<string, Subscription>();
  /** Partitions whose stream ended with an error push; they wait to be assigned anew. */
  private readonly failed = new Set<string>();
  private started = false;
  private ended = false;

  constructor(options: GroupSubscriptionOptions) {
    this.id = options.id;
    this.groupId = options.groupId;
    this.memberId = options.memberId;
    this.pool = new FlowCredit(options.credit);
    this.options = options;
  }

  /** Whether the group subscription has ended. */
  get stopped(): boolean {
    return this.ended;
  }

  /** The credit left in the pool. */
  get available(): BatchSize {
    return { records: this.pool.records, bytes: this.pool.bytes };
  }

  grant(records: number, bytes: number): BatchSize {
    this.pool.grant(records, bytes);
    for (const stream of this.streams.values()) stream.creditGranted();
    return this.available;
  }

  /** Ends every stream without a push; answers -1 (a group resumes from its committed offsets). */
  stop(): number {
    if (this.ended) return -1;
    this.ended = true;
    for (const stream of this.streams.values()) stream.stop();
    this.streams.clear();
    this.failed.clear();
    const { session } = this.options;
    if (session.subscriptions.get(this.id) === this) session.subscriptions.delete(this.id);
    this.options.onStop?.();
    return -1;
  }

  /** Ends the group subscription with an error push. */
  end(error: unknown): void {
    if (this.ended) return;
    this.stop();
    const { session, format } = this.options;
    if (!session.signal.aborted) session.send(errorPush(this.id, error), format);
  }

  /** Stops the streams of partitions not in `assignment` (revoked ones). */
  revokeExcept(assignment: readonly WireTopicPartitions[]): void {
    const keep = new Set<string>();
    for (const { topic, partitions } of assignment) for (const p of partitions) keep.add(keyOf(topic, p));
    for (const [key, stream] of this.streams) {
      if (keep.has(key)) continue;
      stream.stop();
      this.streams.delete(key);
    }
    for (const key of this.failed) if (!keep.has(key)) this.failed.delete(key);
  }

  /** Starts streaming `assignment` (once the groupSubscribe reply is sent); later changes come by {@link assign}. */
  start(assignment: readonly WireTopicPartitions[]): void {
    this.started = true;
    this.assign(assignment);
  }

  /** Follows a new assignment: stops revoked partitions and starts the ones not streaming yet (once started). */
  assign(assignment: readonly WireTopicPartitions[]): void {
    if (this.ended) return;
    this.revokeExcept(assignment);
    if (!this.started) return;
    for (const { topic, partitions } of assignment) {
      for (const partition of partitions) {
        const key = keyOf(topic, partition);
        if (!this.streams.has(key) && !this.failed.has(key)) this.startPartition(topic, partition);
      }
    }
  }

  private startPartition(topic: string, partition: number, position?: number): void {
    const { broker, session, format } = this.options;
    if (this.ended || session.signal.aborted) return;
    let start: number;
    try {
      start = position ?? this.startOffset(topic, partition);
    } catch (error) {
      this.failed.add(keyOf(topic, partition));
      session.send(partitionErrorPush(this.id, topic, partition, error), format);
      return;
    }
    const stream: Subscription = new Subscription({
      id: this.id,
      topic,
      partition,
      position: start,
      credit: this.pool,
      format,
      recordFormat: this.options.recordFormat ?? "batches",
      valueEncoding: this.options.valueEncoding ?? "bytes",
      broker,
      session,
      onError: (error, logStartOffset) => this.partitionFailed(stream, error, logStartOffset),
    });
    this.streams.set(keyOf(topic, partition), stream);
    stream.start();
  }

  /** The committed offset when the log holds it, else what the reset policy says. */
  private startOffset(topic: string, partition: number): number {
    const { broker } = this.options;
    const log = broker.partitionLog(topic, partition);
    const [committed] = broker.groups.coordinator.fetchOffsets(this.groupId, [{ topic, partitions: [partition] }]);
    return resolveStartOffset(
      { topic, partition, committed: committed?.offset ?? -1, logStartOffset: log.logStartOffset, logEndOffset: log.highWatermark },
      this.options.autoOffsetReset,
    );
  }

  private partitionFailed(stream: Subscription, error: unknown, logStartOffset: number | undefined): void {
    const { topic, partition } = stream;
    const key = keyOf(topic, partition);
    if (this.streams.get(key) !== stream) return;
    this.streams.delete(key);
    const { broker, session, format, autoOffsetReset } = this.options;
    if (this.ended || session.signal.aborted) return;
    if (isEdgelogError(error, "OFFSET_OUT_OF_RANGE") && autoOffsetReset !== "none") {
      let position: number | undefined;
      try {
        const log = broker.partitionLog(topic, partition);
        position = autoOffsetReset === "earliest" ? log.logStartOffset : log.highWatermark;
      } catch (missing) {
        error = missing;
      }
      if (position !== undefined) {
        broker.logger("info", `Group ${this.groupId} member ${this.memberId}: ${topic}-${partition} reset to offset ${position} (auto.offset.reset=${autoOffsetReset})`);
        this.startPartition(topic, partition, position);
        return;
      }
    }
    this.failed.add(key);
    session.send(partitionErrorPush(this.id, topic, partition, error, logStartOffset), format);
  }
}

function keyOf(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`;
}
