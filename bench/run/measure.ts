/**
 * What `npm run bench` measures on each side: the keys of the compared figures, one measured value
 * with the load average and the disturbance (disturbance.ts) it was taken under, the runner that
 * measures a disturbed workload again, percentiles, and the peak-RSS sampler used for memory under
 * load.
 *
 * @example
 * ```ts
 * const results: SideResults = {};
 * await measure(results, ["publish1"], "publish", { pids: [broker.pid], retry: true }, async (attempt, into) => {
 *   into.publish1 = measured(1_250_000, "records/s", "CPU per record: broker 0.3 µs");
 * });
 * ```
 * @module
 */
import { loadavg } from "node:os";
import process from "node:process";
import { memoryOf } from "../ws/broker-process.ts";
import { DISTURBED, disturbanceMeter } from "./disturbance.ts";

/**
 * The figures compared across edgelog, NATS and the machine's limits (rows of the table).
 *
 * @example
 * ```ts
 * const key: FigureKey = "consume";
 * ```
 */
export type FigureKey =
  | "publish1"
  | "publish6"
  | "publish1Bytes"
  | "publish64k"
  | "unbatched"
  | "consume"
  | "e2eP50"
  | "e2eP99"
  | "e2eP999"
  | "idleRss"
  | "loadRss"
  | "startMs";

/**
 * One measured value (null when the workload failed, with `error`), with the 1-minute load average
 * when it was taken.
 *
 * @example
 * ```ts
 * const m: Measure = { value: 31.2, unit: "MiB", load1: 1.4 };
 * ```
 */
export interface Measure {
  value: number | null;
  unit: string;
  load1: number;
  note?: string;
  error?: string;
  /** Share of the machine's CPU others used meanwhile (disturbance.ts). */
  disturbance?: number;
  /** Every attempt when the workload was measured again because it was disturbed. */
  attempts?: { value: number | null; disturbance?: number }[];
}

/**
 * The figures of one side (edgelog, NATS over WebSocket, NATS over TCP, the limits).
 *
 * @example
 * ```ts
 * const side: SideResults = { consume: measured(4e6, "records/s") };
 * ```
 */
export type SideResults = Partial<Record<FigureKey, Measure>>;

/**
 * A measure taken now.
 *
 * @example
 * ```ts
 * results.idleRss = measured(rss / MiB, "MiB", "1 s after start");
 * ```
 */
export function measured(value: number, unit: string, note?: string): Measure {
  return { value, unit, load1: loadavg()[0]!, ...(note ? { note } : {}) };
}

/**
 * How {@link measure} runs a workload.
 *
 * @example
 * ```ts
 * const options: MeasureOptions = { pids: [broker.pid], retry: true };
 * ```
 */
export interface MeasureOptions {
  /** The servers under test: their CPU, like this process's, is the workload's own. Without it the
   * disturbance is not measured (for workloads that start processes of their own). */
  pids?: readonly number[];
  /** Whether a disturbed attempt is repeated (the workload then runs again from scratch). */
  retry: boolean;
}

/** Attempts of one workload at most. */
const MAX_ATTEMPTS = 3;
let retryDeadline = Number.POSITIVE_INFINITY;

/**
 * No workload is measured again once another attempt would end after `at` (performance.now() ms),
 * so that a run on a busy machine still ends in time.
 *
 * @example
 * ```ts
 * setRetryDeadline(performance.now() + 8 * 60_000);
 * ```
 */
export function setRetryDeadline(at: number): void {
  retryDeadline = at;
}

/**
 * Whether a further attempt that takes `ms` still fits before the retry deadline.
 *
 * @example
 * ```ts
 * if (result.disturbance > DISTURBED && mayRetry(lastMs)) result = await again();
 * ```
 */
export function mayRetry(ms: number): boolean {
  return performance.now() + ms <= retryDeadline;
}

