import { afterEach, describe, expect, it } from "vitest";
import { registerBroker, sessionTtlSeconds } from "../../../src/core/cluster/broker-registration.ts";
import { clusterKeys } from "../../../src/core/cluster/cluster-keys.ts";
import { memoryCoordinationStore, type MemoryCoordination, type MemoryCoordinationStore } from "../../../src/core/cluster/memory-coordination.ts";
import { manualClock, type ManualClock } from "../../../src/core/ports/clock.ts";
import { eventually } from "./coordination-contract.ts";
import { clusterHarness, expectPartition, type ClusterHarness } from "./controller-harness.ts";

let cluster: ClusterHarness | undefined;
afterEach(async () => {
  await cluster?.stopAll();
  cluster = undefined;
});

/** Three-second sessions on a manual clock: a broker dies when the test moves time while it is cut off. */
function memoryCluster(options: { uncleanLeaderElectionEnable?: boolean } = {}) {
  const clock: ManualClock = manualClock();
  const store: MemoryCoordinationStore = memoryCoordinationStore({ clock });
  const clients: MemoryCoordination[] = [];
  cluster = clusterHarness({
    connect: () => {
      const client = store.connect();
      clients.push(client);
      return client;
    },
    clock,
    sessionTimeoutMs: 3000,
    ...options,
  });
  return { clock, store, cluster };
}

/** Cuts broker `id` off the store and lets its session expire (the others keep theirs alive). */
async function kill(c: ClusterHarness, clock: ManualClock, id: number): Promise<void> {
  const broker = c.brokers.get(id)!;
  (broker.store as MemoryCoordination).setReachable(false);
  await broker.crash();
  clock.advance(3000);
}

describe("the controller election", () => {
  it("makes exactly one of three brokers the controller, and every view names it", async () => {
    const { cluster: c } = memoryCluster();
    const brokers = await c.start([1, 2, 3]);
    await eventually(() => expect(c.controllers()).toHaveLength(1));
    const [controller] = c.controllers();
    await eventually(() => {
      for (const b of brokers) expect(b.view.controllerId()).toBe(controller);
    });
    expect(brokers[0]!.view.brokers()).toEqual([
      { id: 1, url: "ws://broker-1:9092" },
      { id: 2, url: "ws://broker-2:9092" },
      { id: 3, url: "ws://broker-3:9092" },
    ]);
  });

  it("replaces a controller whose lease is lost, and the new one handles the next failure", async () => {
    const { clock, cluster: c } = memoryCluster();
    const [b1] = await c.start([1, 2, 3]);
    await eventually(() => expect(c.controllers()).toEqual([1]));
    await b1!.admin.createTopic("orders", { partitions: 3, replicationFactor: 3 });
    await eventually(() => expect(c.brokers.get(2)!.view.partitions()).toHaveLength(3));

    await kill(c, clock, 1);
    await eventually(() => expect(c.controllers()).toHaveLength(1));
    const next = c.controllers()[0]!;
    const view = c.brokers.get(next)!.view;
    await eventually(() => {
      expect(view.controller()?.brokerId).toBe(next);
      for (const s of view.partitions()) {
        expect(s.leader).not.toBe(1);
        expect(s.isr).not.toContain(1);
      }
    });

    // The new controller carries on: the next dead broker's partitions move too.
    const other = next === 2 ? 3 : 2;
    await kill(c, clock, other);
    await eventually(() => {
      for (const s of view.partitions()) expect(s).toMatchObject({ leader: next, isr: [next] });
    });
  });

  it("lets a broker whose session was revoked register again and campaign again", async () => {
    const { clock, store, cluster: c } = memoryCluster();
    const [b1, b2] = await c.start([1, 2]);
    await eventually(() => expect(c.controllers()).toEqual([1]));
    const registered: string[] = [];
    b1!.registration.onRegistered((lease) => registered.push(lease.id));
    const first = b1!.registration.lease!.id;
    store.revokeLease(first);
    await eventually(() => expect(c.controllers()).toEqual([2]));
    clock.advance(1000); // its next keep-alive finds the lease gone
    await eventually(() => expect(registered).toHaveLength(1));
    expect(registered[0]).not.toBe(first);
    await eventually(() => expect(b2!.view.brokers().map((b) => b.id)).toEqual([1, 2]));
    expect(c.logs.some((l) => l.includes("[1] Broker 1 lost its cluster session"))).toBe(true);
  });

  it("lets a restarted broker take its id over once the session of its previous run has expired", async () => {
    const clock = manualClock();
    const store = memoryCoordinationStore({ clock });
    const keys = clusterKeys("restart");
    const before = store.connect();
    await registerBroker({ store: before, keys, brokerId: 4, url: "ws://old:9092", sessionTimeoutMs: 2500, clock });
    before.setReachable(false); // the old process died without leaving
    const after = store.connect();
    const outcome = registerBroker({ store: after, keys, brokerId: 4, url: "ws://new:9092", sessionTimeoutMs: 2500, clock }).then(
      (r) => r,
      (e: unknown) => e,
    );
    for (let i = 0; i < 8; i++) {
      await new Promise((resolve) => setTimeout(resolve, 0));
      clock.advance(500);
    }
    expect(await outcome).toMatchObject({ brokerId: 4, ttlSeconds: sessionTtlSeconds(2500) });
    expect(sessionTtlSeconds(2500)).toBe(3);
    expect((await after.get(keys.broker(4))).entry?.text).toContain("ws://new:9092");
  });

  it("refuses to start a broker whose id a live broker holds", async () => {
    const { cluster: c } = memoryCluster();
    await c.start([1]);
    await expect(c.start([1])).rejects.toMatchObject({ code: "DUPLICATE_BROKER_REGISTRATION", message: expect.stringContaining("broker id 1") });
  });
});

