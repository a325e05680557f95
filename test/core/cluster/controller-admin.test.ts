import { afterEach, describe, expect, it } from "vitest";
import { encodeTopicRecord } from "../../../src/core/cluster/cluster-records.ts";
import { memoryCoordinationStore, type MemoryCoordination } from "../../../src/core/cluster/memory-coordination.ts";
import { parseReassignmentPlan } from "../../../src/core/cluster/reassignment.ts";
import { manualClock, type ManualClock } from "../../../src/core/ports/clock.ts";
import { eventually } from "./coordination-contract.ts";
import { clusterHarness, expectPartition, type ClusterHarness, type TestBroker } from "./controller-harness.ts";

let cluster: ClusterHarness | undefined;
afterEach(async () => {
  await cluster?.stopAll();
  cluster = undefined;
});

async function start(ids: number[]): Promise<{ c: ClusterHarness; clock: ManualClock; brokers: TestBroker[] }> {
  const clock = manualClock();
  const store = memoryCoordinationStore({ clock });
  const c = clusterHarness({ connect: () => store.connect(), clock, sessionTimeoutMs: 3000 });
  cluster = c;
  const brokers = await c.start(ids);
  await eventually(() => expect(c.controllers()).toEqual([ids[0]]));
  return { c, clock, brokers };
}

/** What the leader (replication) does once a follower caught up: add it to the ISR, through the leader's own view. */
async function addToIsr(c: ClusterHarness, topic: string, partition: number, id: number): Promise<void> {
  const any = [...c.brokers.values()][0]!.view.partition(topic, partition)!;
  const leader = c.brokers.get(any.leader)!;
  await leader.view.waitForRevision(any.version);
  const s = leader.view.partition(topic, partition)!;
  await leader.view.alterIsr(topic, partition, [...s.isr, id], s.version, s.leaderEpoch);
}

