/**
 * The statistics of `producer-perf-test`, kept and printed as Kafka's ProducerPerformance keeps
 * them: every acknowledged record's latency and size; a progress line per reporting window
 * ("N records sent, X records/sec (Y MB/sec), A ms avg latency, M ms max latency.") and a summary
 * with the 50th, 95th, 99th and 99.9th percentiles of a sample of at most 500 000 latencies.
 *
 * @example
 * ```ts
 * const stats = new PerfStats(1000, 5000, Date.now(), (line) => console.log(line));
 * stats.record(3, 100, Date.now());
 * console.log(stats.summary(Date.now()));
 * ```
 * @module
 */
import { javaFixed } from "./java-format.ts";

const MB = 1024 * 1024;

/**
 * Latencies and throughput of a producer run; see the module documentation.
 *
 * @example
 * ```ts
 * const stats = new PerfStats(numRecords, 5000, start, io.out);
 * ```
 */
export class PerfStats {
  readonly #start: number;
  readonly #sampling: number;
  readonly #latencies: Int32Array;
  readonly #reportingIntervalMs: number;
  readonly #print: (line: string) => void;
  #index = 0;
  #iteration = 0;
  #count = 0;
  #bytes = 0;
  #maxLatency = 0;
  #totalLatency = 0;
  #windowStart: number;
  #windowCount = 0;
  #windowBytes = 0;
  #windowMaxLatency = 0;
  #windowTotalLatency = 0;

  /**
   * Stats for `numRecords` records, printing a progress line every `reportingIntervalMs`.
   *
   * @example
   * ```ts
   * new PerfStats(1_000_000, 5000, Date.now(), console.log);
   * ```
   */
  constructor(numRecords: number, reportingIntervalMs: number, start: number, print: (line: string) => void) {
    const n = Math.max(1, numRecords);
    this.#sampling = Math.max(1, Math.floor(n / Math.min(n, 500_000)));
    this.#latencies = new Int32Array(Math.floor(n / this.#sampling) + 1);
    this.#reportingIntervalMs = reportingIntervalMs;
    this.#start = start;
    this.#windowStart = start;
    this.#print = print;
  }

  /**
   * Records one acknowledged record of `bytes` that took `latencyMs`, at time `now`.
   *
   * @example
   * ```ts
   * stats.record(Date.now() - sentAt, payload.length, Date.now());
   * ```
   */
  record(latencyMs: number, bytes: number, now: number): void {
    this.#count++;
    this.#bytes += bytes;
    this.#totalLatency += latencyMs;
    this.#maxLatency = Math.max(this.#maxLatency, latencyMs);
    this.#windowCount++;
    this.#windowBytes += bytes;
    this.#windowTotalLatency += latencyMs;
    this.#windowMaxLatency = Math.max(this.#windowMaxLatency, latencyMs);
    if (this.#iteration % this.#sampling === 0 && this.#index < this.#latencies.length) this.#latencies[this.#index++] = latencyMs;
    this.#iteration++;
    if (now - this.#windowStart >= this.#reportingIntervalMs) {
      this.#printWindow(now);
      this.#windowStart = now;
      this.#windowCount = 0;
      this.#windowBytes = 0;
      this.#windowTotalLatency = 0;
      this.#windowMaxLatency = 0;
    }
  }

  /**
   * The summary line at time `now`.
   *
   * @example
   * ```ts
   * stats.summary(Date.now()); // "1000 records sent, 9803.9 records/sec (0.93 MB/sec), 2.10 ms avg latency, ..."
   * ```
   */
  summary(now: number): string {
    const elapsed = Math.max(1, now - this.#start);
    const sorted = this.#latencies.slice(0, this.#index).sort();
    const at = (p: number): number => (sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!);
    return (
      `${this.#count} records sent, ${javaFixed((1000 * this.#count) / elapsed, 1)} records/sec ` +
      `(${javaFixed((1000 * this.#bytes) / elapsed / MB, 2)} MB/sec), ` +
      `${javaFixed(this.#count === 0 ? Number.NaN : this.#totalLatency / this.#count, 2)} ms avg latency, ` +
      `${javaFixed(this.#maxLatency, 2)} ms max latency, ` +
      `${at(0.5)} ms 50th, ${at(0.95)} ms 95th, ${at(0.99)} ms 99th, ${at(0.999)} ms 99.9th.`
    );
  }

  #printWindow(now: number): void {
    const elapsed = Math.max(1, now - this.#windowStart);
    this.#print(
      `${this.#windowCount} records sent, ${javaFixed((1000 * this.#windowCount) / elapsed, 1)} records/sec ` +
        `(${javaFixed((1000 * this.#windowBytes) / elapsed / MB, 2)} MB/sec), ` +
        `${javaFixed(this.#windowTotalLatency / this.#windowCount, 1)} ms avg latency, ${javaFixed(this.#windowMaxLatency, 1)} ms max latency.`,
    );
  }
}
