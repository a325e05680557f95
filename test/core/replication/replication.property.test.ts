import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { EdgelogError } from "../../../src/core/errors.ts";
import { TestCluster } from "./harness.ts";

type Action =
  | { kind: "produce"; acks: "all" | 1; count: number }
  | { kind: "pause"; from: number; to: number }
  | { kind: "resume"; from: number; to: number }
  | { kind: "advance"; ms: number }
  | { kind: "crash"; broker: number; keep: "none" | "all" | "random" }
  | { kind: "restart"; broker: number }
  | { kind: "elect"; broker: number };

const BROKERS = [1, 2, 3];
const broker = fc.constantFrom(...BROKERS);
const action: fc.Arbitrary<Action> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant("produce" as const), acks: fc.constantFrom("all" as const, 1 as const), count: fc.integer({ min: 1, max: 3 }) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant("pause" as const), from: broker, to: broker }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("resume" as const), from: broker, to: broker }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("advance" as const), ms: fc.integer({ min: 100, max: 12_000 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("crash" as const), broker, keep: fc.constantFrom("none" as const, "all" as const, "random" as const) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("restart" as const), broker }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant("elect" as const), broker }) },
);

/** A small seeded generator for the file systems' crashes. */
function seeded(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    return state / 2 ** 32;
  };
}

interface Acked {
  offset: number;
  value: string;
}

async function run(actions: Action[], seed: number): Promise<void> {
  const random = seeded(seed);
  const cluster = await TestCluster.create({ brokers: BROKERS, minInsyncReplicas: 2, replication: { replicaLagTimeMaxMs: 10_000 } });
  const down = new Set<number>();
  const acked: Acked[] = [];
  const pending: Array<{ values: string[]; baseOffset: number; status: string }> = [];
  const hwSeen = new Map<string, number>();
  let next = 0;
  try {
    for (const step of actions) {
      await apply(step);
      await cluster.settle();
      collectAcks();
      await checkInvariants();
    }
    // Heal: every link open, every broker back, time for retries, ISR checks and catching up.
    cluster.resumeAll();
    for (const id of [...down]) {
      down.delete(id);
      await cluster.restart(id);
    }
    await cluster.advance(12_000, 500);
    collectAcks();
    await checkInvariants();
    const leader = await cluster.batches(cluster.leaderId);
    for (const id of BROKERS) {
      expect(await cluster.batches(id)).toEqual(leader);
      expect((await cluster.log(id)).highWatermark).toBe((await cluster.log(cluster.leaderId)).logEndOffset);
    }
    expect(cluster.controller.state("t", 0).isr.sort()).toEqual(BROKERS);
    const values = await cluster.values(1);
    for (const a of acked) expect(values.get(a.offset)).toBe(a.value);
  } finally {
    await cluster.shutdown();
  }

  async function apply(step: Action): Promise<void> {
    const state = cluster.controller.state("t", 0);
    switch (step.kind) {
      case "produce": {
        const values = Array.from({ length: step.count }, () => `r${next++}`);
        try {
          const { baseOffset, done } = await cluster.produce(values, step.acks);
          const entry = { values, baseOffset, status: step.acks === "all" ? "pending" : "not-acked" };
          pending.push(entry);
          done.then(
            () => void (entry.status = entry.status === "pending" ? "ok" : entry.status),
            (error: unknown) => void (entry.status = error instanceof EdgelogError ? error.code : "failed"),
          );
        } catch (error) {
          if (!(error instanceof EdgelogError) || !["NOT_ENOUGH_REPLICAS", "NOT_LEADER_OR_FOLLOWER"].includes(error.code)) throw error;
        }
        return;
      }
      case "pause":
        if (step.from !== step.to) cluster.pause(step.from, step.to);
        return;
      case "resume":
        cluster.resume(step.from, step.to);
        return;
      case "advance":
        await cluster.advance(step.ms, 500);
        return;
      case "crash": {
        // A minority only, and never the last live in-sync replica: acknowledged data has a live copy.
        const others = state.isr.filter((id) => id !== step.broker && !down.has(id));
        if (down.size > 0 || down.has(step.broker) || others.length === 0) return;
        down.add(step.broker);
        await cluster.crash(step.broker, step.keep, random);
        return;
      }
      case "restart":
        if (!down.has(step.broker)) return;
        down.delete(step.broker);
        await cluster.restart(step.broker);
        return;
      case "elect":
        if (down.has(step.broker) || !state.isr.includes(step.broker) || state.leader === step.broker) return;
        await cluster.elect(step.broker);
        return;
    }
  }

  function collectAcks(): void {
    for (const entry of pending) {
      if (entry.status !== "ok") continue;
      entry.status = "recorded";
      entry.values.forEach((value, i) => acked.push({ offset: entry.baseOffset + i, value }));
    }
  }

  async function checkInvariants(): Promise<void> {
    const state = cluster.controller.state("t", 0);
    const leaderId = state.leader;
    expect(leaderId).toBeGreaterThan(0);
    const leaderLog = await cluster.log(leaderId);
    // The leader's high watermark never goes back within one leadership.
    const key = `${leaderId}@${state.leaderEpoch}`;
    if (cluster.manager(leaderId).isLeader("t", 0)) {
      expect(leaderLog.highWatermark).toBeGreaterThanOrEqual(hwSeen.get(key) ?? 0);
      hwSeen.set(key, leaderLog.highWatermark);
    }
    // No acknowledged record is lost.
    const values = await cluster.values(leaderId);
    for (const a of acked) expect(values.get(a.offset)).toBe(a.value);
    // No replica diverges from the leader below its high watermark.
    const leaderBatches = await cluster.batches(leaderId);
    for (const id of BROKERS) {
      if (down.has(id) || id === leaderId) continue;
      const hw = (await cluster.log(id)).highWatermark;
      expect(await cluster.batches(id, hw)).toEqual(leaderBatches.filter((b) => b.last < hw));
    }
  }
}

describe("replication (property)", () => {
  it("random appends, pauses, crashes and clean elections never lose an acknowledged record nor diverge below the high watermark", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(action, { minLength: 5, maxLength: 25 }), fc.integer({ min: 1, max: 2 ** 31 - 1 }), run),
      { numRuns: 25 },
    );
  }, 120_000);
});