describe("topics in a cluster", () => {
  it("creates a topic with replicas on all three brokers, one leader each, and every replica in sync", async () => {
    const { c, brokers } = await start([1, 2, 3]);
    const created = await brokers[1]!.admin.createTopic("orders", { partitions: 3, replicationFactor: 3 });
    expect(created).toMatchObject({ name: "orders", partitions: 3, replicationFactor: 3 });
    await c.synced();
    for (const b of brokers) {
      const states = b.view.partitions();
      expect(states.map((s) => s.leader).sort()).toEqual([1, 2, 3]);
      for (const s of states) {
        expect([...s.replicas].sort()).toEqual([1, 2, 3]);
        expect(s.isr).toEqual(s.replicas);
        expect(s.leader).toBe(s.replicas[0]);
        expect(s.leaderEpoch).toBe(0);
      }
    }
  });

  it("answers Kafka's errors for a replication factor above the live brokers, an existing topic, and a bad assignment", async () => {
    const { brokers } = await start([1, 2]);
    const admin = brokers[0]!.admin;
    await expect(admin.createTopic("t", { replicationFactor: 3 })).rejects.toMatchObject({
      code: "INVALID_REPLICATION_FACTOR",
      message: expect.stringContaining("only 2 broker(s) are registered"),
    });
    await admin.createTopic("t");
    await expect(admin.createTopic("t")).rejects.toMatchObject({ code: "TOPIC_ALREADY_EXISTS" });
    await expect(admin.createTopic("u", { replicaAssignment: [[1, 7]] })).rejects.toMatchObject({ code: "INVALID_REPLICA_ASSIGNMENT" });
    await expect(admin.createTopic("u", { partitions: 2, replicaAssignment: [[1]] })).rejects.toMatchObject({ code: "INVALID_REQUEST" });
    await expect(admin.createTopic("u", { configs: { "retention.ms": "soon" } })).rejects.toMatchObject({ code: "INVALID_CONFIG" });
    const checked = await admin.createTopic("u", { partitions: 4, validateOnly: true });
    expect(checked).toMatchObject({ partitions: 4, revision: 0 });
    expect((await brokers[0]!.store.get(brokers[0]!.view.keys.topic("u"))).entry).toBeNull();
  });

  it("writes every partition of a topic too large for one transaction", async () => {
    const { brokers } = await start([1]);
    const created = await brokers[0]!.admin.createTopic("big", { partitions: 250 });
    await brokers[0]!.view.waitForRevision(created.revision);
    expect(brokers[0]!.view.partitions()).toHaveLength(250);
    expect(brokers[0]!.view.partitions().every((s) => s.leader === 1 && s.leaderEpoch === 0)).toBe(true);
  });

  it("has the controller create partition states missing from a topic's assignment", async () => {
    const { brokers } = await start([1, 2]);
    const [b1] = brokers;
    const topic = { id: "AAAAAAAAAAAAAAAAAAAAAA", partitions: 2, replicationFactor: 2, configs: {}, assignment: [[2, 1], [1, 2]] };
    await b1!.store.put(b1!.view.keys.topic("half"), encodeTopicRecord(topic)); // as if the writer crashed at once
    await eventually(() => {
      expectPartition(b1!.view, "half", 0, { replicas: [2, 1], leader: 2, isr: [2, 1] });
      expectPartition(b1!.view, "half", 1, { replicas: [1, 2], leader: 1, isr: [1, 2] });
    });
  });

  it("adds partitions, alters configs and deletes a topic with all its keys", async () => {
    const { brokers } = await start([1, 2, 3]);
    const [b1] = brokers;
    await b1!.admin.createTopic("t", { partitions: 2, replicationFactor: 2 });
    const grown = await b1!.admin.createPartitions("t", 5);
    expect(grown.assignment).toHaveLength(5);
    await expect(b1!.admin.createPartitions("t", 4)).rejects.toMatchObject({ code: "INVALID_PARTITIONS" });
    await b1!.view.waitForRevision(grown.revision);
    expect(b1!.view.partitions().map((s) => s.replicas.length)).toEqual([2, 2, 2, 2, 2]);
    const altered = await b1!.admin.alterConfigs("t", { "unclean.leader.election.enable": "true" });
    await b1!.view.waitForRevision(altered.revision);
    expect(b1!.view.topics()[0]!.configs).toEqual({ "unclean.leader.election.enable": "true" });

    await b1!.admin.deleteTopic("t");
    const keys = b1!.view.keys;
    await eventually(async () => {
      expect((await b1!.store.getPrefix(keys.partitions)).entries).toEqual([]);
      expect((await b1!.store.getPrefix(keys.topics)).entries).toEqual([]);
    });
    await expect(b1!.admin.deleteTopic("t")).rejects.toMatchObject({ code: "UNKNOWN_TOPIC_OR_PARTITION" });
  });

  it("refuses to create a topic whose previous incarnation is still being deleted", async () => {
    const { brokers } = await start([1]);
    const [b1] = brokers;
    await b1!.controller.close(); // no controller to clean up
    await b1!.admin.createTopic("t");
    const keys = b1!.view.keys;
    await b1!.store.delete(keys.topic("t")); // the deletion stopped after the topic key
    await expect(b1!.admin.createTopic("t")).rejects.toMatchObject({ code: "TOPIC_ALREADY_EXISTS", message: "Topic 't' is marked for deletion." });
  });
});

describe("the controller's housekeeping", () => {
  it("deletes the partition states and reassignments a topic deletion left behind", async () => {
    const { brokers } = await start([1, 2]);
    const [b1] = brokers;
    await b1!.admin.createTopic("t", { partitions: 3 });
    await b1!.admin.reassignPartitions({ version: 1, partitions: [{ topic: "t", partition: 0, replicas: [1, 2] }] });
    const keys = b1!.view.keys;
    await eventually(async () => expect((await b1!.store.getPrefix(keys.reassignments)).entries).toHaveLength(1));
    await b1!.store.delete(keys.topic("t")); // the deleting broker crashed right after the topic key
    await eventually(async () => {
      expect((await b1!.store.getPrefix(keys.partitions)).entries).toEqual([]);
      expect((await b1!.store.getPrefix(keys.reassignments)).entries).toEqual([]);
    });
  });
});

