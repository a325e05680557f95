/**
 * Writes the "## Benchmarks" section of README.md from a run of `npm run bench` (`BENCH_README=1`):
 * the table as Markdown, the conditions that matter to read it, and how to rerun it. Only that
 * section changes: it is replaced up to the next "## " heading, or added at the end.
 *
 * @example
 * ```ts
 * await updateReadme("README.md", rows, { date, file: "bench/results/2026-11-21T19-00-00-000Z.json", conditions });
 * ```
 * @module
 */
import { readFile, writeFile } from "node:fs/promises";
import { markdownTable, TABLE_LEGEND, type Row } from "./table.ts";

const HEADING = "## Benchmarks";

/**
 * The Markdown of the section.
 *
 * @example
 * ```ts
 * const markdown = benchmarksSection(rows, { date, file, conditions });
 * ```
 */
export function benchmarksSection(rows: readonly Row[], run: { date: string; file: string; conditions: Record<string, unknown> }): string {
  const c = run.conditions;
  const load = (l: unknown): string => (Array.isArray(l) ? l.map((x: number) => x.toFixed(2)).join(" ") : "?");
  const fsync = c["fsyncPolicy"] as { edgelog: string; nats: string };
  return [
    HEADING,
    "",
    "```sh",
    "npm run bench        # bun bench/run.ts: 4–8 minutes (disturbed workloads run again), all on 127.0.0.1; needs nats-server (apt-get install -y nats-server)",
    "```",
    "",
    `edgelog (\`dist/edgelog\`) against NATS JetStream ${String(c["natsServer"])} over WebSocket and over TCP (official \`@nats-io\` clients) and against`,
    "the machine's own limits, measured in one run; each run writes `bench/results/<date>.json` with every figure, its",
    "notes (CPU per record, load average, the share of the CPU other processes took meanwhile) and, for each missed",
    "target, a CPU profile of edgelog.",
    "",
    `The run below: ${run.date.slice(0, 10)}, ${String(c["platform"])}, ${String(c["cpus"])} CPUs shared with other work (load average`,
    `${load(c["loadAverageAtStart"])} at the start, ${load(c["loadAverageAtEnd"])} at the end), clients on ${String(c["benchRuntime"]).replace(/ \(.*\)$/, "")}:`,
    `[${run.file}](${run.file}).`,
    "",
    markdownTable(rows),
    "",
    TABLE_LEGEND.replace(/^~ :/, "`~`:") + ".",
    "",
    "- Records of 100 B. Batched publish: edgelog sends one RecordBatch of 1000 records per produce request, acks=1, one",
    "  request in flight; NATS has no batch publish, so a batch is 1000 async `js.publish()` calls with a window of 1000",
    "  outstanding acks — the same 1000 records in flight. 6 partitions: 6 edgelog partitions, 6 JetStream streams.",
    "- Unbatched: one record per request, 1000 in flight on both sides. Consume: edgelog `subscribe` from earliest; NATS",
    "  an ordered consumer. Latency: open loop at 10,000 records/s, measured from each record's scheduled send time.",
    `- Durability: ${fsync.edgelog}. ${fsync.nats}.`,
    "- Limits: one WebSocket connection from the bench to a `Bun.serve` sink with no broker logic; the disk under the",
    "  data directory. A workload disturbed by other processes on the machine is measured again (up to 3 times, while",
    "  the run's time allows) and the least disturbed attempt kept.",
    "",
  ].join("\n");
}

/**
 * Replaces (or appends) the section in the README at `path`.
 *
 * @example
 * ```ts
 * await updateReadme("README.md", rows, run);
 * ```
 */
export async function updateReadme(path: string, rows: readonly Row[], run: { date: string; file: string; conditions: Record<string, unknown> }): Promise<void> {
  const text = await readFile(path, "utf8");
  const section = benchmarksSection(rows, run);
  const start = text.search(/^## Benchmarks[ \t]*$/m);
  let updated: string;
  if (start < 0) updated = `${text.trimEnd()}\n\n${section}`;
  else {
    const rest = text.slice(start + HEADING.length);
    const next = rest.search(/^## /m);
    updated = text.slice(0, start) + section + (next < 0 ? "" : `\n${rest.slice(next)}`);
  }
  await writeFile(path, updated);
}
