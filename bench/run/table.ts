/**
 * The one table of `npm run bench`: each row a figure with edgelog's value, NATS JetStream's over
 * WebSocket and over TCP, the machine's limit where one applies, the ratios edgelog/NATS (against the
 * better NATS transport) and edgelog/limit, and the target it is held to with pass or FAIL.
 *
 * @example
 * ```ts
 * const rows = compareRows({ edgelog, natsWs, natsTcp, limits });
 * console.log(formatTable(rows));
 * ```
 * @module
 */
import { DISTURBED } from "./disturbance.ts";
import type { FigureKey, Measure, SideResults } from "./measure.ts";

/**
 * The limits a row can be compared with, as measured (undefined when not measured).
 *
 * @example
 * ```ts
 * const limits: LimitFigures = { ws64k: { mbPerSecond: 1000, framesPerSecond: 15_000 } };
 * ```
 */
export interface LimitFigures {
  ws100?: WebSocketLimit;
  ws1k?: WebSocketLimit;
  ws64k?: WebSocketLimit;
  disk?: { writeMbPerSecond: number; bufferedWriteMbPerSecond: number; fdatasyncP50Ms: number; fdatasyncP99Ms: number; disturbance?: number };
  /** Stored bytes per 100 B record in a batch of 1000 (for limits in records/s). */
  storedBytesPerRecord?: number;
}

/**
 * A raw WebSocket limit as {@link LimitFigures} holds it.
 *
 * @example
 * ```ts
 * const ws: WebSocketLimit = { mbPerSecond: 1000, framesPerSecond: 15_000, disturbance: 0.1 };
 * ```
 */
export interface WebSocketLimit {
  mbPerSecond: number;
  framesPerSecond: number;
  disturbance?: number;
}

/** A limit of a row: its value, what it is, and how disturbed its measurement was. */
type RowLimit = { value: number; what: string; disturbance?: number };

/**
 * What a row is held to: a ratio against NATS or the limit, or edgelog's own value.
 *
 * @example
 * ```ts
 * const t: Target = { of: "vsNats", op: "≥", value: 10 };
 * ```
 */
export interface Target {
  of: "vsNats" | "vsLimit" | "edgelog";
  op: "≥" | "≤";
  value: number;
}

/**
 * One computed row.
 *
 * @example
 * ```ts
 * for (const row of rows) console.log(row.figure, row.edgelog?.value, row.pass);
 * ```
 */
export interface Row {
  figure: string;
  unit: string;
  lowerIsBetter: boolean;
  edgelog?: Measure;
  natsWs?: Measure;
  natsTcp?: Measure;
  limit?: RowLimit;
  /** edgelog / the better NATS transport. */
  vsNats?: number;
  vsLimit?: number;
  target?: Target;
  /** Whether the target is met; undefined without a target or a value to judge. */
  pass?: boolean;
}

interface RowSpec {
  figure: string;
  unit: string;
  lowerIsBetter?: boolean;
  key?: FigureKey;
  nats?: boolean;
  limit?: (l: LimitFigures) => RowLimit | undefined;
  target?: Target;
}

const perRecord = (l: LimitFigures): number => l.storedBytesPerRecord ?? 110;
const dist = (m: { disturbance?: number }): { disturbance?: number } => (m.disturbance !== undefined ? { disturbance: m.disturbance } : {});

