/**
 * What a leader knows of one follower: its log end offset (the offset of its last fetch) and when it
 * was last caught up, with Kafka's rule: a fetch at or past the leader's log end makes the follower
 * caught up now; a fetch at or past the leader's log end as of the previous fetch makes it caught up
 * as of that previous fetch. A follower stays in sync while it is at the leader's log end or was
 * caught up within replica.lag.time.max.ms.
 *
 * @example
 * ```ts
 * const f = new FollowerProgress(2, clock.monotonic());
 * f.recordFetch(120, log.logEndOffset, clock.monotonic());
 * f.isCaughtUp(log.logEndOffset, clock.monotonic(), 30_000); // true
 * ```
 * @module
 */

/**
 * A follower's replication progress as its leader sees it.
 *
 * @example
 * ```ts
 * const f = new FollowerProgress(3, 0); // not in the ISR when the leader took over
 * f.logEndOffset; // -1 until it fetches
 * ```
 */
export class FollowerProgress {
  /** The follower's log end offset as of its last fetch; -1 until it fetched from this leader. */
  logEndOffset = -1;
  /** The high watermark last sent to it (-1 before), to wake its long poll when the high watermark moves. */
  lastSentHighWatermark = -1;
  private caughtUpAt: number;
  private lastFetchLeaderLogEnd = -1;
  private lastFetchAt = Number.NEGATIVE_INFINITY;

  /**
   * `lastCaughtUpTime`: the clock's monotonic time for a member of the ISR when the leader takes
   * over (Kafka resets them to "now"), minus infinity for the others.
   */
  constructor(
    readonly brokerId: number,
    lastCaughtUpTime: number,
  ) {
    this.caughtUpAt = lastCaughtUpTime;
  }

  /** Monotonic time when the follower was last caught up with the leader's log end. */
  get lastCaughtUpTime(): number {
    return this.caughtUpAt;
  }

  /** Records a fetch at `fetchOffset` made when the leader's log end was `leaderLogEnd`. */
  recordFetch(fetchOffset: number, leaderLogEnd: number, now: number): void {
    if (fetchOffset >= leaderLogEnd) this.caughtUpAt = Math.max(this.caughtUpAt, now);
    else if (fetchOffset >= this.lastFetchLeaderLogEnd) this.caughtUpAt = Math.max(this.caughtUpAt, this.lastFetchAt);
    this.logEndOffset = fetchOffset;
    this.lastFetchLeaderLogEnd = leaderLogEnd;
    this.lastFetchAt = now;
  }

  /** Kafka's isCaughtUp: at the leader's log end, or caught up within `maxLagMs`. */
  isCaughtUp(leaderLogEnd: number, now: number, maxLagMs: number): boolean {
    return this.logEndOffset === leaderLogEnd || now - this.caughtUpAt <= maxLagMs;
  }
}
