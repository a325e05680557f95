import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { etcdCoordination } from "../../src/adapters/etcd/etcd-coordination.ts";
import { eventually } from "../core/cluster/coordination-contract.ts";
import { clusterHarness, expectPartition, type ClusterHarness } from "../core/cluster/controller-harness.ts";
import { startEtcd, type EtcdServer } from "../support/etcd.ts";

// Two-second sessions where a test waits for one to expire; five seconds elsewhere, so that a busy
// machine delaying a keep-alive does not end a session in the middle of a test.
const SESSION_MS = 2000;
const SAFE_SESSION_MS = 5000;

let etcd: EtcdServer;
let cluster: ClusterHarness | undefined;
let counter = 0;

beforeAll(async () => {
  etcd = await startEtcd();
});
afterAll(async () => {
  await etcd?.destroy();
});
afterEach(async () => {
  await cluster?.stopAll();
  cluster = undefined;
});

async function start(ids: number[], sessionTimeoutMs = SAFE_SESSION_MS) {
  const c = clusterHarness({
    connect: () => etcdCoordination({ endpoints: etcd.endpoint, requestTimeoutMs: 2000 }),
    clusterId: `it-${process.pid}-${++counter}`,
    sessionTimeoutMs,
  });
  cluster = c;
  const brokers = await c.start(ids);
  await eventually(() => expect(c.controllers()).toHaveLength(1));
  return { c, brokers };
}

/** Revokes a lease behind its holder's back, as an operator (or etcd losing it) would. */
async function revokeInEtcd(leaseId: string): Promise<void> {
  const response = await fetch(`${etcd.endpoint}/v3/lease/revoke`, { method: "POST", body: JSON.stringify({ ID: leaseId }) });
  expect(response.ok).toBe(true);
}