const SPECS: RowSpec[] = [
  { figure: "persisted publish, batches of 1000, 1 partition", unit: "records/s", key: "publish1", nats: true, target: { of: "vsNats", op: "≥", value: 10 } },
  { figure: "persisted publish, batches of 1000, 6 partitions", unit: "records/s", key: "publish6", nats: true, target: { of: "vsNats", op: "≥", value: 10 } },
  {
    figure: "persisted publish, 1 partition: bytes",
    unit: "MB/s",
    key: "publish1Bytes",
    nats: true,
    limit: (l) => (l.disk ? { value: l.disk.writeMbPerSecond, what: "disk sequential write (1 MiB writes + fdatasync)", ...dist(l.disk) } : undefined),
  },
  {
    figure: "publish, 64 KiB frames, 1 partition",
    unit: "MB/s",
    key: "publish64k",
    limit: (l) => (l.ws64k ? { value: l.ws64k.mbPerSecond, what: "raw WebSocket, 64 KiB frames", ...dist(l.ws64k) } : undefined),
    target: { of: "vsLimit", op: "≥", value: 0.5 },
  },
  {
    figure: "unbatched publish, 1 record/request, 1000 in flight",
    unit: "records/s",
    key: "unbatched",
    nats: true,
    limit: (l) => (l.ws100 ? { value: l.ws100.framesPerSecond, what: "raw WebSocket, 100 B frames per second", ...dist(l.ws100) } : undefined),
    target: { of: "vsNats", op: "≥", value: 1 },
  },
  {
    figure: "consume a 1M-record partition from the start",
    unit: "records/s",
    key: "consume",
    nats: true,
    limit: (l) => (l.ws64k ? { value: (l.ws64k.mbPerSecond * 1e6) / perRecord(l), what: `raw WebSocket 64 KiB frames ÷ ${perRecord(l).toFixed(0)} B per stored record`, ...dist(l.ws64k) } : undefined),
    target: { of: "vsNats", op: "≥", value: 3 },
  },
  { figure: "e2e latency p50, 10,000 records/s open loop", unit: "ms", lowerIsBetter: true, key: "e2eP50", nats: true },
  { figure: "e2e latency p99, 10,000 records/s open loop", unit: "ms", lowerIsBetter: true, key: "e2eP99", nats: true, target: { of: "edgelog", op: "≤", value: 5 } },
  { figure: "e2e latency p99.9, 10,000 records/s open loop", unit: "ms", lowerIsBetter: true, key: "e2eP999", nats: true },
  { figure: "resident memory, idle", unit: "MiB", lowerIsBetter: true, key: "idleRss", nats: true },
  { figure: "resident memory, peak under the workloads", unit: "MiB", lowerIsBetter: true, key: "loadRss", nats: true },
  { figure: "start → listening (median)", unit: "ms", lowerIsBetter: true, key: "startMs", nats: true },
  { figure: "limit: raw WebSocket, 100 B frames", unit: "MB/s", limit: (l) => (l.ws100 ? { value: l.ws100.mbPerSecond, what: "one connection, Bun.serve sink", ...dist(l.ws100) } : undefined) },
  { figure: "limit: raw WebSocket, 1 KiB frames", unit: "MB/s", limit: (l) => (l.ws1k ? { value: l.ws1k.mbPerSecond, what: "one connection, Bun.serve sink", ...dist(l.ws1k) } : undefined) },
  { figure: "limit: raw WebSocket, 64 KiB frames", unit: "MB/s", limit: (l) => (l.ws64k ? { value: l.ws64k.mbPerSecond, what: "one connection, Bun.serve sink", ...dist(l.ws64k) } : undefined) },
  {
    figure: "limit: write(2) into the page cache, 1 MiB writes",
    unit: "MB/s",
    limit: (l) => (l.disk ? { value: l.disk.bufferedWriteMbPerSecond, what: "the write calls of the sequential write, without its fdatasync", ...dist(l.disk) } : undefined),
  },
  {
    figure: "limit: 64 KiB frames received and written by one thread",
    unit: "MB/s",
    limit: (l) =>
      l.ws64k && l.disk
        ? { value: 1 / (1 / l.ws64k.mbPerSecond + 1 / l.disk.bufferedWriteMbPerSecond), what: "1 / (1 / raw WebSocket 64 KiB + 1 / write(2)): both on one thread, one after the other", ...dist(l.ws64k) }
        : undefined,
  },
  { figure: "limit: 4 KiB append + fdatasync, p50", unit: "ms", lowerIsBetter: true, limit: (l) => (l.disk ? { value: l.disk.fdatasyncP50Ms, what: "1000 in the data directory", ...dist(l.disk) } : undefined) },
  { figure: "limit: 4 KiB append + fdatasync, p99", unit: "ms", lowerIsBetter: true, limit: (l) => (l.disk ? { value: l.disk.fdatasyncP99Ms, what: "1000 in the data directory", ...dist(l.disk) } : undefined) },
];

/**
 * Computes every row from the sides' figures.
 *
 * @example
 * ```ts
 * const rows = compareRows({ edgelog, natsWs, natsTcp, limits });
 * ```
 */
export function compareRows(sides: { edgelog: SideResults; natsWs: SideResults; natsTcp: SideResults; limits: LimitFigures }): Row[] {
  return SPECS.map((spec) => {
    const lowerIsBetter = spec.lowerIsBetter ?? false;
    const row: Row = { figure: spec.figure, unit: spec.unit, lowerIsBetter };
    if (spec.key) {
      const e = sides.edgelog[spec.key];
      if (e) row.edgelog = e;
      if (spec.nats) {
        const ws = sides.natsWs[spec.key];
        const tcp = sides.natsTcp[spec.key];
        if (ws) row.natsWs = ws;
        if (tcp) row.natsTcp = tcp;
      }
    }
    const limit = spec.limit?.(sides.limits);
    if (limit) row.limit = limit;
    const ev = row.edgelog?.value ?? null;
    const natsValues = [row.natsWs?.value, row.natsTcp?.value].filter((v): v is number => typeof v === "number");
    if (ev !== null && natsValues.length > 0) {
      const best = lowerIsBetter ? Math.min(...natsValues) : Math.max(...natsValues);
      if (best > 0) row.vsNats = ev / best;
    }
    if (ev !== null && limit && limit.value > 0) row.vsLimit = ev / limit.value;
    if (spec.target) {
      row.target = spec.target;
      const judged = spec.target.of === "vsNats" ? row.vsNats : spec.target.of === "vsLimit" ? row.vsLimit : (ev ?? undefined);
      if (judged !== undefined) row.pass = spec.target.op === "≥" ? judged >= spec.target.value : judged <= spec.target.value;
      else if (row.edgelog?.value === null) row.pass = false;
    }
    return row;
  });
}

