/**
 * edgelog's column of `npm run bench`: the compiled broker (`dist/edgelog`, started by
 * bench/ws/broker-process.ts on 127.0.0.1 with its data in a temporary directory and its default
 * flush policy) under the standard workloads (edgelog-workloads.ts), its idle and peak resident
 * memory, and its time from spawn to the listening line (median of several starts, through the
 * WebSocket bench's startup phase).
 *
 * @example
 * ```ts
 * const results = await edgelogSide(root, sizes, conditions, { starts: 7 });
 * ```
 * @module
 */
import { mkdtemp } from "node:fs/promises";
import { join } from "node:path";
import { memoryOf, startBroker } from "../ws/broker-process.ts";
import { MiB } from "../ws/figures.ts";
import { startupTimes } from "../ws/lifecycle-phases.ts";
import { runEdgelogWorkload, type EdgelogSizes, type EdgelogWorkload } from "./edgelog-workloads.ts";
import { measure, measured, median, rssSampler, sleep, type FigureKey, type SideResults } from "./measure.ts";

/**
 * Settings of the measured broker beyond its defaults: the open-loop latency workload must not be
 * capped by the per-connection in-flight limit (default 1000, RESOURCE_LIMIT_EXCEEDED past it) when
 * the broker falls behind on a busy machine: the records' latency then shows it instead.
 */
export const EDGELOG_OVERRIDES: readonly string[] = ["edgelog.max.in.flight.requests.per.connection=1000000"];

/** The figures each workload produces, and its label. */
export const EDGELOG_WORKLOADS: readonly { workload: EdgelogWorkload; keys: FigureKey[]; label: string }[] = [
  { workload: "publish1", keys: ["publish1", "publish1Bytes"], label: "persisted publish, 1 partition" },
  { workload: "publish6", keys: ["publish6"], label: "persisted publish, 6 partitions" },
  { workload: "publish64k", keys: ["publish64k"], label: "publish, 64 KiB frames" },
  { workload: "unbatched", keys: ["unbatched"], label: "unbatched publish" },
  { workload: "consume", keys: ["consume"], label: "consume from the start" },
  { workload: "latency", keys: ["e2eP50", "e2eP99", "e2eP999"], label: "e2e latency" },
];

/**
 * Runs the edgelog column on fresh brokers under `root` and returns its figures; details go into
 * `conditions.edgelog`.
 *
 * @example
 * ```ts
 * const edgelog = await edgelogSide(root, sizes, conditions, { starts: 7 });
 * ```
 */
export async function edgelogSide(root: string, sizes: EdgelogSizes, conditions: Record<string, unknown>, options: { starts: number }): Promise<SideResults> {
  const results: SideResults = {};
  const notes: Record<string, unknown> = {};
  conditions["edgelog"] = notes;
  const dataDir = await mkdtemp(join(root, "edgelog-"));
  const broker = await startBroker({ dataDir, raiseFdLimit: true, overrides: EDGELOG_OVERRIDES });
  notes["runtime"] = broker.runtime;
  notes["overrides"] = EDGELOG_OVERRIDES;
  notes["dataDir"] = dataDir;
  try {
    await sleep(1000);
    const idle = memoryOf(broker.pid);
    results.idleRss = measured(idle.rss / MiB, "MiB",
      `1 s after start, empty data dir; anonymous ${(idle.anon / MiB).toFixed(1)} MiB, file-backed (the executable's pages) ${(idle.file / MiB).toFixed(1)} MiB`);
    const sampler = rssSampler(broker.pid);
    try {
      for (const { workload, keys, label } of EDGELOG_WORKLOADS) {
        await measure(results, keys, `edgelog ${label}`, { pids: [broker.pid], retry: true }, (attempt, into) =>
          runEdgelogWorkload(workload, broker, sizes, into, notes, attempt === 0 ? `bench-${workload}` : `bench-${workload}-${attempt}`),
        );
      }
    } finally {
      const peak = sampler.stop();
      let split = "";
      try {
        const last = memoryOf(broker.pid);
        split = `; at the end anonymous ${(last.anon / MiB).toFixed(1)} MiB, file-backed ${(last.file / MiB).toFixed(1)} MiB`;
      } catch {
        // the broker is gone: the workloads report why
      }
      results.loadRss = measured(peak / MiB, "MiB", `peak VmRSS sampled every 50 ms during the workloads${split}`);
    }
  } finally {
    await broker.stop();
  }
  await measure(results, ["startMs"], `edgelog start → listening (${options.starts} starts)`, { retry: false }, async (_attempt, into) => {
    const scratch: Record<string, unknown> = {};
    await startupTimes(root, scratch, options.starts);
    const listening = scratch["startListeningMs"] as number[];
    notes["startListeningMs"] = listening;
    into.startMs = measured(median(listening), "ms", `median of ${options.starts} starts on empty data dirs: spawn to the listening line`);
  });
  return results;
}
