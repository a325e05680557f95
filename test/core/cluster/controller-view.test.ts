import { describe, expect, it } from "vitest";
import { clusterKeys } from "../../../src/core/cluster/cluster-keys.ts";
import { decodePartitionRecord, decodeTopicRecord, encodePartitionRecord, encodeTopicRecord } from "../../../src/core/cluster/cluster-records.ts";
import { watchClusterView } from "../../../src/core/cluster/cluster-view-impl.ts";
import type { ClusterChange } from "../../../src/core/cluster/cluster-view.ts";
import { localClusterView } from "../../../src/core/cluster/local-cluster-view.ts";
import { memoryCoordinationStore } from "../../../src/core/cluster/memory-coordination.ts";
import { manualClock } from "../../../src/core/ports/clock.ts";
import type { TopicDescription } from "../../../src/core/topic/topic-registry.ts";
import { eventually } from "./coordination-contract.ts";

const keys = clusterKeys("view-test");

async function seeded(options: { historyLimit?: number } = {}) {
  const store = memoryCoordinationStore({ clock: manualClock(), ...options });
  const admin = store.connect();
  const lease = await admin.grantLease(60);
  await admin.put(keys.broker(1), JSON.stringify({ id: 1, url: "ws://b1:9092" }), { lease });
  await admin.put(keys.broker(2), JSON.stringify({ id: 2, url: "ws://b2:9092" }), { lease });
  await admin.put(keys.controller, JSON.stringify({ brokerId: 2 }), { lease });
  const topic = { id: "AAAAAAAAAAAAAAAAAAAAAA", partitions: 2, replicationFactor: 2, configs: {}, assignment: [[1, 2], [2, 1]] };
  await admin.txn({
    compare: [],
    success: [
      { type: "put", key: keys.topic("orders"), value: encodeTopicRecord(topic) },
      { type: "put", key: keys.partition("orders", 0), value: encodePartitionRecord({ replicas: [1, 2], leader: 1, leaderEpoch: 3, isr: [1, 2] }) },
      { type: "put", key: keys.partition("orders", 1), value: encodePartitionRecord({ replicas: [2, 1], leader: 2, leaderEpoch: 0, isr: [2, 1] }) },
    ],
  });
  return { store, admin, lease };
}

describe("clusterKeys()", () => {
  it("lays every key out under /edgelog/<cluster-id>/ and parses them back", () => {
    expect(keys.partition("orders.v2", 11)).toBe("/edgelog/view-test/partitions/orders.v2/11");
    expect(keys.parse(keys.partition("orders.v2", 11))).toEqual({ type: "partition", topic: "orders.v2", partition: 11 });
    expect(keys.parse(keys.broker(7))).toEqual({ type: "broker", id: 7 });
    expect(keys.parse(keys.controller)).toEqual({ type: "controller" });
    expect(keys.parse(keys.reassignment("t", 0))).toEqual({ type: "reassignment", topic: "t", partition: 0 });
    for (const stray of ["/edgelog/other/brokers/1", `${keys.brokers}01`, `${keys.brokers}x`, `${keys.partitions}t/1/2`, `${keys.partitions}t/-1`]) {
      expect(keys.parse(stray)).toBeUndefined();
    }
  });

  it("refuses a cluster id that would escape its prefix", () => {
    for (const bad of ["", "a/b", "..", "x y"]) expect(() => clusterKeys(bad)).toThrow(expect.objectContaining({ code: "INVALID_CONFIG" }));
  });
});

describe("cluster records", () => {
  it("decode only well-formed values", () => {
    expect(decodePartitionRecord('{"replicas":[1,2],"leader":-1,"leaderEpoch":4,"isr":[2]}')).toEqual({ replicas: [1, 2], leader: -1, leaderEpoch: 4, isr: [2] });
    for (const bad of [
      "not json",
      '{"replicas":[],"leader":-1,"leaderEpoch":0,"isr":[]}',
      '{"replicas":[1,1],"leader":1,"leaderEpoch":0,"isr":[1]}',
      '{"replicas":[1],"leader":2,"leaderEpoch":0,"isr":[1]}',
      '{"replicas":[1],"leader":1,"leaderEpoch":0,"isr":[3]}',
      '{"replicas":[1],"leader":1,"leaderEpoch":-1,"isr":[1]}',
    ]) {
      expect(decodePartitionRecord(bad)).toBeUndefined();
    }
    expect(decodeTopicRecord('{"id":"x","partitions":2,"replicationFactor":1,"configs":{},"assignment":[[1]]}')).toBeUndefined();
  });
});