function digits(unit: string): number {
  if (unit === "ms") return 2;
  if (unit === "MiB" || unit === "MB/s") return 1;
  return 0;
}

/** "~" before a value measured while others used more than {@link DISTURBED} of the machine. */
function mark(disturbance: number | undefined): string {
  return disturbance !== undefined && disturbance > DISTURBED ? "~" : "";
}

function formatMeasure(m: Measure | undefined, unit: string): string {
  if (m === undefined) return "—";
  if (m.value === null) return "error";
  return mark(m.disturbance) + formatNumber(m.value, unit);
}

function formatNumber(value: number, unit: string): string {
  const d = digits(unit);
  return value.toLocaleString("en-US", { minimumFractionDigits: d, maximumFractionDigits: d });
}

function formatRatio(r: number | undefined): string {
  if (r === undefined) return "—";
  return `${r >= 10 ? r.toFixed(0) : r >= 1 ? r.toFixed(1) : r.toFixed(2)}×`;
}

/**
 * The target of a row as text, e.g. "edgelog/NATS ≥ 10×".
 *
 * @example
 * ```ts
 * targetText({ of: "edgelog", op: "≤", value: 5 }, "ms"); // "≤ 5 ms"
 * ```
 */
export function targetText(target: Target | undefined, unit: string): string {
  if (!target) return "";
  if (target.of === "vsNats") return `edgelog/NATS ${target.op} ${target.value}×`;
  if (target.of === "vsLimit") return `edgelog/limit ${target.op} ${target.value}×`;
  return `${target.op} ${target.value} ${unit}`;
}

/**
 * The cells of the table, header first: figure (with unit), edgelog, NATS (WS), NATS (TCP), limit,
 * edgelog/NATS, edgelog/limit, target.
 *
 * @example
 * ```ts
 * const cells = tableCells(rows);
 * ```
 */
export function tableCells(rows: readonly Row[]): string[][] {
  return [
    ["figure", "edgelog", "NATS (WS)", "NATS (TCP)", "limit", "edgelog/NATS", "edgelog/limit", "target"],
    ...rows.map((r) => [
      `${r.figure} (${r.unit})`,
      formatMeasure(r.edgelog, r.unit),
      formatMeasure(r.natsWs, r.unit),
      formatMeasure(r.natsTcp, r.unit),
      r.limit ? mark(r.limit.disturbance) + formatNumber(r.limit.value, r.unit) : "—",
      formatRatio(r.vsNats),
      formatRatio(r.vsLimit),
      r.target ? `${targetText(r.target, r.unit)}: ${r.pass === undefined ? "n/a" : r.pass ? "pass" : "FAIL"}` : "",
    ]),
  ];
}

/**
 * The line that explains the marks of {@link tableCells}.
 *
 * @example
 * ```ts
 * console.log(formatTable(rows), "\n", TABLE_LEGEND);
 * ```
 */
export const TABLE_LEGEND =
  `~ : measured while other processes used more than ${DISTURBED * 100} % of the machine's CPU (the least disturbed of up to 3 attempts); ` +
  "edgelog/NATS: against the better NATS transport; for ms and MiB lower is better";

/**
 * The table as aligned plain text.
 *
 * @example
 * ```ts
 * console.log(formatTable(rows));
 * ```
 */
export function formatTable(rows: readonly Row[]): string {
  const cells = tableCells(rows);
  const widths = cells[0]!.map((_, c) => Math.max(...cells.map((r) => r[c]!.length)));
  return cells.map((r) => r.map((cell, c) => (c === 0 || c === 7 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join("  ").trimEnd()).join("\n");
}

/**
 * The table as GitHub Markdown (for the README).
 *
 * @example
 * ```ts
 * console.log(markdownTable(rows));
 * ```
 */
export function markdownTable(rows: readonly Row[]): string {
  const [head, ...body] = tableCells(rows);
  // a lone "~" could start a strikethrough in GitHub's Markdown
  const line = (cells: string[]): string => `| ${cells.map((c) => c.replace(/^~/, "\\~")).join(" | ")} |`;
  return [line(head!), line(head!.map((_, c) => (c === 0 || c === 7 ? "---" : "---:"))), ...body.map(line)].join("\n");
}