describe("the controller against a real etcd", () => {
  it("registers three brokers, elects exactly one controller, and spreads a replication-factor-3 topic over all of them", async () => {
    const { c, brokers } = await start([1, 2, 3]);
    const controller = c.controllers()[0]!;
    await eventually(() => {
      for (const b of brokers) {
        expect(b.view.controllerId()).toBe(controller);
        expect(b.view.brokers().map((x) => x.id)).toEqual([1, 2, 3]);
      }
    });
    const created = await brokers[2]!.admin.createTopic("orders", { partitions: 3, replicationFactor: 3 });
    for (const b of brokers) await b.view.waitForRevision(created.revision);
    const states = brokers[0]!.view.partitions();
    expect(states.map((s) => s.leader).sort()).toEqual([1, 2, 3]);
    for (const s of states) expect([...s.isr].sort()).toEqual([1, 2, 3]);
  });

  it("moves the leaderships of a crashed broker to ISR members with the next epoch within two session timeouts, and drops it from every ISR", async () => {
    const { c, brokers } = await start([1, 2, 3], SESSION_MS);
    const created = await brokers[0]!.admin.createTopic("orders", { partitions: 6, replicationFactor: 3 });
    await c.synced();
    const controller = c.controllers()[0]!;
    const victim = controller === 3 ? 2 : 3;
    const observer = c.brokers.get(controller)!.view;
    await observer.waitForRevision(created.revision);
    const led = observer.partitions().filter((s) => s.leader === victim);
    expect(led.length).toBeGreaterThan(0);

    const crashedAt = Date.now();
    await c.brokers.get(victim)!.crash(); // no revocation: its lease has to expire
    await eventually(() => {
      for (const before of led) {
        const after = observer.partition("orders", before.partition)!;
        expect(after.leader).not.toBe(victim);
        expect(before.isr).toContain(after.leader);
        expect(after.leaderEpoch).toBe(before.leaderEpoch + 1);
      }
      for (const s of observer.partitions()) expect(s.isr).not.toContain(victim);
    }, 3 * SESSION_MS);
    expect(Date.now() - crashedAt).toBeLessThanOrEqual(2 * SESSION_MS);
  });

  it("keeps a partition with no live ISR member offline, unless its topic allows unclean election", async () => {
    const { c, brokers } = await start([1, 2]);
    const admin = brokers[0]!.admin;
    await admin.createTopic("safe", { replicaAssignment: [[2, 1]] });
    await admin.createTopic("lossy", { replicaAssignment: [[2, 1]], configs: { "unclean.leader.election.enable": "true" } });
    const leader = c.brokers.get(2)!.view;
    await eventually(() => expect(leader.partitions()).toHaveLength(2));
    for (const topic of ["safe", "lossy"]) {
      const s = leader.partition(topic, 0)!;
      await leader.alterIsr(topic, 0, [2], s.version, s.leaderEpoch); // follower 1 fell behind
    }
    await c.brokers.get(2)!.shutdown();
    const view = brokers[0]!.view;
    await eventually(() => {
      expectPartition(view, "safe", 0, { leader: -1, isr: [2] });
      expectPartition(view, "lossy", 0, { leader: 1, isr: [1] });
    });
    expect(c.logs.some((l) => l.includes("Unclean leader election for lossy-0"))).toBe(true);
  });

  it("replaces a controller whose lease is lost, and the new controller carries on", async () => {
    const { c } = await start([1, 2, 3]);
    const first = c.controllers()[0]!;
    const old = c.brokers.get(first)!;
    await revokeInEtcd(old.registration.lease!.id);
    await eventually(() => {
      expect(c.controllers()).toHaveLength(1);
      expect(c.controllers()[0]).not.toBe(first);
    }, 2 * SAFE_SESSION_MS);
    const second = c.controllers()[0]!;
    // The old controller's broker notices its lost session and registers again.
    await eventually(() => expect(c.brokers.get(second)!.view.brokers().map((b) => b.id)).toEqual([1, 2, 3]), 2 * SAFE_SESSION_MS);

    const view = c.brokers.get(second)!.view;
    const created = await c.brokers.get(second)!.admin.createTopic("t", { replicaAssignment: [[first, second]] });
    await view.waitForRevision(created.revision);
    await eventually(() => expectPartition(view, "t", 0, { leader: first }));
    await old.shutdown();
    await eventually(() => expectPartition(view, "t", 0, { leader: second, leaderEpoch: 1, isr: [second] }));
  });

  it("rejects the second of two ISR changes made on the same version", async () => {
    const { brokers } = await start([1, 2]);
    const created = await brokers[0]!.admin.createTopic("t", { replicaAssignment: [[1, 2]] });
    const view = brokers[0]!.view;
    await view.waitForRevision(created.revision);
    const s = view.partition("t", 0)!;
    const outcomes = await Promise.allSettled([view.alterIsr("t", 0, [1], s.version, 0), view.alterIsr("t", 0, [1], s.version, 0)]);
    expect(outcomes.filter((o) => o.status === "fulfilled")).toHaveLength(1);
    expect(outcomes.find((o) => o.status === "rejected")).toMatchObject({ reason: { code: "INVALID_UPDATE_VERSION", retriable: true } });
  });

  it("moves leadership back with a preferred election and reports a reassignment's progress until it completes", async () => {
    const { c, brokers } = await start([1, 2, 3]);
    const [b1] = brokers;
    const created = await b1!.admin.createTopic("t", { replicaAssignment: [[1, 2]] });
    await b1!.view.waitForRevision(created.revision);
    // Broker 2 leads after broker 1's session is revoked and it registers again.
    await revokeInEtcd(b1!.registration.lease!.id);
    const view = c.brokers.get(2)!.view;
    await eventually(() => expectPartition(view, "t", 0, { leader: 2, isr: [2] }), 2 * SAFE_SESSION_MS);
    await eventually(() => expect(view.broker(1)).toBeDefined(), 2 * SAFE_SESSION_MS);
    let s = view.partition("t", 0)!;
    s = await view.alterIsr("t", 0, [2, 1], s.version, s.leaderEpoch); // broker 1 caught up
    expect(await b1!.admin.electLeaders("preferred")).toEqual([{ topic: "t", partition: 0, leader: 1 }]);
    await eventually(() => expectPartition(b1!.view, "t", 0, { leader: 1, leaderEpoch: s.leaderEpoch + 1 }));

    await b1!.admin.reassignPartitions({ version: 1, partitions: [{ topic: "t", partition: 0, replicas: [3, 1] }] });
    expect(await b1!.admin.describeReassignments()).toMatchObject([{ addingReplicas: [3], removingReplicas: [2], inSyncAdding: [] }]);
    await eventually(() => expectPartition(b1!.view, "t", 0, { replicas: [3, 1, 2] }));
    s = b1!.view.partition("t", 0)!;
    await b1!.view.alterIsr("t", 0, [...s.isr, 3], s.version, s.leaderEpoch);
    await eventually(() => expectPartition(b1!.view, "t", 0, { replicas: [3, 1], leader: 1, isr: [1, 3] }));
    expect(await b1!.admin.describeReassignments()).toEqual([]);
  });
});