describe("leader elections", () => {
  it("moves leadership back to the preferred replica once it is in sync again", async () => {
    const { c, clock, brokers } = await start([1, 2]);
    const [b1] = brokers;
    await b1!.admin.createTopic("t", { replicaAssignment: [[2, 1]] });
    await eventually(() => expectPartition(b1!.view, "t", 0, { leader: 2 }));
    (c.brokers.get(2)!.store as MemoryCoordination).setReachable(false);
    await c.brokers.get(2)!.crash();
    clock.advance(3000);
    await eventually(() => expectPartition(b1!.view, "t", 0, { leader: 1, leaderEpoch: 1, isr: [1] }));

    const [b2] = await c.start([2]);
    await eventually(() => expect(b1!.view.broker(2)).toBeDefined());
    expect(await b1!.admin.electLeaders("preferred")).toEqual([
      { topic: "t", partition: 0, error: { code: "PREFERRED_LEADER_NOT_AVAILABLE", message: "The preferred replica 2 is not in the ISR [1]" } },
    ]);
    await addToIsr(c, "t", 0, 2);
    expect(await b2!.admin.electLeaders("preferred", [{ topic: "t", partition: 0 }, { topic: "nope", partition: 0 }])).toEqual([
      { topic: "nope", partition: 0, error: { code: "UNKNOWN_TOPIC_OR_PARTITION", message: "Partition nope-0 does not exist" } },
      { topic: "t", partition: 0, leader: 2 },
    ]);
    await eventually(() => expectPartition(b1!.view, "t", 0, { leader: 2, leaderEpoch: 2, isr: [1, 2] }));
    expect((await b1!.admin.electLeaders("preferred"))[0]!.error?.code).toBe("ELECTION_NOT_NEEDED");
  });

  it("elects an out-of-sync replica of an offline partition on an unclean election", async () => {
    const { c, clock, brokers } = await start([1, 2]);
    const [b1] = brokers;
    await b1!.admin.createTopic("t", { replicaAssignment: [[2, 1]] });
    await eventually(() => expectPartition(c.brokers.get(2)!.view, "t", 0, { leader: 2 }));
    const s = c.brokers.get(2)!.view.partition("t", 0)!;
    await c.brokers.get(2)!.view.alterIsr("t", 0, [2], s.version, s.leaderEpoch);
    (c.brokers.get(2)!.store as MemoryCoordination).setReachable(false);
    await c.brokers.get(2)!.crash();
    clock.advance(3000);
    await eventually(() => expectPartition(b1!.view, "t", 0, { leader: -1 }));

    expect(await b1!.admin.electLeaders("unclean")).toEqual([{ topic: "t", partition: 0, leader: 1 }]);
    await eventually(() => expectPartition(b1!.view, "t", 0, { leader: 1, leaderEpoch: 2, isr: [1] }));
    expect(c.logs.some((l) => l.startsWith("warn [1] Unclean leader election for t-0"))).toBe(true);
    expect((await b1!.admin.electLeaders("unclean"))[0]!.error?.code).toBe("ELECTION_NOT_NEEDED");
  });
});

