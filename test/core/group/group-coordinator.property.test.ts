import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isEdgelogError } from "../../../src/core/errors.ts";
import type { HeartbeatResponse } from "../../../src/core/group/coordinator-types.ts";
import type { TopicPartitions } from "../../../src/core/group/topic-partitions.ts";
import { type CoordinatorEnv, names, startCoordinator } from "./helpers.ts";

const SESSION = 10_000;
const SLOTS = 6;

/** One client process: what the coordinator gave it, and what counts as owned by it. */
interface Proc {
  slot: number;
  memberId: string | undefined;
  epoch: number;
  instanceId: string | undefined;
  topics: string[];
  /** What the client consumes now (it drops revoked partitions as soon as it learns of them). */
  has: TopicPartitions[];
  /** Owned from the response that assigned it until a heartbeat reports it released, or the member is removed. */
  held: Set<string>;
  alive: boolean;
}

type Op =
  | { op: "join" | "beat" | "leave" | "leaveStatic" | "crash" | "commit"; slot: number }
  | { op: "tick"; ms: number };

const opArbitrary: fc.Arbitrary<Op> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ op: fc.constant("join" as const), slot: fc.integer({ min: 0, max: SLOTS - 1 }) }) },
  { weight: 4, arbitrary: fc.record({ op: fc.constant("beat" as const), slot: fc.integer({ min: 0, max: SLOTS - 1 }) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("leave" as const), slot: fc.integer({ min: 0, max: SLOTS - 1 }) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("leaveStatic" as const), slot: fc.integer({ min: 0, max: SLOTS - 1 }) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("crash" as const), slot: fc.integer({ min: 0, max: SLOTS - 1 }) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant("commit" as const), slot: fc.integer({ min: 0, max: SLOTS - 1 }) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant("tick" as const), ms: fc.integer({ min: 100, max: 4000 }) }) },
);

const scenario = fc.record({
  assignor: fc.constantFrom("uniform", "range", "roundrobin"),
  homogeneous: fc.boolean(),
  delay: fc.constantFrom(0, 2000),
  partitions: fc.record({ a: fc.integer({ min: 1, max: 5 }), b: fc.integer({ min: 1, max: 4 }) }),
  ops: fc.array(opArbitrary, { maxLength: 50 }),
});

class Model {
  readonly procs: Proc[] = [];
  readonly current = new Map<number, Proc>();
  constructor(
    private readonly env: CoordinatorEnv,
    private readonly assignor: string,
    private readonly homogeneous: boolean,
  ) {}

  join(slot: number): void {
    if (this.current.get(slot)?.alive) return;
    const proc: Proc = {
      slot,
      memberId: undefined,
      epoch: 0,
      instanceId: slot % 2 === 0 ? `instance-${slot}` : undefined,
      topics: this.homogeneous ? ["a", "b"] : [["a"], ["b"], ["a", "b"]][slot % 3]!,
      has: [],
      held: new Set(),
      alive: true,
    };
    this.procs.push(proc);
    this.current.set(slot, proc);
    const r = this.env.coordinator.heartbeat({
      groupId: "g",
      memberEpoch: 0,
      clientId: `c${slot}`,
      host: "h",
      subscribedTopics: proc.topics,
      assignor: this.assignor,
      ownedPartitions: [],
      ...(proc.instanceId === undefined ? {} : { instanceId: proc.instanceId }),
    });
    this.take(proc, r);
  }

  beat(slot: number): void {
    const proc = this.current.get(slot);
    if (proc === undefined || !proc.alive) return;
    proc.held = new Set(names(proc.has)); // the heartbeat reports what it still has: the rest is released
    const r = this.env.coordinator.heartbeat({
      groupId: "g",
      memberId: proc.memberId!,
      memberEpoch: proc.epoch,
      clientId: `c${slot}`,
      host: "h",
      ownedPartitions: proc.has,
      ...(proc.instanceId === undefined ? {} : { instanceId: proc.instanceId }),
    });
    this.take(proc, r);
  }

  leave(slot: number, temporarily: boolean): void {
    const proc = this.current.get(slot);
    if (proc === undefined || !proc.alive || (temporarily && proc.instanceId === undefined)) return;
    proc.alive = false;
    proc.held.clear(); // a leaving client has stopped consuming
    proc.has = [];
    const r = this.env.coordinator.heartbeat({
      groupId: "g",
      memberId: proc.memberId!,
      memberEpoch: temporarily ? -2 : -1,
      clientId: `c${slot}`,
      host: "h",
      ...(proc.instanceId === undefined ? {} : { instanceId: proc.instanceId }),
    });
    expect(r.memberEpoch).toBe(temporarily ? -2 : -1);
  }

