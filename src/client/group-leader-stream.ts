/**
 * A partition of a group member read straight from its leader. A group subscription is served by
 * the group's coordinator, which streams only the partitions it leads: the stream of any other ends
 * with a `NOT_LEADER_OR_FOLLOWER` error push for that partition (protocol §7.16, §8, §14.1). Such a
 * partition is read as `assign()` reads one — a `subscribe` on its leader ({@link PartitionStream},
 * which follows leader changes) — and its records go to the member's {@link GroupPartition} as the
 * group subscription's would.
 *
 * - It starts after the last record the member received of the partition, else at the group's
 *   committed offset, else where `autoOffsetReset` says ("none": the partition fails with Kafka's
 *   "Undefined offset with no reset policy for partitions: [t-0]").
 * - Its credit is its own window (the consumer's `maxBufferedRecords`/`maxBufferedBytes`): the
 *   credit of its records carries the function that returns it ({@link LeaderCredit}).
 * - `restart()` subscribes again from the member's position (after a seek, or a resume that dropped
 *   records); `stop()` ends it (the partition was revoked or lost, or the consumer closes).
 *
 * @example
 * ```ts
 * import { GroupLeaderStream } from "./group-leader-stream.ts";
 * const stream = new GroupLeaderStream(host, partition);
 * await stream.start();
 * await stream.stop();
 * ```
 * @module
 */
import { asEdgelogError, EdgelogError } from "../core/errors.ts";
import type { CreditAmount, SubscribeFrom } from "../protocol/index.ts";
import type { BrokerPool } from "./broker-pool.ts";
import type { GroupPartition } from "./group-partition.ts";
import { PartitionStream, type Taken } from "./partition-stream.ts";
import { isRetriable, type ResolvedRetry, withRetry } from "./retry.ts";
import type { AutoOffsetReset, RetentionGap } from "./stream-host.ts";

/**
 * Credit of records read from a leader: `returned()` gives it back to that stream.
 *
 * @example
 * ```ts
 * if (isLeaderCredit(credit)) credit.returned(); else pool.release(credit);
 * ```
 */
export interface LeaderCredit extends CreditAmount {
  returned(): void;
}

/**
 * Whether credit came from a {@link GroupLeaderStream}.
 *
 * @example
 * ```ts
 * isLeaderCredit({ records: 1, bytes: 10 }); // false
 * ```
 */
export function isLeaderCredit(credit: CreditAmount): credit is LeaderCredit {
  return typeof (credit as Partial<LeaderCredit>).returned === "function";
}

/**
 * What a leader stream needs from the group consumer.
 *
 * @example
 * ```ts
 * const host: GroupLeaderStreamHost = { pool, window, retry, autoOffsetReset: () => "latest", onGap, committed: (p) => commits.committedOffset(p) };
 * ```
 */
export interface GroupLeaderStreamHost {
  readonly pool: BrokerPool;
  readonly window: CreditAmount;
  readonly retry: ResolvedRetry;
  autoOffsetReset(): AutoOffsetReset;
  onGap(gap: RetentionGap): void;
  /** The group's committed offset of a partition (-1: none), asked of the coordinator when not known. */
  committed(p: GroupPartition): Promise<number>;
}

/**
 * See the module documentation.
 *
 * @example
 * ```ts
 * stream.restart(); // after partition.seek(0)
 * ```
 */
export class GroupLeaderStream {
  readonly partition: GroupPartition;
  readonly #host: GroupLeaderStreamHost;
  #stream: PartitionStream | undefined;
  #starting: Promise<void> | undefined;
  /** A restart was asked for while starting: the start position may be stale. */
  #restartPending = false;
  #stopped = false;

  /**
   * A stream of `partition`, started by {@link start}.
   *
   * @example
   * ```ts
   * new GroupLeaderStream(host, partition);
   * ```
   */
  constructor(host: GroupLeaderStreamHost, partition: GroupPartition) {
    this.#host = host;
    this.partition = partition;
  }

  /**
   * Finds where to start and subscribes on the leader; resolves after the first attempt.
   *
   * @example
   * ```ts
   * await stream.start();
   * ```
   */
  start(): Promise<void> {
    this.#starting ??= this.#start();
    return this.#starting;
  }

  /**
   * Subscribes again from the member's position (records held by the partition were dropped).
   *
   * @example
   * ```ts
   * partition.seek(100);
   * stream.restart();
   * ```
   */
  restart(): void {
    const p = this.partition;
    if (this.#stopped || p.closed) return;
    const stream = this.#stream;
    if (stream === undefined) {
      this.#restartPending = true; // still starting: restarts once it has
      return;
    }
    if (p.received !== undefined) {
      void stream.seek(p.received);
      return;
    }
    this.#stream = undefined;
    void stream.stop();
    this.#starting = this.#start();
  }

  /**
   * Ends the stream for good.
   *
   * @example
   * ```ts
   * await stream.stop();
   * ```
   */
  async stop(): Promise<void> {
    this.#stopped = true;
    await this.#starting?.catch(() => undefined);
    await this.#stream?.stop();
  }

  async #start(): Promise<void> {
    const host = this.#host;
    const p = this.partition;
    let from: SubscribeFrom;
    const reset = host.autoOffsetReset();
    if (p.received !== undefined) {
      from = { offset: p.received };
    } else {
      let committed: number;
      try {
        committed = await withRetry(() => host.committed(p), host.retry, { stopped: () => this.#stopped || p.closed, shouldRetry: isRetriable });
      } catch (error) {
        p.fail(asEdgelogError(error));
        return;
      }
      if (committed >= 0) {
        from = { offset: p.received ?? committed };
      } else if (reset === "none") {
        p.fail(new EdgelogError("OFFSET_OUT_OF_RANGE", `Undefined offset with no reset policy for partitions: [${p.topic}-${p.partition}]`, {
          details: { topic: p.topic, partition: p.partition },
        }));
        return;
      } else {
        from = p.received === undefined ? reset : { offset: p.received };
      }
    }
    if (this.#stopped || p.closed) return;
    const stream = new PartitionStream(
      { pool: host.pool, window: host.window, retry: host.retry, autoOffsetReset: reset, onGap: (gap) => host.onGap(gap), readable: () => this.#pump(stream) },
      p.topic,
      p.partition,
      from,
    );
    this.#stream = stream;
    await stream.start();
    if (this.#restartPending) {
      this.#restartPending = false;
      this.restart();
    }
  }

  /** Moves what the stream received into the partition, with credit that returns to the stream. */
  #pump(stream: PartitionStream): void {
    const p = this.partition;
    while (stream === this.#stream && !this.#stopped && stream.ready) {
      const generation = p.generation;
      let taken: Taken;
      try {
        taken = stream.take(Number.MAX_SAFE_INTEGER);
      } catch (error) {
        p.fail(asEdgelogError(error));
        continue;
      }
      const records = taken.records;
      if (records.length === 0) return;
      const credit: LeaderCredit = { records: records.length, bytes: 0, returned: taken.release };
      p.pushed();
      p.accept(generation, records, credit, taken.highWatermark, records[records.length - 1]!.offset + 1);
    }
  }
}
