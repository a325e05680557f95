/**
 * Profiles edgelog under one workload: the broker is started from its sources
 * (`bun --cpu-prof --cpu-prof-dir=<tmp> src/cli/main.ts serve`, with the measured broker's settings), the
 * workload runs as in the measured run, the broker stops (SIGTERM, so the profile is written) and
 * the profile is summarized into decode / CRC / append / send / other and its top functions
 * (cpu-profile.ts), with what would shrink the largest parts.
 *
 * @example
 * ```ts
 * const profile = await profileEdgelog(root, "publish64k", sizes);
 * console.log(formatProfile(profile.summary));
 * ```
 * @module
 */
import { mkdtemp } from "node:fs/promises";
import { join } from "node:path";
import process from "node:process";
import { ROOT, startBroker } from "../ws/broker-process.ts";
import { readProfile, type ProfilePart, type ProfileSummary } from "./cpu-profile.ts";
import { EDGELOG_OVERRIDES } from "./edgelog-side.ts";
import { runEdgelogWorkload, type EdgelogSizes, type EdgelogWorkload } from "./edgelog-workloads.ts";
import type { SideResults } from "./measure.ts";

/**
 * A profile of one workload.
 *
 * @example
 * ```ts
 * const p: EdgelogProfile = await profileEdgelog(root, "unbatched", sizes);
 * ```
 */
export interface EdgelogProfile {
  workload: EdgelogWorkload;
  command: string;
  /** The figures measured while profiling (slower than unprofiled). */
  figures: SideResults;
  summary: ProfileSummary;
  /** What each of the largest parts is spent on and what would cut it. */
  remedies: string[];
}

/** What usually cuts each part of the request path (the top functions say which applies). */
const REMEDIES: Record<ProfilePart, string> = {
  append: "the log on the JS thread (appends copied into one buffer and written with a synchronous write(2); reads for pushes): writev of the received batch bytes without the copy, or the file I/O off the JS thread",
  crc: "CRC-32C of every batch in JS (Bun and Node ship only the IEEE CRC-32): a native crc32c, or validating batches off the JS thread",
  decode: "CBOR decoding and batch framing checks: decode the batches field as a view into the frame, validate once per group",
  send: "encoding replies and pushes and the socket send: cork several replies into one write, encode fewer fields",
  other: "dispatch, timers, event loop and garbage collection: fewer allocations and promises per request",
};

/**
 * Runs `workload` against a profiled broker built from the sources and summarizes the profile.
 *
 * @example
 * ```ts
 * const profile = await profileEdgelog(root, "consume", sizes);
 * ```
 */
export async function profileEdgelog(root: string, workload: EdgelogWorkload, sizes: EdgelogSizes): Promise<EdgelogProfile> {
  const dir = await mkdtemp(join(root, `profile-${workload}-`));
  const profileDir = join(dir, "profile");
  const command = [process.execPath, "--cpu-prof", `--cpu-prof-dir=${profileDir}`, join(ROOT, "src", "cli", "main.ts")];
  const overrides = EDGELOG_OVERRIDES;
  const broker = await startBroker({ dataDir: join(dir, "data"), raiseFdLimit: true, command, overrides });
  const figures: SideResults = {};
  try {
    await runEdgelogWorkload(workload, broker, sizes, figures, {});
  } finally {
    await broker.stop();
  }
  const summary = await readProfile(profileDir);
  const ranked = (Object.entries(summary.parts) as [ProfilePart, { share: number }][]).sort((a, b) => b[1].share - a[1].share);
  const remedies = ranked
    .filter(([, p]) => p.share >= 0.1)
    .map(([part, p]) => {
      const top = summary.top.filter((t) => t.part === part).slice(0, 3).map((t) => `${t.fn} ${(t.share * 100).toFixed(0)} %`);
      return `${part} ${(p.share * 100).toFixed(0)} % (${top.join(", ")}): ${REMEDIES[part]}`;
    });
  const commandLine = `${command.join(" ")} serve ${overrides.map((o) => `--override ${o}`).join(" ")}`;
  return { workload, command: commandLine, figures, summary, remedies };
}