  crash(slot: number): void {
    const proc = this.current.get(slot);
    if (proc !== undefined) proc.alive = false; // keeps holding what it held until the coordinator removes it
  }

  async commit(slot: number): Promise<void> {
    const proc = this.current.get(slot);
    if (proc === undefined || !proc.alive) return;
    const tp = proc.has[0] ?? { topic: "a", partitions: [0] };
    // A live member that follows the protocol is never fenced.
    await this.env.coordinator.commitOffsets({
      groupId: "g",
      memberId: proc.memberId!,
      memberEpoch: proc.epoch,
      offsets: [{ topic: tp.topic, partition: tp.partitions[0] ?? 0, offset: 1 }],
    });
  }

  tick(ms: number): void {
    this.env.clock.advance(ms);
    for (const slot of this.current.keys()) this.beat(slot);
  }

  /** Drops what members the coordinator removed still held; then checks nobody shares a partition. */
  check(): void {
    const members = new Set(this.env.coordinator.describeGroups(["g"])[0]!.members.map((m) => m.memberId));
    for (const proc of this.procs) if (!members.has(proc.memberId!)) proc.held.clear();
    const owner = new Map<string, Proc>();
    for (const proc of this.procs) {
      for (const p of proc.held) {
        const other = owner.get(p);
        if (other !== undefined) throw new Error(`${p} is held by slot ${other.slot} (${other.memberId}) and slot ${proc.slot} (${proc.memberId})`);
        owner.set(p, proc);
      }
    }
  }

  private take(proc: Proc, r: HeartbeatResponse): void {
    proc.memberId = r.memberId;
    proc.epoch = r.memberEpoch;
    proc.has = r.assignment;
    for (const p of names(r.assignment)) proc.held.add(p);
  }
}

describe("group coordinator (property)", () => {
  it("never gives a partition to two members at once, and leaves none unowned once stable", async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async ({ assignor, homogeneous, delay, partitions, ops }) => {
        const env = await startCoordinator({
          topics: partitions,
          config: { sessionTimeoutMs: SESSION, minSessionTimeoutMs: 1000, initialRebalanceDelayMs: delay, rebalanceTimeoutMs: 30_000 },
        });
        const model = new Model(env, assignor, homogeneous);
        try {
          for (const op of ops) {
            switch (op.op) {
              case "join":
                model.join(op.slot);
                break;
              case "beat":
                model.beat(op.slot);
                break;
              case "leave":
                model.leave(op.slot, false);
                break;
              case "leaveStatic":
                model.leave(op.slot, true);
                break;
              case "crash":
                model.crash(op.slot);
                break;
              case "commit":
                await model.commit(op.slot);
                break;
              case "tick":
                model.tick(op.ms);
                break;
            }
            model.check();
          }
          // Let crashed members time out and everyone reconcile.
          for (let t = 0; t <= SESSION + delay; t += 3000) {
            model.tick(3000);
            model.check();
          }
          for (let round = 0; round < 4; round++) model.tick(0);
          model.check();

          const alive = [...model.current.values()].filter((p) => p.alive);
          const described = env.coordinator.describeGroups(["g"])[0]!;
          expect(described.members.map((m) => m.memberId).sort()).toEqual(alive.map((p) => p.memberId).sort());
          if (alive.length === 0) return;
          expect(described.state).toBe("Stable");
          const subscribed = new Set(alive.flatMap((p) => p.topics));
          const all = [...subscribed].flatMap((t) => Array.from({ length: partitions[t as "a" | "b"] }, (_, i) => `${t}-${i}`)).sort();
          expect(alive.flatMap((p) => names(p.has)).sort()).toEqual(all);
          if (homogeneous) {
            const spread = (counts: number[]) => Math.max(...counts) - Math.min(...counts);
            if (assignor === "range") {
              for (const topic of ["a", "b"]) expect(spread(alive.map((p) => names(p.has).filter((n) => n.startsWith(`${topic}-`)).length))).toBeLessThanOrEqual(1);
            } else {
              expect(spread(alive.map((p) => names(p.has).length))).toBeLessThanOrEqual(1);
            }
          }
        } catch (e) {
          if (isEdgelogError(e)) throw new Error(`Unexpected ${e.code}: ${e.message}`);
          throw e;
        } finally {
          await env.coordinator.close();
        }
      }),
      { numRuns: 150 },
    );
  });
});