describe("watchClusterView()", () => {
  it("reads the brokers, the controller, the topics and the partition states", async () => {
    const { store } = await seeded();
    const view = await watchClusterView({ store: store.connect(), keys, localBrokerId: 1 });
    expect(view.brokers()).toEqual([{ id: 1, url: "ws://b1:9092" }, { id: 2, url: "ws://b2:9092" }]);
    expect(view.controllerId()).toBe(2);
    expect(view.topics()).toEqual([{ name: "orders", partitions: 2, replicationFactor: 2, configs: {} }]);
    expect(view.partition("orders", 0)).toMatchObject({ topic: "orders", partition: 0, replicas: [1, 2], leader: 1, leaderEpoch: 3, isr: [1, 2] });
    expect(view.partition("orders", 2)).toBeUndefined();
    expect(view.partitions().map((s) => s.partition)).toEqual([0, 1]);
    view.close();
  });

  it("follows changes and tells listeners about each", async () => {
    const { store, admin, lease } = await seeded();
    const view = await watchClusterView({ store: store.connect(), keys, localBrokerId: 1 });
    const changes: ClusterChange[] = [];
    view.onChange((c) => changes.push(c));
    const { revision } = await admin.put(keys.partition("orders", 1), encodePartitionRecord({ replicas: [2, 1], leader: 1, leaderEpoch: 1, isr: [1] }));
    await view.waitForRevision(revision);
    expect(changes).toEqual([{ type: "partition", state: expect.objectContaining({ partition: 1, leader: 1, leaderEpoch: 1, version: revision }) }]);
    await lease.revoke();
    await eventually(() => expect(view.brokers()).toEqual([]));
    expect(view.controllerId()).toBeUndefined();
    expect(changes.at(-1)).toEqual({ type: "brokers" });
    await admin.delete(keys.topic("orders"));
    await eventually(() => expect(view.topics()).toEqual([]));
    expect(view.partitions()).toEqual([]);
    expect(view.orphanPartitions().map((s) => s.partition)).toEqual([0, 1]);
    expect(changes.at(-1)).toEqual({ type: "topics" });
    view.close();
  });

  it("replaces its state after a resync and reports what differs", async () => {
    const { store, admin } = await seeded({ historyLimit: 2 });
    const client = store.connect();
    const view = await watchClusterView({ store: client, keys, localBrokerId: 1 });
    const changes: ClusterChange[] = [];
    view.onChange((c) => changes.push(c));
    client.setReachable(false);
    await admin.put(keys.partition("orders", 0), encodePartitionRecord({ replicas: [1, 2], leader: 2, leaderEpoch: 4, isr: [2] }));
    for (let i = 0; i < 3; i++) await admin.put("/unrelated", String(i)); // push the change out of the history
    client.setReachable(true);
    await eventually(() => expect(view.partition("orders", 0)).toMatchObject({ leader: 2, leaderEpoch: 4 }));
    expect(changes).toEqual([{ type: "partition", state: expect.objectContaining({ partition: 0, leader: 2 }) }]);
    view.close();
  });
});

