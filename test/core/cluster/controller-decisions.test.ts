import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { clusterKeys } from "../../../src/core/cluster/cluster-keys.ts";
import { encodePartitionRecord, type PartitionRecord } from "../../../src/core/cluster/cluster-records.ts";
import { memoryCoordination } from "../../../src/core/cluster/memory-coordination.ts";
import { applyPartitionChange } from "../../../src/core/cluster/partition-change.ts";
import { completeReassignment, preferredElection, reconcilePartition, uncleanElection } from "../../../src/core/cluster/partition-election.ts";

/** A partition state whose ISR is a non-empty subset of its replicas and whose leader is an ISR member or -1. */
const partitionRecord = fc
  .uniqueArray(fc.integer({ min: 0, max: 6 }), { minLength: 1, maxLength: 5 })
  .chain((replicas) =>
    fc.record({
      replicas: fc.constant(replicas),
      isr: fc.subarray(replicas, { minLength: 1 }),
      leaderEpoch: fc.integer({ min: 0, max: 100 }),
      leaderPick: fc.integer({ min: -1, max: 10 }),
    }),
  )
  .map(({ replicas, isr, leaderEpoch, leaderPick }): PartitionRecord => ({
    replicas,
    isr,
    leaderEpoch,
    leader: leaderPick < 0 ? -1 : isr[leaderPick % isr.length]!,
  }));
const liveSet = fc.uniqueArray(fc.integer({ min: 0, max: 6 }), { maxLength: 7 }).map((ids) => new Set(ids));

describe("reconcilePartition()", () => {
  it("elects only live ISR members without unclean election, raises the epoch on every leader change, and never empties the ISR", () => {
    fc.assert(
      fc.property(partitionRecord, liveSet, (state, live) => {
        const decision = reconcilePartition(state, live, false);
        const next = decision?.record ?? state;
        if (next.leader !== -1) {
          expect(live.has(next.leader)).toBe(true);
          expect(state.isr).toContain(next.leader);
          expect(next.isr).toContain(next.leader);
        }
        expect(next.leaderEpoch).toBe(state.leaderEpoch + (next.leader !== state.leader ? 1 : 0));
        expect(next.isr.length).toBeGreaterThan(0);
        for (const id of next.isr) expect(state.isr).toContain(id);
        expect(decision?.unclean ?? false).toBe(false);
        // Reconciling again changes nothing: the controller converges.
        expect(reconcilePartition(next, live, false)).toBeUndefined();
      }),
    );
  });

  it("goes offline only when no ISR member is alive, and with unclean election then elects any live replica", () => {
    fc.assert(
      fc.property(partitionRecord, liveSet, (state, live) => {
        const clean = reconcilePartition(state, live, false)?.record ?? state;
        const anyIsrAlive = state.isr.some((id) => live.has(id));
        expect(clean.leader === -1).toBe(!anyIsrAlive);
        const unclean = reconcilePartition(state, live, true);
        const next = unclean?.record ?? state;
        expect(next.leader === -1).toBe(!state.replicas.some((id) => live.has(id)));
        if (unclean?.unclean) expect(next.isr).toEqual([next.leader]);
      }),
    );
  });

  it("keeps the leader and epoch while it lives, removing dead followers", () => {
    expect(reconcilePartition({ replicas: [1, 2, 3], leader: 1, leaderEpoch: 7, isr: [1, 2, 3] }, new Set([1, 3]), false)?.record).toEqual({
      replicas: [1, 2, 3],
      leader: 1,
      leaderEpoch: 7,
      isr: [1, 3],
    });
  });
});

describe("admin elections and reassignment decisions", () => {
  it("preferred election needs the first replica alive and in sync", () => {
    const state = { replicas: [1, 2], leader: 2, leaderEpoch: 3, isr: [2] };
    expect(preferredElection(state, new Set([1, 2]))).toMatchObject({ error: "PREFERRED_LEADER_NOT_AVAILABLE" });
    expect(preferredElection({ ...state, isr: [2, 1] }, new Set([1, 2]))).toMatchObject({ record: { leader: 1, leaderEpoch: 4 } });
    expect(preferredElection({ ...state, leader: 1, isr: [1] }, new Set([1]))).toMatchObject({ error: "ELECTION_NOT_NEEDED" });
  });

  it("unclean election prefers a live ISR member and fails when no replica lives", () => {
    const state = { replicas: [1, 2, 3], leader: -1, leaderEpoch: 3, isr: [1, 3] };
    expect(uncleanElection(state, new Set([2, 3]))).toMatchObject({ unclean: false, record: { leader: 3, isr: [3] } });
    expect(uncleanElection(state, new Set([2]))).toMatchObject({ unclean: true, record: { leader: 2, isr: [2] } });
    expect(uncleanElection(state, new Set([9]))).toMatchObject({ error: "ELIGIBLE_LEADERS_NOT_AVAILABLE" });
  });

  it("a reassignment completes only when every target replica is in sync", () => {
    const moving = { replicas: [4, 2, 1], leader: 1, leaderEpoch: 0, isr: [1, 2] };
    const reassignment = { target: [4, 2], original: [1, 2] };
    expect(completeReassignment(moving, reassignment, new Set([1, 2, 4]))).toBeUndefined();
    expect(completeReassignment({ ...moving, isr: [1, 2, 4] }, reassignment, new Set([1, 2, 4]))?.record).toEqual({
      replicas: [4, 2],
      leader: 4,
      leaderEpoch: 1,
      isr: [2, 4],
    });
  });
});

describe("applyPartitionChange()", () => {
  const keys = clusterKeys("fence");

  it("writes nothing for a controller whose election key is gone, and says it was fenced", async () => {
    const store = memoryCoordination();
    const lease = await store.grantLease(10);
    const { revision } = await store.put(keys.controller, JSON.stringify({ brokerId: 1 }), { lease });
    const record = { replicas: [1, 2], leader: 1, leaderEpoch: 0, isr: [1, 2] };
    const written = await store.put(keys.partition("t", 0), encodePartitionRecord(record));
    const state = { topic: "t", partition: 0, ...record, version: written.revision };
    await lease.revoke();
    const outcome = await applyPartitionChange(store, keys, { state, record: { ...record, isr: [1] }, controllerEpoch: revision });
    expect(outcome).toMatchObject({ succeeded: false, fenced: true });
    expect((await store.get(keys.partition("t", 0))).entry?.modRevision).toBe(written.revision);
  });

  it("does not elect a leader whose registration changed since the decision", async () => {
    const store = memoryCoordination();
    const first = await store.put(keys.broker(2), JSON.stringify({ id: 2, url: "ws://b2" }));
    await store.delete(keys.broker(2));
    await store.put(keys.broker(2), JSON.stringify({ id: 2, url: "ws://b2" })); // it died and came back
    const record = { replicas: [1, 2], leader: 1, leaderEpoch: 0, isr: [1, 2] };
    const written = await store.put(keys.partition("t", 0), encodePartitionRecord(record));
    const state = { topic: "t", partition: 0, ...record, version: written.revision };
    const outcome = await applyPartitionChange(store, keys, { state, record: { ...record, leader: 2, leaderEpoch: 1 }, leaderRevision: first.revision });
    expect(outcome.succeeded).toBe(false);
  });
});
