/**
 * A partition followed by this broker (Kafka's replica fetcher, per partition): first it truncates
 * its log by leader epoch against the new leader (OffsetsForLeaderEpoch, repeated while the answer
 * names an epoch it lacks: KIP-101/KIP-279), then it fetches from its log end in a loop, appending
 * the leader's batches as they are (`assignOffsets: false`, so offsets and leader epochs are the
 * leader's and the leader epoch cache follows them), and moves its high watermark to the smaller of
 * the leader's and its own log end. A fetch reply naming a diverging epoch truncates again.
 * Failures back off for replica.fetch.backoff.ms on the clock; a leader that has not yet taken up
 * the leadership this follower was told of (NOT_LEADER_OR_FOLLOWER, UNKNOWN_LEADER_EPOCH: it hears
 * of the election a moment later) is asked again sooner, after
 * edgelog.replica.fetch.leader.backoff.ms, doubled on each repeat up to replica.fetch.backoff.ms.
 * Kafka's fetcher waits the full backoff there, which adds a second to every fail-over.
 *
 * @example
 * ```ts
 * const follower = new PartitionFollower({ log, localBrokerId: 3, leaderId: 1, leaderEpoch: 4, client, clock, config });
 * follower.start();
 * await follower.stop(); // when the leader or epoch changes
 * ```
 * @module
 */
import { EdgelogError, isEdgelogError } from "../errors.ts";
import type { PartitionLog } from "../log/partition-log.ts";
import type { Clock } from "../ports/clock.ts";
import { scanBatches } from "../record/scan-batches.ts";
import type { ReplicaFetchClient } from "./replica-transport.ts";
import type { ReplicationConfig, ReplicationLogger } from "./replication-config.ts";
import { truncateLog, truncationPoint } from "./truncation.ts";

/**
 * What a {@link PartitionFollower} is built from.
 *
 * @example
 * ```ts
 * const options: PartitionFollowerOptions = { log, localBrokerId: 3, leaderId: 1, leaderEpoch: 4, client, clock, config };
 * ```
 */
export interface PartitionFollowerOptions {
  log: PartitionLog;
  localBrokerId: number;
  leaderId: number;
  /** The epoch of the leadership followed, sent with every request. */
  leaderEpoch: number;
  client: ReplicaFetchClient;
  clock: Clock;
  config: ReplicationConfig;
  logger?: ReplicationLogger;
}

/**
 * The fetch loop of one partition towards one leader at one epoch.
 *
 * @example
 * ```ts
 * follower.start();
 * follower.fetches; // replies applied so far
 * ```
 */
export class PartitionFollower {
  readonly log: PartitionLog;
  readonly leaderId: number;
  readonly leaderEpoch: number;
  /** Fetch replies applied so far. */
  fetches = 0;
  /** The last failure, for diagnostics; cleared by a successful fetch. */
  lastError: unknown;
  private readonly local: number;
  private readonly client: ReplicaFetchClient;
  private readonly clock: Clock;
  private readonly config: ReplicationConfig;
  private readonly logger: ReplicationLogger;
  private readonly stopping = new AbortController();
  private loop: Promise<void> | undefined;
  private truncated = false;
  /** Where to fetch from while the log ends below it (after the leader's log start passed ours). */
  private fetchFloor = 0;
  /** Failures in a row because the leader has not yet taken up its leadership. */
  private notLeaderYet = 0;

  constructor(options: PartitionFollowerOptions) {
    this.log = options.log;
    this.leaderId = options.leaderId;
    this.leaderEpoch = options.leaderEpoch;
    this.local = options.localBrokerId;
    this.client = options.client;
    this.clock = options.clock;
    this.config = options.config;
    this.logger = options.logger ?? (() => {});
  }

  /** `<topic>-<partition>`. */
  get name(): string {
    return `${this.log.topic}-${this.log.partition}`;
  }

  /** Whether the truncation by leader epoch against this leader is done. */
  get truncationDone(): boolean {
    return this.truncated;
  }

  /** Starts the loop (once). */
  start(): void {
    if (this.loop !== undefined || this.stopping.signal.aborted) return;
    this.loop = this.run();
  }

  /** Ends the loop: aborts a request in flight and waits for an append under way to finish. */
  async stop(): Promise<void> {
    this.stopping.abort();
    await this.loop;
  }

