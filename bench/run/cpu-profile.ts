/**
 * Where the broker's time goes when a target is missed: the workload is run again against the broker
 * started from its sources under `bun --cpu-prof` (a Chrome .cpuprofile written when it exits), and
 * the samples are summed per function (self time) and per part of the request path:
 *
 * - `decode`: frame decoding and request validation (CBOR decode, src/protocol, RecordBatch header
 *   and framing checks);
 * - `crc`: CRC-32C of the batches;
 * - `append`: the log (src/core/log, the replica manager: appends, and the reads that feed pushes) and
 *   the file adapter;
 * - `send`: encoding replies and pushes and handing them to the socket (CBOR encode, the sessions'
 *   send path, the serve adapter);
 * - `other`: everything else (dispatch, the event loop, garbage collection, start-up).
 *
 * A sample counts for the part of its innermost frame that belongs to one (a native leaf such as
 * `writeSync` counts for the caller's part).
 *
 * @example
 * ```ts
 * const summary = summarizeProfile(JSON.parse(await readFile(path, "utf8")));
 * console.log(summary.parts, summary.top.slice(0, 5));
 * ```
 * @module
 */
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";

/**
 * The parts of the request path a sample is counted for.
 *
 * @example
 * ```ts
 * const part: ProfilePart = "crc";
 * ```
 */
export type ProfilePart = "decode" | "crc" | "append" | "send" | "other";

/**
 * The summary of one profile.
 *
 * @example
 * ```ts
 * const s: ProfileSummary = summarizeProfile(profile);
 * ```
 */
export interface ProfileSummary {
  /** Milliseconds sampled (the JS thread busy) and wall time of the profile. */
  sampledMs: number;
  wallMs: number;
  /** Share of the sampled time per part, 0–1, and its milliseconds. */
  parts: Record<ProfilePart, { ms: number; share: number }>;
  /** Functions by self time, largest first. */
  top: { fn: string; at: string; part: ProfilePart; ms: number; share: number }[];
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

/**
 * A Chrome CPU profile as `bun --cpu-prof` writes it.
 *
 * @example
 * ```ts
 * const profile = JSON.parse(text) as CpuProfile;
 * ```
 */
export interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** Part rules on a frame's source path (first match wins), then on its function name. */
const URL_PARTS: [RegExp, ProfilePart][] = [
  [/crc32c/, "crc"],
  [/cbor-x\/decode|src\/protocol\/(?!.*(?:encode|push))|record\/(batch-header|decode-record-batch|scan-batches|varint|int64)|log\/append-validation/, "decode"],
  [/cbor-x\/encode|src\/protocol\/(push|.*encode)|server\/(session-socket|subscription|credit|record-views)/, "send"],
  [/src\/core\/(log|replication)\/|adapters\/\w+\/file-system|server\/(replica-waiter|broker-context)/, "append"],
];
/** Rules on the function name, for native frames and the sources (e.g. the serve adapter's send path). */
const NAME_PARTS: [RegExp, ProfilePart][] = [
  [/^(flush|drain|send\w*|cork|publish)$/, "send"],
  [/^(decodeFrame|decode\w*|validate\w*)$/, "decode"],
  [/^(encodeFrame|encode\w*)$/, "send"],
  [/^(append\w*|writeSync|fdatasync\w*|fsync\w*)$/, "append"],
];

function partOfFrame(frame: ProfileNode["callFrame"]): ProfilePart | undefined {
  for (const [rule, part] of URL_PARTS) if (frame.url !== "" && rule.test(frame.url)) return part;
  if (frame.url === "" || frame.url.includes("/src/")) {
    for (const [rule, part] of NAME_PARTS) if (rule.test(frame.functionName)) return part;
  }
  return undefined;
}

/**
 * Sums a profile's samples per part and per function.
 *
 * @example
 * ```ts
 * const { parts } = summarizeProfile(profile);
 * console.log(`CRC ${(parts.crc.share * 100).toFixed(0)} %`);
 * ```
 */
export function summarizeProfile(profile: CpuProfile, topCount = 15): ProfileSummary {
  const byId = new Map<number, ProfileNode>();
  const parent = new Map<number, number>();
  for (const node of profile.nodes) {
    byId.set(node.id, node);
    for (const child of node.children ?? []) parent.set(child, node.id);
  }
  const partCache = new Map<number, ProfilePart>();
  const partOf = (id: number): ProfilePart => {
    const cached = partCache.get(id);
    if (cached !== undefined) return cached;
    let part: ProfilePart = "other";
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const found = partOfFrame(byId.get(at)!.callFrame);
      if (found !== undefined) {
        part = found;
        break;
      }
    }
    partCache.set(id, part);
    return part;
  };
  // the time of sample k is the gap to the next sample (capped: the profiler does not sample idle)
  const interval = median(profile.timeDeltas);
  const selfUs = new Map<number, number>();
  for (let k = 0; k < profile.samples.length; k++) {
    const gap = Math.min(profile.timeDeltas[k + 1] ?? interval, interval * 4);
    selfUs.set(profile.samples[k]!, (selfUs.get(profile.samples[k]!) ?? 0) + gap);
  }
  let total = 0;
  const parts: Record<ProfilePart, { ms: number; share: number }> = {
    decode: { ms: 0, share: 0 },
    crc: { ms: 0, share: 0 },
    append: { ms: 0, share: 0 },
    send: { ms: 0, share: 0 },
    other: { ms: 0, share: 0 },
  };
  const byFunction = new Map<string, { fn: string; at: string; part: ProfilePart; ms: number; share: number }>();
  for (const [id, us] of selfUs) {
    total += us;
    const part = partOf(id);
    parts[part].ms += us / 1000;
    const frame = byId.get(id)!.callFrame;
    const at = frame.url === "" ? "(native)" : `${frame.url.replace(/^file:\/\//, "").replace(/^.*?\/(src|node_modules)\//, "$1/")}:${frame.lineNumber + 1}`;
    const fn = frame.functionName || "(anonymous)";
    const key = `${fn} ${at} ${part}`;
    const entry = byFunction.get(key) ?? { fn, at, part, ms: 0, share: 0 };
    entry.ms += us / 1000;
    byFunction.set(key, entry);
  }
  for (const p of Object.values(parts)) p.share = total > 0 ? p.ms / (total / 1000) : 0;
  const top = [...byFunction.values()].sort((a, b) => b.ms - a.ms).slice(0, topCount);
  for (const t of top) t.share = total > 0 ? t.ms / (total / 1000) : 0;
  return { sampledMs: total / 1000, wallMs: (profile.endTime - profile.startTime) / 1000, parts, top };
}