describe("the controller on a broker failure", () => {
  it("gives each partition a dead broker led a new leader from the ISR, with the next epoch, and drops it from every ISR", async () => {
    const { clock, cluster: c } = memoryCluster();
    const [b1] = await c.start([1, 2, 3]);
    await eventually(() => expect(c.controllers()).toEqual([1]));
    const created = await b1!.admin.createTopic("orders", { partitions: 6, replicationFactor: 3 });
    const view = c.brokers.get(1)!.view;
    await view.waitForRevision(created.revision);
    const ledBy3 = view.partitions().filter((s) => s.leader === 3);
    expect(ledBy3).toHaveLength(2); // leaders spread: two partitions per broker

    await kill(c, clock, 3);
    await eventually(() => {
      for (const before of ledBy3) {
        const after = view.partition("orders", before.partition)!;
        expect(after.leaderEpoch).toBe(before.leaderEpoch + 1);
        expect(before.isr).toContain(after.leader);
        expect(after.leader).not.toBe(3);
      }
      for (const s of view.partitions()) expect(s.isr).not.toContain(3);
    });
    // Partitions it only followed keep their leader and epoch.
    for (const s of view.partitions()) {
      if (!ledBy3.some((l) => l.partition === s.partition)) expect(s.leaderEpoch).toBe(0);
    }
  });

  it("leaves a partition offline when no ISR member is alive, and brings it back with the ISR member that returns", async () => {
    const { clock, cluster: c } = memoryCluster();
    const [b1, b2] = await c.start([1, 2]);
    await eventually(() => expect(c.controllers()).toEqual([1]));
    await b1!.admin.createTopic("t", { replicaAssignment: [[2, 1]] });
    const view = b1!.view;
    await eventually(() => expectPartition(view, "t", 0, { leader: 2, isr: [2, 1] }));
    // Broker 2, the leader, drops follower 1 from the ISR (it fell behind).
    const s = view.partition("t", 0)!;
    await b2!.view.waitForRevision(s.version);
    await b2!.view.alterIsr("t", 0, [2], s.version, s.leaderEpoch);

    await kill(c, clock, 2);
    await eventually(() => expectPartition(view, "t", 0, { leader: -1, leaderEpoch: 1, isr: [2] }));
    expect(c.logs.some((l) => l.startsWith("warn [1] Partition t-0 is offline"))).toBe(true);

    await c.start([2]);
    await eventually(() => expectPartition(view, "t", 0, { leader: 2, leaderEpoch: 2, isr: [2] }));
  });

  it("elects a live replica outside the ISR when unclean leader election is enabled, and warns that records may be lost", async () => {
    const { clock, cluster: c } = memoryCluster();
    const [b1, b2] = await c.start([1, 2]);
    await eventually(() => expect(c.controllers()).toEqual([1]));
    await b1!.admin.createTopic("t", { replicaAssignment: [[2, 1]], configs: { "unclean.leader.election.enable": "true" } });
    await eventually(() => expectPartition(b2!.view, "t", 0, { leader: 2 }));
    const s = b2!.view.partition("t", 0)!;
    await b2!.view.alterIsr("t", 0, [2], s.version, s.leaderEpoch);

    await kill(c, clock, 2);
    await eventually(() => expectPartition(b1!.view, "t", 0, { leader: 1, leaderEpoch: 1, isr: [1] }));
    expect(c.logs.find((l) => l.includes("Unclean leader election for t-0"))).toMatch(/^warn .*lost/);
  });

  it("does not add a returning broker back to the ISR: that is its leader's decision", async () => {
    const { clock, cluster: c } = memoryCluster();
    const [b1] = await c.start([1, 2, 3]);
    await eventually(() => expect(c.controllers()).toEqual([1]));
    await b1!.admin.createTopic("t", { replicaAssignment: [[1, 2, 3]] });
    await kill(c, clock, 3);
    await eventually(() => expectPartition(b1!.view, "t", 0, { leader: 1, isr: [1, 2] }));
    await c.start([3]);
    await eventually(() => expect(b1!.view.brokers().map((b) => b.id)).toEqual([1, 2, 3]));
    await b1!.controller.idle();
    expectPartition(b1!.view, "t", 0, { leader: 1, leaderEpoch: 0, isr: [1, 2] });
    // The leader adds it once it has caught up.
    const s = b1!.view.partition("t", 0)!;
    await expect(b1!.view.alterIsr("t", 0, [1, 2, 3], s.version, 0)).resolves.toMatchObject({ isr: [1, 2, 3] });
  });

  it("moves every leadership of a broker that shuts down cleanly at once, without waiting for its session to expire", async () => {
    const { cluster: c } = memoryCluster();
    const [b1, b2] = await c.start([1, 2]);
    await eventually(() => expect(c.controllers()).toEqual([1]));
    await b1!.admin.createTopic("t", { replicaAssignment: [[2, 1], [2, 1]] });
    await eventually(() => expect(b1!.view.partitions().map((s) => s.leader)).toEqual([2, 2]));
    await b2!.shutdown(); // no clock movement at all
    await eventually(() => expect(b1!.view.partitions().map((s) => [s.leader, s.isr])).toEqual([[1, [1]], [1, [1]]]));
  });
});
