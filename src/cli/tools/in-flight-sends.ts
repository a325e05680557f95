/**
 * The pipelining of the producing tools (`producer-perf-test`, `verifiable-producer`): each record is
 * sent without waiting for the one before, as Kafka's tools hand records to the producer's callback
 * API, but no more than a bound are in flight at once, so a slow cluster holds the loop back instead
 * of letting unacknowledged sends pile up in memory.
 *
 * @example
 * ```ts
 * const inFlight = new InFlightSends(10_000);
 * for (const value of values) {
 *   await inFlight.add(producer.send({ topic, messages: [{ value }] }), () => acked++, () => failed++);
 * }
 * await producer.flush();
 * await inFlight.drain();
 * ```
 * @module
 */

/**
 * A bounded set of sends in flight.
 *
 * @example
 * ```ts
 * const inFlight = new InFlightSends(2);
 * await inFlight.add(send(1), onSent, onFailed);
 * await inFlight.add(send(2), onSent, onFailed); // waits until send(1) or send(2) settles
 * await inFlight.drain();
 * ```
 */
export class InFlightSends {
  private readonly pending = new Set<Promise<void>>();

  /** `limit`: how many sends may be in flight before {@link add} waits; at least 1. */
  constructor(private readonly limit: number) {
    if (!Number.isSafeInteger(limit) || limit < 1) throw new RangeError(`The in-flight limit must be an integer ≥ 1, got ${limit}`);
  }

  /** How many sends are in flight. */
  get size(): number {
    return this.pending.size;
  }

  /**
   * Tracks `sending`: `onSent` runs with its value, or `onFailed` with its error, when it settles.
   * Resolves at once while fewer than the limit are in flight, otherwise when one of them settles.
   */
  async add<T>(sending: Promise<T>, onSent: (value: T) => void, onFailed: (error: unknown) => void): Promise<void> {
    const tracked: Promise<void> = sending.then(
      (value) => {
        this.pending.delete(tracked);
        onSent(value);
      },
      (error: unknown) => {
        this.pending.delete(tracked);
        onFailed(error);
      },
    );
    this.pending.add(tracked);
    if (this.pending.size >= this.limit) await Promise.race(this.pending);
  }

  /** Resolves when every send in flight has settled (and its handler has run). */
  async drain(): Promise<void> {
    await Promise.all(this.pending);
  }
}