describe("ClusterView.alterIsr()", () => {
  it("changes the ISR with a compare-and-swap and answers the new state at once", async () => {
    const { store } = await seeded();
    const view = await watchClusterView({ store: store.connect(), keys, localBrokerId: 1 });
    const before = view.partition("orders", 0)!;
    const after = await view.alterIsr("orders", 0, [1], before.version, 3);
    expect(after).toMatchObject({ leader: 1, leaderEpoch: 3, isr: [1], replicas: [1, 2] });
    expect(after.version).toBeGreaterThan(before.version);
    expect(view.partition("orders", 0)).toEqual(after);
    view.close();
  });

  it("rejects, retriably, a change based on a state that moved", async () => {
    const { store, admin } = await seeded();
    const view = await watchClusterView({ store: store.connect(), keys, localBrokerId: 1 });
    const before = view.partition("orders", 0)!;
    const { revision } = await admin.put(keys.partition("orders", 0), encodePartitionRecord({ replicas: [1, 2], leader: 1, leaderEpoch: 3, isr: [1] }));
    // The view has not seen the write yet: the store refuses.
    await expect(view.alterIsr("orders", 0, [1, 2], before.version, 3)).rejects.toMatchObject({
      code: "INVALID_UPDATE_VERSION",
      retriable: true,
      details: { version: revision },
    });
    view.close();
  });

  it("refuses a broker that does not lead, a stale epoch, and an ISR without the leader or outside the replicas", async () => {
    const { store } = await seeded();
    const follower = await watchClusterView({ store: store.connect(), keys, localBrokerId: 2 });
    const s = follower.partition("orders", 0)!;
    await expect(follower.alterIsr("orders", 0, [1], s.version, 3)).rejects.toMatchObject({ code: "NOT_LEADER_OR_FOLLOWER" });
    const leader = await watchClusterView({ store: store.connect(), keys, localBrokerId: 1 });
    await expect(leader.alterIsr("orders", 0, [1], s.version, 2)).rejects.toMatchObject({ code: "FENCED_LEADER_EPOCH", retriable: true });
    await expect(leader.alterIsr("orders", 0, [2], s.version, 3)).rejects.toMatchObject({ code: "INVALID_REQUEST" });
    await expect(leader.alterIsr("orders", 0, [1, 5], s.version, 3)).rejects.toMatchObject({ code: "INVALID_REQUEST" });
    await expect(leader.alterIsr("orders", 9, [1], s.version, 3)).rejects.toMatchObject({ code: "UNKNOWN_TOPIC_OR_PARTITION" });
    expect(leader.partition("orders", 0)).toEqual(s);
    follower.close();
    leader.close();
  });
});

describe("localClusterView()", () => {
  const topic = (name: string, partitions: number): TopicDescription => ({ name, partitions, replicationFactor: 1, configs: {}, id: "AAAAAAAAAAAAAAAAAAAAAA" });

  it("makes the lone broker the controller and the only, in-sync leader of every partition at epoch 0", () => {
    const topics = [topic("a", 2)];
    const view = localClusterView(5, "ws://localhost:9092", { list: () => topics, get: (n) => topics.find((t) => t.name === n) });
    expect(view.brokers()).toEqual([{ id: 5, url: "ws://localhost:9092" }]);
    expect(view.controllerId()).toBe(5);
    expect(view.partitions()).toEqual([
      { topic: "a", partition: 0, replicas: [5], leader: 5, leaderEpoch: 0, isr: [5], version: 0 },
      { topic: "a", partition: 1, replicas: [5], leader: 5, leaderEpoch: 0, isr: [5], version: 0 },
    ]);
    expect(view.partition("a", 2)).toBeUndefined();
    expect(view.partition("b", 0)).toBeUndefined();
  });

  it("announces new topics and partitions on refresh()", () => {
    const topics = [topic("a", 1)];
    const view = localClusterView(0, "ws://localhost:9092", { list: () => topics, get: (n) => topics.find((t) => t.name === n) });
    const changes: ClusterChange[] = [];
    view.onChange((c) => changes.push(c));
    view.refresh();
    expect(changes).toEqual([]);
    topics[0] = topic("a", 3);
    topics.push(topic("b", 1));
    view.refresh();
    expect(changes.map((c) => (c.type === "partition" ? `${c.state.topic}-${c.state.partition}` : c.type))).toEqual(["topics", "a-1", "a-2", "b-0"]);
  });

  it("accepts only an ISR of the broker itself", async () => {
    const topics = [topic("a", 1)];
    const view = localClusterView(0, "ws://localhost:9092", { list: () => topics, get: (n) => topics.find((t) => t.name === n) });
    await expect(view.alterIsr("a", 0, [0], 0, 0)).resolves.toMatchObject({ isr: [0] });
    await expect(view.alterIsr("a", 0, [0, 1], 0, 0)).rejects.toMatchObject({ code: "INVALID_REQUEST" });
    await expect(view.alterIsr("a", 0, [0], 3, 0)).rejects.toMatchObject({ code: "INVALID_UPDATE_VERSION" });
  });
});
