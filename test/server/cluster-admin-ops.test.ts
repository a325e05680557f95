/**
 * The cluster admin ops (`electLeaders`, `alterPartitionReassignments`, `listPartitionReassignments`)
 * on three in-process brokers, and what a broker that runs alone answers to them.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { batchOf, utf8 } from "../support/record-bytes.ts";
import type { Frame, WsTestClient } from "../support/ws-test-client.ts";
import { startBroker } from "./broker-harness.ts";
import { clusterHarness, eventually, type ClusterBroker } from "./cluster-harness.ts";

interface PartitionInfo {
  partition: number;
  leader: number;
  replicas: number[];
  isr: number[];
}

async function partitionsOf(client: WsTestClient, topic: string): Promise<PartitionInfo[]> {
  const metadata = await client.call("metadata", { topics: [topic] });
  return (metadata["topics"] as Frame[])[0]!["partitions"] as unknown as PartitionInfo[];
}

const sorted = (ids: number[]): number[] => [...ids].sort((a, b) => a - b);

describe("a broker that runs alone answers as a one-broker Kafka cluster", () => {
  it("needs no election, moves a partition only onto itself, and never has a running reassignment", async () => {
    const { broker, connect } = await startBroker();
    const client = await connect();
    await client.request({ op: "createTopics", topics: [{ topic: "t", numPartitions: 2 }] });

    const named = await client.request({ op: "electLeaders", electionType: "preferred", partitions: [{ topic: "t", partition: 1 }, { topic: "t", partition: 5 }] });
    expect(named["partitions"]).toEqual([
      { topic: "t", partition: 1, error: expect.objectContaining({ code: "ELECTION_NOT_NEEDED" }) },
      { topic: "t", partition: 5, error: expect.objectContaining({ code: "UNKNOWN_TOPIC_OR_PARTITION" }) },
    ]);
    expect((await client.request({ op: "electLeaders", electionType: "unclean" }))["partitions"]).toEqual([]);

    const moves = await client.request({
      op: "alterPartitionReassignments",
      partitions: [
        { topic: "t", partition: 0, replicas: [0] },
        { topic: "t", partition: 1, replicas: [0, 1] },
        { topic: "nope", partition: 0, replicas: [0] },
        { topic: "t2", partition: 1, replicas: null },
      ],
    });
    expect(moves["partitions"]).toEqual([
      { topic: "t", partition: 0 },
      { topic: "t", partition: 1, error: expect.objectContaining({ code: "INVALID_REPLICA_ASSIGNMENT" }) },
      { topic: "nope", partition: 0, error: expect.objectContaining({ code: "UNKNOWN_TOPIC_OR_PARTITION" }) },
      { topic: "t2", partition: 1, error: expect.objectContaining({ code: "UNKNOWN_TOPIC_OR_PARTITION" }) },
    ]);
    const cancel = await client.request({ op: "alterPartitionReassignments", partitions: [{ topic: "t", partition: 0, replicas: null }] });
    expect(cancel["partitions"]).toEqual([{ topic: "t", partition: 0, error: expect.objectContaining({ code: "NO_REASSIGNMENT_IN_PROGRESS" }) }]);
    expect(await client.request({ op: "listPartitionReassignments" })).toMatchObject({ reassignments: [] });
    await broker.close();
  });

  it("rejects malformed requests with INVALID_REQUEST naming the field", async () => {
    const { broker, connect } = await startBroker();
    const client = await connect();
    const badType = await client.request({ op: "electLeaders", electionType: "clean" });
    expect(badType["error"]).toMatchObject({ code: "INVALID_REQUEST", details: { field: "electionType" } });
    const empty = await client.request({ op: "alterPartitionReassignments", partitions: [{ topic: "t", partition: 0, replicas: [] }] });
    expect(empty["error"]).toMatchObject({ code: "INVALID_REQUEST", details: { field: "partitions[0].replicas" } });
    const twice = await client.request({ op: "listPartitionReassignments", partitions: [{ topic: "t", partition: 0 }, { topic: "t", partition: 0 }] });
    expect(twice["error"]).toMatchObject({ code: "INVALID_REQUEST", details: { field: "partitions[1]" } });
    await broker.close();
  });
});

describe("three brokers of a cluster", () => {
  const cluster = clusterHarness();
  /** A client on a live broker other than `not`. */
  async function clientAvoiding(...not: number[]): Promise<WsTestClient> {
    const broker = [...cluster.brokers.values()].find((b) => !not.includes(b.id))!;
    return broker.connect();
  }

  beforeAll(async () => {
    await cluster.start([1, 2, 3]);
  });
  afterAll(() => cluster.stopAll());

  it("preferred election gives a partition back to its first replica once it is in sync again", async () => {
    const admin = await clientAvoiding();
    await admin.call("createTopics", { topics: [{ topic: "elect", numPartitions: 1, replicationFactor: 3 }] });
    const initial = await eventually(async () => {
      const [p] = await partitionsOf(admin, "elect");
      expect(p!.isr).toHaveLength(3);
      return p!;
    });
    const preferred = initial.replicas[0]!;
    expect(initial.leader).toBe(preferred);

    const other = await clientAvoiding(preferred);
    await cluster.brokers.get(preferred)!.kill();
    await eventually(async () => {
      const [p] = await partitionsOf(other, "elect");

      expect([-1, preferred]).not.toContain(p!.leader);
    });
    await cluster.restart(preferred);
    const moved = await eventually(async () => {
      const [p] = await partitionsOf(other, "elect");
      expect(p!.isr).toHaveLength(3);
      return p!;
    });
    expect(moved.leader).not.toBe(preferred);

    const elected = await other.call("electLeaders", { electionType: "preferred", partitions: [{ topic: "elect", partition: 0 }] });
    expect(elected["partitions"]).toEqual([{ topic: "elect", partition: 0, leader: preferred }]);
    await eventually(async () => expect((await partitionsOf(other, "elect"))[0]!.leader).toBe(preferred));

    const again = await other.call("electLeaders", { electionType: "preferred", partitions: [{ topic: "elect", partition: 0 }, { topic: "elect", partition: 9 }] });
    expect(again["partitions"]).toEqual([
      { topic: "elect", partition: 0, error: expect.objectContaining({ code: "ELECTION_NOT_NEEDED" }) },
      { topic: "elect", partition: 9, error: expect.objectContaining({ code: "UNKNOWN_TOPIC_OR_PARTITION" }) },
    ]);
    const all = await other.call("electLeaders", { electionType: "preferred" });
    expect(all["partitions"]).toEqual([]);
  });

  it("a reassignment shows its progress while a new replica catches up, then completes on the target replicas", async () => {
    const admin = await clientAvoiding();
    await admin.call("createTopics", { topics: [{ topic: "moving", numPartitions: 1, replicationFactor: 2 }] });
    const before = await eventually(async () => {
      const [p] = await partitionsOf(admin, "moving");
      expect(p!.isr).toHaveLength(2);
      return p!;
    });
    const [first, second] = before.replicas as [number, number];
    const newcomer = [1, 2, 3].find((id) => !before.replicas.includes(id))!;
    const producer = await cluster.brokers.get(before.leader)!.connect();
    await producer.call("produce", { acks: -1, topic: "moving", partitions: [{ partition: 0, batches: batchOf([{ key: null, value: utf8("kept") }]) }] });

    // The newcomer dies but stays registered until its session expires: it cannot catch up.
    const client = await clientAvoiding(newcomer);
    await cluster.brokers.get(newcomer)!.kill();
    const started = await client.call("alterPartitionReassignments", { partitions: [{ topic: "moving", partition: 0, replicas: [newcomer, second] }] });
    expect(started["partitions"]).toEqual([{ topic: "moving", partition: 0 }]);
    const running = await client.call("listPartitionReassignments", {});
    expect(running["reassignments"]).toEqual([
      { topic: "moving", partition: 0, replicas: [newcomer, second, first], addingReplicas: [newcomer], removingReplicas: [first] },
    ]);
    const named = await client.call("listPartitionReassignments", { partitions: [{ topic: "elect", partition: 0 }] });
    expect(named["reassignments"]).toEqual([]);

    await cluster.restart(newcomer);
    await eventually(async () => {
      expect((await client.call("listPartitionReassignments", {}))["reassignments"]).toEqual([]);
      const [p] = await partitionsOf(client, "moving");
      expect(p!.replicas).toEqual([newcomer, second]);
      expect(sorted(p!.isr)).toEqual(sorted([newcomer, second]));
    });
    const log = await eventually(() => {
      const found = cluster.brokers.get(newcomer)!.log("moving", 0);
      expect(found?.logEndOffset).toBe(1);
      return found!;
    });
    expect(log.logEndOffset).toBe(1);
  });

  it("a cancelled reassignment goes back to the original replicas", async () => {
    const admin = await clientAvoiding();
    await admin.call("createTopics", { topics: [{ topic: "undo", numPartitions: 1, replicationFactor: 2 }] });
    const before = await eventually(async () => {
      const [p] = await partitionsOf(admin, "undo");
      expect(p!.isr).toHaveLength(2);
      return p!;
    });
    const newcomer = [1, 2, 3].find((id) => !before.replicas.includes(id))!;
    const client = await clientAvoiding(newcomer);
    await cluster.brokers.get(newcomer)!.kill();
    await client.call("alterPartitionReassignments", { partitions: [{ topic: "undo", partition: 0, replicas: [newcomer, before.replicas[1]!] }] });
    const cancelled = await client.call("alterPartitionReassignments", { partitions: [{ topic: "undo", partition: 0, replicas: null }] });
    expect(cancelled["partitions"]).toEqual([{ topic: "undo", partition: 0 }]);
    expect((await client.call("listPartitionReassignments", {}))["reassignments"]).toEqual([]);
    await eventually(async () => expect((await partitionsOf(client, "undo"))[0]!.replicas).toEqual(before.replicas));
    const twice = await client.call("alterPartitionReassignments", { partitions: [{ topic: "undo", partition: 0, replicas: null }] });
    expect(twice["partitions"]).toEqual([{ topic: "undo", partition: 0, error: expect.objectContaining({ code: "NO_REASSIGNMENT_IN_PROGRESS" }) }]);
    const unknown = await client.call("alterPartitionReassignments", { partitions: [{ topic: "undo", partition: 0, replicas: [1, 77] }] });
    expect(unknown["partitions"]).toEqual([{ topic: "undo", partition: 0, error: expect.objectContaining({ code: "INVALID_REPLICA_ASSIGNMENT" }) }]);
    await cluster.restart(newcomer);
  });
});

