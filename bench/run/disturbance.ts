/**
 * How disturbed a measurement was on a shared machine: the share of the machine's CPU time (all
 * CPUs, including time stolen by the hypervisor) used by anything but the bench process, the
 * servers under test and the kernel's own threads (writeback of the data they write, journaling),
 * between start and stop. Read from /proc/stat and /proc/<pid>/stat (Linux).
 *
 * @example
 * ```ts
 * const meter = disturbanceMeter([broker.pid]);
 * // ... workload ...
 * const others = meter.stop(); // 0.12: others used 12 % of the machine meanwhile
 * ```
 * @module
 */
import { readdirSync, readFileSync } from "node:fs";
import { cpus } from "node:os";
import process from "node:process";
import { cpuMillis } from "../ws/broker-process.ts";

/** Disturbance above which a figure is measured again (when the run's time allows) or marked. */
export const DISTURBED = 0.3;

/** Busy CPU time of the whole machine so far, ms (user, nice, system, irq, softirq, steal). */
function machineBusyMillis(): number {
  const line = readFileSync("/proc/stat", "utf8").split("\n", 1)[0]!;
  const [, user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).map(Number);
  return (user! + nice! + system! + irq! + softirq! + (steal ?? 0)) * 10; // USER_HZ is 100 on Linux
}

/** The pids of the kernel's threads (children of kthreadd, pid 2). */
function kernelThreads(): number[] {
  const pids: number[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (ppid === 2) pids.push(Number(name));
    } catch {
      // exited meanwhile
    }
  }
  return pids;
}

function cpuOf(pids: readonly number[]): number {
  let ms = 0;
  for (const pid of pids) {
    try {
      ms += cpuMillis(pid);
    } catch {
      // gone: its time from here on is not counted for either side
    }
  }
  return ms;
}

function oursMillis(pids: readonly number[]): number {
  const self = process.cpuUsage();
  return (self.user + self.system) / 1000 + cpuOf(pids);
}

/**
 * Starts measuring; `stop()` returns the share (0–1) of the machine's CPU time that others used.
 * Undefined where /proc is missing.
 *
 * @example
 * ```ts
 * const meter = disturbanceMeter([sink.pid]);
 * ```
 */
export function disturbanceMeter(pids: readonly number[]): { stop(): number | undefined } {
  let start: { at: number; busy: number; ours: number; kernel: number; kthreads: number[] } | undefined;
  try {
    const kthreads = kernelThreads();
    start = { at: performance.now(), busy: machineBusyMillis(), ours: oursMillis(pids), kernel: cpuOf(kthreads), kthreads };
  } catch {
    start = undefined;
  }
  return {
    stop() {
      if (start === undefined) return undefined;
      const wall = performance.now() - start.at;
      if (wall <= 0) return 0;
      const others = machineBusyMillis() - start.busy - (oursMillis(pids) - start.ours) - (cpuOf(start.kthreads) - start.kernel);
      return Math.min(1, Math.max(0, others / (wall * cpus().length)));
    },
  };
}