describe("partition reassignment", () => {
  it("adds the new replicas, completes once they are in sync, moves leadership off a leaving leader, and reports progress", async () => {
    const { c, brokers } = await start([1, 2, 3, 4]);
    const [b1] = brokers;
    await b1!.admin.createTopic("t", { replicaAssignment: [[1, 2, 3]] });
    const results = await b1!.admin.reassignPartitions('{"version":1,"partitions":[{"topic":"t","partition":0,"replicas":[4,2,3]}]}');
    expect(results).toEqual([{ topic: "t", partition: 0 }]);
    await eventually(() => expectPartition(b1!.view, "t", 0, { replicas: [4, 2, 3, 1], leader: 1, leaderEpoch: 0, isr: [1, 2, 3] }));
    expect(await b1!.admin.describeReassignments()).toEqual([
      {
        topic: "t",
        partition: 0,
        replicas: [4, 2, 3, 1],
        targetReplicas: [4, 2, 3],
        originalReplicas: [1, 2, 3],
        addingReplicas: [4],
        removingReplicas: [1],
        inSyncAdding: [],
        leader: 1,
        isr: [1, 2, 3],
      },
    ]);
    expect(await b1!.admin.replicasOnBroker(4)).toEqual([{ topic: "t", partition: 0 }]);

    await addToIsr(c, "t", 0, 4); // broker 4 caught up
    await eventually(() => expectPartition(b1!.view, "t", 0, { replicas: [4, 2, 3], leader: 4, leaderEpoch: 1, isr: [2, 3, 4] }));
    expect(await b1!.admin.describeReassignments()).toEqual([]);
    expect(await b1!.admin.replicasOnBroker(1)).toEqual([]);
  });

  it("completes at once a reassignment whose target is in sync already, and refuses brokers that are not alive", async () => {
    const { brokers } = await start([1, 2, 3]);
    const [b1] = brokers;
    await b1!.admin.createTopic("t", { replicaAssignment: [[1, 2, 3]] });
    expect(await b1!.admin.reassignPartitions({ version: 1, partitions: [{ topic: "t", partition: 0, replicas: [3, 2] }] })).toEqual([{ topic: "t", partition: 0 }]);
    await eventually(() => expectPartition(b1!.view, "t", 0, { replicas: [3, 2], leader: 3, leaderEpoch: 1, isr: [2, 3] }));
    expect(await b1!.admin.describeReassignments()).toEqual([]);
    const refused = await b1!.admin.reassignPartitions({ version: 1, partitions: [{ topic: "t", partition: 0, replicas: [3, 9] }, { topic: "t", partition: 5, replicas: [1] }] });
    expect(refused.map((r) => r.error?.code)).toEqual(["INVALID_REPLICA_ASSIGNMENT", "UNKNOWN_TOPIC_OR_PARTITION"]);
  });

  it("goes back to the original replicas when cancelled", async () => {
    const { brokers } = await start([1, 2, 3]);
    const [b1] = brokers;
    await b1!.admin.createTopic("t", { replicaAssignment: [[1, 2]] });
    await b1!.admin.reassignPartitions({ version: 1, partitions: [{ topic: "t", partition: 0, replicas: [1, 3] }] });
    await eventually(() => expectPartition(b1!.view, "t", 0, { replicas: [1, 3, 2] }));
    expect(await b1!.admin.cancelReassignments()).toEqual([{ topic: "t", partition: 0 }]);
    await eventually(() => expectPartition(b1!.view, "t", 0, { replicas: [1, 2], leader: 1, isr: [1, 2] }));
    expect((await b1!.admin.cancelReassignments([{ topic: "t", partition: 0 }]))[0]!.error?.code).toBe("NO_REASSIGNMENT_IN_PROGRESS");
  });

  it("plans a decommission that moves every replica off a broker onto the least loaded others", async () => {
    const { c, brokers } = await start([1, 2, 3, 4]);
    const [b1] = brokers;
    const created = await b1!.admin.createTopic("t", { replicaAssignment: [[1, 2], [2, 3], [3, 1], [1, 4]] });
    const plan = await b1!.admin.planDecommission(1);
    // Replicas held before: 1×3, 2×2, 3×2, 4×1; each move goes to the least loaded broker not in the partition.
    expect(plan).toEqual({
      version: 1,
      partitions: [
        { topic: "t", partition: 0, replicas: [4, 2] },
        { topic: "t", partition: 2, replicas: [3, 2] },
        { topic: "t", partition: 3, replicas: [3, 4] },
      ],
    });
    await c.synced();
    await b1!.view.waitForRevision(created.revision);
    await b1!.admin.reassignPartitions(plan);
    for (const { partition, replicas } of plan.partitions) {
      await eventually(() => expect(b1!.view.reassignment("t", partition)).toBeDefined());
      for (const id of replicas) if (!b1!.view.partition("t", partition)!.isr.includes(id)) await addToIsr(c, "t", partition, id);
    }
    await eventually(async () => expect(await b1!.admin.replicasOnBroker(1)).toEqual([]));
    expect(b1!.view.partitions().map((s) => s.replicas)).toEqual([[4, 2], [2, 3], [3, 2], [3, 4]]);
  });

  it("reads Kafka's plan format and names what is wrong with a bad plan", () => {
    expect(parseReassignmentPlan('{"version":1,"partitions":[{"topic":"t","partition":0,"replicas":[1],"log_dirs":["any"]}]}')).toEqual({
      version: 1,
      partitions: [{ topic: "t", partition: 0, replicas: [1] }],
    });
    for (const [plan, message] of [
      ["{", "not JSON"],
      ['{"version":2,"partitions":[]}', "unsupported version 2"],
      ['{"version":1,"partitions":[{"topic":"t","partition":0,"replicas":[]}]}', "replicas must be a non-empty list"],
      ['{"version":1,"partitions":[{"topic":"t","partition":0,"replicas":[1]},{"topic":"t","partition":0,"replicas":[2]}]}', "listed twice"],
    ] as const) {
      expect(() => parseReassignmentPlan(plan)).toThrow(expect.objectContaining({ code: "INVALID_REQUEST", message: expect.stringContaining(message) }));
    }
  });
});
