/**
 * The figures of the WebSocket bench: one line per measurement with its target, the CPU meter that
 * annotates throughput figures, and the printed table.
 *
 * @example
 * ```ts
 * figure("produce, batched", 1_250_000, "records/s", { op: "≥", value: 1_000_000 });
 * console.log(resultsTable());
 * ```
 * @module
 */
import process from "node:process";
import { writeResultsFile } from "../run/results-file.ts";
import { cpuMillis } from "./broker-process.ts";

/** 10^6 bytes, for MB/s. */
export const MB = 1_000_000;
/** 2^20 bytes, for memory. */
export const MiB = 1024 * 1024;

/**
 * One line of the results table.
 *
 * @example
 * ```ts
 * const f: Figure = { name: "idle RSS", value: 45.6, unit: "MiB", target: { op: "≤", value: 50 } };
 * ```
 */
export interface Figure {
  name: string;
  value: number | null;
  unit: string;
  target?: { op: "≥" | "≤"; value: number };
  error?: string;
  note?: string;
}

/**
 * Every figure of this run, in the order measured.
 *
 * @example
 * ```ts
 * const failed = figures.some((f) => f.value === null);
 * ```
 */
export const figures: Figure[] = [];

/**
 * Adds a figure.
 *
 * @example
 * ```ts
 * figure("start → listening", 18.2, "ms", { op: "≤", value: 20 });
 * ```
 */
export function figure(name: string, value: number, unit: string, target?: Figure["target"], note?: string): void {
  figures.push({ name, value, unit, ...(target ? { target } : {}), ...(note ? { note } : {}) });
}

/**
 * CPU used by the broker and by this process from now until `stop`, per record.
 *
 * @example
 * ```ts
 * const meter = cpuMeter(broker.pid);
 * // ... load ...
 * console.log(meter.stop(records).text);
 * ```
 */
export function cpuMeter(brokerPid: number): { stop(records: number): { brokerUsPerRecord: number; clientUsPerRecord: number; text: string } } {
  const broker = cpuMillis(brokerPid);
  const client = process.cpuUsage();
  return {
    stop(records) {
      const brokerUsPerRecord = ((cpuMillis(brokerPid) - broker) * 1000) / records;
      const used = process.cpuUsage(client);
      const clientUsPerRecord = (used.user + used.system) / records;
      return { brokerUsPerRecord, clientUsPerRecord, text: `CPU per record: broker ${brokerUsPerRecord.toFixed(2)} µs, bench client ${clientUsPerRecord.toFixed(2)} µs` };
    },
  };
}

/**
 * Whether a figure meets its target; undefined without one, false when it failed to measure.
 *
 * @example
 * ```ts
 * passes({ name: "x", value: 3, unit: "ms", target: { op: "≤", value: 5 } }); // true
 * ```
 */
export function passes(f: Figure): boolean | undefined {
  if (f.value === null) return false;
  if (!f.target) return undefined;
  return f.target.op === "≥" ? f.value >= f.target.value : f.value <= f.target.value;
}

function formatValue(f: Figure): string {
  if (f.value === null) return `error: ${f.error}`;
  const digits = f.unit === "ms" ? 2 : f.unit === "MiB" || f.unit === "MB/s" ? 1 : 0;
  return `${f.value.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits })} ${f.unit}`;
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows.map((r) => r.map((cell, c) => (c === 0 || c === 3 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join("  ")).join("\n");
}

/**
 * The table of every figure: name, value, target, pass or FAIL.
 *
 * @example
 * ```ts
 * console.log(resultsTable());
 * ```
 */
export function resultsTable(): string {
  return table([
    ["figure", "value", "target", "result"],
    ...figures.map((f) => {
      const ok = passes(f);
      const target = f.target ? `${f.target.op} ${f.target.value.toLocaleString("en-US")} ${f.unit}` : "—";
      return [f.name, formatValue(f), target, ok === undefined ? "" : ok ? "pass" : "FAIL"];
    }),
  ]);
}

/**
 * Runs one phase of a bench; a failure becomes failed figures (value null) named `names` instead of
 * ending the run. Without `label` the phase's names and its time share one line; with it, the label
 * has a line of its own, then comes what the phase prints, then its time.
 *
 * @example
 * ```ts
 * await phase(["produce, batched"], () => produceThroughput(broker));
 * await phase(["fail-over: kill -9 leader"], () => failover(cluster), "fail-over");
 * ```
 */
export async function phase(names: string[], run: () => Promise<void>, label?: string): Promise<void> {
  if (label === undefined) process.stdout.write(`- ${names.join(", ")} ... `);
  else console.log(`- ${label}`);
  const indent = label === undefined ? "" : "  ";
  const started = performance.now();
  try {
    await run();
    console.log(`${indent}${((performance.now() - started) / 1000).toFixed(1)} s`);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    console.log(`${indent}FAILED: ${message}`);
    for (const name of names) figures.push({ name, value: null, unit: "", error: message.split("\n")[0]! });
  }
}

/**
 * Prints the table of every figure, then the notes of those that have one.
 *
 * @example
 * ```ts
 * printFigures();
 * ```
 */
export function printFigures(): void {
  console.log("");
  console.log(resultsTable());
  const notes = figures.filter((f) => f.note);
  if (notes.length > 0) console.log(`\n${notes.map((f) => `${f.name.trim()}: ${f.note}`).join("\n")}`);
}

/**
 * Writes `bench/results/<prefix><date>.json` with the date, `conditions` and every figure with its
 * verdict, prints where, and sets exit code 1 when a figure failed.
 *
 * @example
 * ```ts
 * await saveFigures("ws-", conditions);
 * ```
 */
export async function saveFigures(prefix: string, conditions: Record<string, unknown>): Promise<void> {
  const date = new Date().toISOString();
  const results = figures.map((f) => ({ ...f, pass: passes(f) ?? null }));
  const file = await writeResultsFile(prefix, date, { date, conditions, figures: results });
  console.log(`\nwritten to ${file}`);
  if (figures.some((f) => f.value === null)) process.exitCode = 1;
}