  private get stopped(): boolean {
    return this.stopping.signal.aborted;
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      try {
        if (!this.truncated) {
          await this.truncateByEpoch();
          this.truncated = !this.stopped;
          this.notLeaderYet = 0;
          continue;
        }
        await this.fetchOnce();
        this.lastError = undefined;
        this.notLeaderYet = 0;
      } catch (error) {
        if (this.stopped) return;
        this.lastError = error;
        try {
          if (await this.recoverOutOfRange(error)) continue;
        } catch (again) {
          this.lastError = again;
        }
        const message = this.lastError instanceof Error ? this.lastError.message : String(this.lastError);
        this.logger("debug", `Fetching ${this.name} from broker ${this.leaderId} failed: ${message}`);
        await this.sleep(this.backoffAfter(this.lastError));
      }
    }
  }

  /** The pause after a failure (see the module notes). */
  private backoffAfter(error: unknown): number {
    const full = this.config.replicaFetchBackoffMs;
    if (!isEdgelogError(error) || (error.code !== "NOT_LEADER_OR_FOLLOWER" && error.code !== "UNKNOWN_LEADER_EPOCH")) return full;
    const doublings = Math.min(this.notLeaderYet++, 30);
    return Math.min(full, this.config.replicaFetchLeaderBackoffMs * 2 ** doublings);
  }

  /** OffsetsForLeaderEpoch rounds until the log ends where it agrees with the leader. */
  private async truncateByEpoch(): Promise<void> {
    const log = this.log;
    for (;;) {
      await truncateLog(log, log.logEndOffset);
      const latest = log.leaderEpochCache.latestEpoch;
      if (latest < 0) return;
      const answer = await this.client.offsetForLeaderEpoch(
        { topic: log.topic, partition: log.partition, leaderEpoch: latest, currentLeaderEpoch: this.leaderEpoch },
        this.stopping.signal,
      );
      if (this.stopped) return;
      const point = truncationPoint({ epoch: answer.leaderEpoch, endOffset: answer.endOffset }, log.leaderEpochCache, log.logEndOffset);
      await this.truncate(point.offset, `the leader's epoch ${answer.leaderEpoch} ends at ${answer.endOffset} (asked about ${latest})`);
      // No progress means an answer this rule cannot use: the fetch's divergence check takes over.
      if (point.complete || log.leaderEpochCache.latestEpoch >= latest) return;
    }
  }

  private async fetchOnce(): Promise<void> {
    const log = this.log;
    const end = log.logEndOffset;
    const lastFetchedEpoch = log.leaderEpochCache.latestEpoch;
    const reply = await this.client.fetch(
      {
        topic: log.topic,
        partition: log.partition,
        fetchOffset: end < this.fetchFloor ? this.fetchFloor : end,
        leaderEpoch: this.leaderEpoch,
        lastFetchedEpoch,
        maxBytes: this.config.replicaFetchMaxBytes,
        maxWaitMs: this.config.replicaFetchWaitMaxMs,
        replicaId: this.local,
      },
      this.stopping.signal,
    );
    if (this.stopped || log.logEndOffset !== end) return;
    this.fetches++;
    const diverging = reply.divergingEpoch;
    if (diverging !== undefined) {
      const point = truncationPoint(diverging, log.leaderEpochCache, end);
      await this.truncate(point.offset, `the leader reports epoch ${diverging.epoch} ending at ${diverging.endOffset}`);
      if (log.logEndOffset === end && log.leaderEpochCache.latestEpoch === lastFetchedEpoch) {
        throw new EdgelogError("UNKNOWN_SERVER_ERROR", `The diverging epoch ${diverging.epoch} at ${diverging.endOffset} of ${this.name} changes nothing`);
      }
      return;
    }
    if (reply.batches.length > 0) await appendFetched(log, reply.batches, this.config.replicaFetchMaxBytes);
    const hw = Math.min(reply.highWatermark, log.logEndOffset);
    if (hw > log.highWatermark) log.setHighWatermark(hw);
    if (reply.logStartOffset > log.logStartOffset && reply.logStartOffset <= log.highWatermark) await log.deleteRecordsBefore(reply.logStartOffset);
  }

  /** Kafka's handling of an out-of-range fetch offset: the leader's log ends below ours, or starts above it. */
  private async recoverOutOfRange(error: unknown): Promise<boolean> {
    if (!isEdgelogError(error, "OFFSET_OUT_OF_RANGE")) return false;
    const start = error.details?.logStartOffset;
    const end = error.details?.logEndOffset;
    const log = this.log;
    if (typeof end === "number" && end >= 0 && log.logEndOffset > end) {
      await this.truncate(end, `the leader's log ends at ${end}`);
      return true;
    }
    if (typeof start === "number" && start > 0 && log.logEndOffset < start) {
      this.logger("warn", `The log start ${start} of ${this.name} on broker ${this.leaderId} is past this replica's log end ${log.logEndOffset}: fetching from ${start}`);
      await truncateLog(log, 0);
      this.fetchFloor = start;
      return true;
    }
    return false;
  }

  private async truncate(offset: number, why: string): Promise<void> {
    const log = this.log;
    if (offset < log.logEndOffset) this.logger("info", `Truncating ${this.name} from ${log.logEndOffset} to ${offset}: ${why}`);
    await truncateLog(log, offset);
  }

  private sleep(ms: number): Promise<void> {
    const signal = this.stopping.signal;
    if (signal.aborted) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const done = (): void => {
        this.clock.clearTimer(timer);
        signal.removeEventListener("abort", done);
        resolve();
      };
      const timer = this.clock.setTimer(ms, done);
      signal.addEventListener("abort", done, { once: true });
    });
  }
}

/**
 * Appends the fetched batches the log does not hold yet, as they are, in appends no larger than
 * `maxBytes` (or one batch) each.
 */
async function appendFetched(log: PartitionLog, bytes: Uint8Array, maxBytes: number): Promise<void> {
  const scan = scanBatches(bytes, 0, bytes.length, { checkCrc: false });
  if (scan.problem !== undefined) throw new EdgelogError("CORRUPT_MESSAGE", `The leader sent invalid batches for ${log.topic}-${log.partition}: ${scan.problem}`);
  const limit = Math.max(1, Math.min(maxBytes, log.config.segmentBytes));
  let from = -1;
  let to = -1;
  for (const batch of scan.batches) {
    const end = log.logEndOffset;
    if (batch.lastOffset < end) continue;
    if (from < 0 && batch.baseOffset < end) {
      throw new EdgelogError("CORRUPT_MESSAGE", `A fetched batch of ${log.topic}-${log.partition} at ${batch.baseOffset} straddles the log end ${end}`);
    }
    if (from >= 0 && to - from + batch.sizeInBytes > limit) {
      await log.append(bytes.subarray(from, to), { assignOffsets: false });
      from = -1;
    }
    if (from < 0) from = batch.offset;
    to = batch.offset + batch.sizeInBytes;
  }
  if (from >= 0) await log.append(bytes.subarray(from, to), { assignOffsets: false });
}