/**
 * Runs one workload and records the figures it puts into `into` under `keys` in `results`, with the
 * disturbance it ran under. A disturbed attempt (others used more than {@link DISTURBED} of the
 * machine) is repeated up to {@link MAX_ATTEMPTS} in all while the retry deadline allows (`attempt`
 * counts from 0: name fresh topics after it), and the least disturbed attempt is kept. A failure is
 * recorded as a failed measure for `keys` instead of ending the run. Prints each attempt.
 *
 * @example
 * ```ts
 * await measure(results, ["consume"], "edgelog consume", { pids: [broker.pid], retry: true }, (attempt, into) => consume(into, attempt));
 * ```
 */
export async function measure(
  results: SideResults,
  keys: readonly FigureKey[],
  label: string,
  options: MeasureOptions,
  run: (attempt: number, into: SideResults) => Promise<void>,
): Promise<void> {
  process.stdout.write(`  - ${label} ... `);
  const attempts: { into: SideResults; disturbance: number | undefined; error?: string }[] = [];
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const into: SideResults = {};
    const meter = options.pids ? disturbanceMeter(options.pids) : { stop: () => undefined };
    const started = performance.now();
    let error: string | undefined;
    try {
      await run(attempt, into);
    } catch (cause) {
      error = (cause instanceof Error ? cause.message : String(cause)).split("\n")[0]!;
    }
    const ms = performance.now() - started;
    const disturbance = meter.stop();
    attempts.push({ into, disturbance, ...(error !== undefined ? { error } : {}) });
    const others = disturbance === undefined ? "" : ` (others ${(disturbance * 100).toFixed(0)} %)`;
    if (error !== undefined) {
      console.log(`FAILED${others}: ${error}`);
      break;
    }
    process.stdout.write(`${(ms / 1000).toFixed(1)} s${others}`);
    if (!options.retry || disturbance === undefined || disturbance <= DISTURBED || attempt + 1 >= MAX_ATTEMPTS || !mayRetry(ms)) break;
    process.stdout.write(", disturbed: again ... ");
  }
  console.log("");
  const done = attempts.filter((a) => a.error === undefined);
  if (done.length === 0) {
    const error = attempts[attempts.length - 1]!.error!;
    for (const key of keys) results[key] = { value: null, unit: "", load1: loadavg()[0]!, error };
    return;
  }
  const best = done.reduce((a, b) => ((b.disturbance ?? 0) < (a.disturbance ?? 0) ? b : a));
  for (const key of keys) {
    const m = best.into[key];
    if (m === undefined) continue;
    results[key] = {
      ...m,
      ...(best.disturbance !== undefined ? { disturbance: best.disturbance } : {}),
      ...(attempts.length > 1 ? { attempts: attempts.map((a) => ({ value: a.into[key]?.value ?? null, ...(a.disturbance !== undefined ? { disturbance: a.disturbance } : {}) })) } : {}),
    };
  }
}

/**
 * The `p`-quantile (0–1) of ascending `sorted` values (nearest rank).
 *
 * @example
 * ```ts
 * percentile(Float64Array.from([1, 2, 3, 4]).sort(), 0.5); // 2
 * ```
 */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
}

/**
 * The median of `values`.
 *
 * @example
 * ```ts
 * median([3, 1, 2]); // 2
 * ```
 */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * Samples a process's VmRSS every `everyMs` until stopped; `peak` is the largest seen (bytes).
 *
 * @example
 * ```ts
 * const sampler = rssSampler(broker.pid);
 * // ... load ...
 * const peak = sampler.stop();
 * ```
 */
export function rssSampler(pid: number, everyMs = 50): { readonly peak: number; stop(): number } {
  let peak = 0;
  const sample = (): void => {
    try {
      peak = Math.max(peak, memoryOf(pid).rss);
    } catch {
      // the process is gone; keep the peak seen
    }
  };
  sample();
  const timer = setInterval(sample, everyMs);
  return {
    get peak() {
      return peak;
    },
    stop() {
      clearInterval(timer);
      sample();
      return peak;
    },
  };
}

/**
 * A promise that resolves after `ms`.
 *
 * @example
 * ```ts
 * await sleep(1000);
 * ```
 */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