describe("decommissioning a broker", () => {
  const cluster = clusterHarness();
  let brokers: ClusterBroker[];
  afterAll(() => cluster.stopAll());

  it("moves every replica off the broker, after which it can stop and the cluster still serves its partitions", async () => {
    brokers = await cluster.start([1, 2, 3]);
    const admin = await brokers[1]!.connect();
    await admin.call("createTopics", { topics: [{ topic: "spread", numPartitions: 3, replicationFactor: 2 }] });
    await eventually(async () => {
      for (const p of await partitionsOf(admin, "spread")) expect(p.isr).toHaveLength(2);
    });
    const clusterAdmin = brokers[1]!.broker.cluster!.admin;
    expect((await clusterAdmin.replicasOnBroker(1)).length).toBeGreaterThan(0);

    const plan = await clusterAdmin.planDecommission(1);
    const started = await admin.call("alterPartitionReassignments", { partitions: plan.partitions });
    expect((started["partitions"] as Frame[]).every((p) => p["error"] === undefined)).toBe(true);
    await eventually(async () => {
      expect((await admin.call("listPartitionReassignments", {}))["reassignments"]).toEqual([]);
      expect(await clusterAdmin.replicasOnBroker(1)).toEqual([]);
    });

    await brokers[0]!.stop();
    for (const p of await partitionsOf(admin, "spread")) {
      expect(p.replicas).not.toContain(1);
      expect(p.leader).not.toBe(1);
      const leader = await cluster.brokers.get(p.leader)!.connect();
      const reply = await leader.call("produce", { acks: -1, topic: "spread", partitions: [{ partition: p.partition, batches: batchOf([{ key: null, value: utf8("after") }]) }] });
      expect((reply["partitions"] as Frame[])[0]!["error"]).toBeUndefined();
    }
  });
});