function median(values: readonly number[]): number {
  if (values.length === 0) return 1000;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[sorted.length >> 1]!;
}

/**
 * Reads the profile `bun --cpu-prof --cpu-prof-dir=<dir>` wrote into `dir` and summarizes it.
 *
 * @example
 * ```ts
 * const summary = await readProfile(profileDir);
 * ```
 */
export async function readProfile(dir: string): Promise<ProfileSummary> {
  const file = (await readdir(dir)).find((name) => name.endsWith(".cpuprofile"));
  if (file === undefined) throw new Error(`No .cpuprofile in ${dir}`);
  return summarizeProfile(JSON.parse(await readFile(join(dir, file), "utf8")) as CpuProfile);
}

/**
 * A few lines about a summary: the parts, then the top functions.
 *
 * @example
 * ```ts
 * console.log(formatProfile(summary, 8));
 * ```
 */
export function formatProfile(summary: ProfileSummary, topCount = 8): string {
  const pct = (share: number): string => `${(share * 100).toFixed(0)} %`;
  const parts = (Object.entries(summary.parts) as [ProfilePart, { share: number }][]).map(([name, p]) => `${name} ${pct(p.share)}`).join(", ");
  const top = summary.top.slice(0, topCount).map((t) => `    ${pct(t.share).padStart(5)}  ${t.part.padEnd(6)}  ${t.fn} (${t.at})`);
  return [`  JS thread busy ${summary.sampledMs.toFixed(0)} ms of ${summary.wallMs.toFixed(0)} ms: ${parts}`, ...top].join("\n");
}
