/**
 * Three in-process brokers of one cluster (one in-memory coordination store, replication over real
 * WebSockets): topic creation through any broker, metadata, acks=all, leadership checks, fail-over
 * of an abruptly killed leader, and the dead broker's return. The tests of this file tell one story
 * in order.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bytesField, batchOf, recordsOf, text, utf8 } from "../support/record-bytes.ts";
import type { Frame, WsTestClient } from "../support/ws-test-client.ts";
import { batchCrcs, clusterHarness, eventually, SESSION_TIMEOUT_MS, type ClusterBroker } from "./cluster-harness.ts";

const TOPIC = "orders";

interface PartitionInfo {
  leader: number;
  leaderEpoch: number;
  replicas: number[];
  isr: number[];
  offlineReplicas: number[];
}

async function partitionOf(client: WsTestClient, topic = TOPIC, partition = 0): Promise<PartitionInfo> {
  const reply = await client.call("metadata", { topics: [topic] });
  const found = (reply["topics"] as Frame[])[0]!;
  return (found["partitions"] as (PartitionInfo & { partition: number })[]).find((p) => p.partition === partition)!;
}

async function produce(client: WsTestClient, values: string[]): Promise<Frame> {
  return client.request("produce", {
    acks: -1,
    timeoutMs: 10_000,
    topic: TOPIC,
    partitions: [{ partition: 0, batches: batchOf(values.map((v) => ({ key: null, value: utf8(v) }))) }],
  });
}

describe("a cluster of three brokers", () => {
  const cluster = clusterHarness();
  const brokers = new Map<number, ClusterBroker>();
  const acknowledged: string[] = [];
  let leaderId = -1;
  let coordinatorId = -1;

  beforeAll(async () => {
    for (const b of await cluster.start([1, 2, 3])) brokers.set(b.id, b);
  });
  afterAll(() => cluster.stopAll());

  it("creates a topic with replication factor 3 through any broker, and every broker's metadata shows its leader, replicas and ISR", async () => {
    const via = await brokers.get(3)!.connect();
    const created = await via.call("createTopics", { topics: [{ topic: TOPIC, numPartitions: 1, replicationFactor: 3 }] });
    expect(created["topics"]).toEqual([{ topic: TOPIC, numPartitions: 1, replicationFactor: 3 }]);

    for (const b of brokers.values()) {
      const client = await b.connect();
      const p = await eventually(async () => {
        const found = await partitionOf(client);
        expect(found.isr).toHaveLength(3);
        return found;
      });
      expect([...p.replicas].sort()).toEqual([1, 2, 3]);
      expect(p.replicas).toContain(p.leader);
      expect(p.offlineReplicas).toEqual([]);
      leaderId = p.leader;
      const metadata = await client.call("metadata", { topics: [] });
      expect(metadata["clusterId"]).toBe("test-cluster");
      expect([1, 2, 3]).toContain(metadata["controllerId"]);
      expect(metadata["brokers"]).toEqual([1, 2, 3].map((id) => ({ brokerId: id, url: `${brokers.get(id)!.url}/`, rack: null })));
    }
  });

  it("acknowledges produce with acks=all once every replica holds the batches, byte for byte", async () => {
    const leader = await brokers.get(leaderId)!.connect();
    for (let i = 0; i < 5; i++) {
      const values = [`a${i}-0`, `a${i}-1`];
      const reply = await produce(leader, values);
      expect(reply["partitions"]).toEqual([{ partition: 0, baseOffset: i * 2, logAppendTime: -1, logStartOffset: 0 }]);
      acknowledged.push(...values);
    }
    const expected = await batchCrcs(brokers.get(leaderId)!.log(TOPIC, 0)!, 10);
    expect(expected).toHaveLength(5);
    for (const b of brokers.values()) {
      const log = b.log(TOPIC, 0)!;
      // acks=all answered: the follower holds the batches; its high watermark follows on its next fetch.
      expect(log.logEndOffset).toBe(10);
      expect(await batchCrcs(log, 10)).toEqual(expected);
      await eventually(() => expect(log.highWatermark).toBe(10));
    }
  });

  it("answers NOT_LEADER_OR_FOLLOWER to produce, fetch and listOffsets on a follower", async () => {
    const followerId = [1, 2, 3].find((id) => id !== leaderId)!;
    const follower = await brokers.get(followerId)!.connect();
    const produced = await produce(follower, ["refused"]);
    expect((produced["partitions"] as Frame[])[0]!["error"]).toMatchObject({ code: "NOT_LEADER_OR_FOLLOWER", retriable: true });
    const fetched = await follower.request("fetch", { topic: TOPIC, partition: 0, offset: 0 });
    expect(fetched["error"]).toMatchObject({ code: "NOT_LEADER_OR_FOLLOWER" });
    const listed = await follower.call("listOffsets", { topic: TOPIC, partitions: [{ partition: 0, timestamp: "latest" }] });
    expect((listed["partitions"] as Frame[])[0]!["error"]).toMatchObject({ code: "NOT_LEADER_OR_FOLLOWER" });
  });

  it("elects a new leader from the ISR within twice the session timeout when the leader dies, and a consumer reads every acknowledged record from it", async () => {
    const deadId = leaderId;
    const survivors = [1, 2, 3].filter((id) => id !== deadId);
    const watcher = await brokers.get(survivors[0]!)!.connect();
    const before = await partitionOf(watcher);
    const killedAt = Date.now();
    await brokers.get(deadId)!.kill();
    const after = await eventually(async () => {
      const p = await partitionOf(watcher);
      expect(p.leader).not.toBe(deadId);
      expect(p.leader).toBeGreaterThanOrEqual(0);
      expect(p.isr).not.toContain(deadId);
      return p;
    }, 4 * SESSION_TIMEOUT_MS);
    const failoverMs = Date.now() - killedAt;
    expect(failoverMs).toBeLessThan(2 * SESSION_TIMEOUT_MS + 500);
    expect(survivors).toContain(after.leader);
    expect(after.leaderEpoch).toBeGreaterThan(before.leaderEpoch);
    expect(after.offlineReplicas).toEqual([deadId]);
    leaderId = after.leader;

    const leader = await brokers.get(leaderId)!.connect();
    const more = await eventually(async () => {
      const reply = await produce(leader, ["b0", "b1"]);
      expect((reply["partitions"] as Frame[])[0]!["error"]).toBeUndefined();
      return reply;
    });
    expect((more["partitions"] as Frame[])[0]!["baseOffset"]).toBe(10);
    acknowledged.push("b0", "b1");

    const fetched = await leader.call("fetch", { topic: TOPIC, partition: 0, offset: 0, maxWaitMs: 0 });
    expect(fetched["highWatermark"]).toBe(12);
    const records = await recordsOf(bytesField(fetched["batches"]));
    expect(records.map((r) => text(r.value))).toEqual(acknowledged);
  });

  it("brings the dead broker back: it catches up from the new leader and rejoins the ISR", async () => {
    const deadId = [1, 2, 3].find((id) => !cluster.brokers.has(id))!;
    const back = await cluster.restart(deadId);
    brokers.set(deadId, back);
    const watcher = await brokers.get(leaderId)!.connect();
    await eventually(async () => expect((await partitionOf(watcher)).isr.sort()).toEqual([1, 2, 3]));
    const log = back.log(TOPIC, 0)!;
    expect(log.logEndOffset).toBe(12);
    expect(await batchCrcs(log, 12)).toEqual(await batchCrcs(brokers.get(leaderId)!.log(TOPIC, 0)!, 12));
  });

  it("lets only the leader of a group's __consumer_offsets partition coordinate the group", async () => {
    const clients = new Map<number, WsTestClient>();
    for (const id of [1, 2, 3]) clients.set(id, await brokers.get(id)!.connect());
    const join = { groupId: "billing", memberEpoch: 0, subscribedTopics: [TOPIC] };
    const answers = await eventually(async () => {
      const replies = new Map<number, Frame>();
      for (const [id, client] of clients) replies.set(id, await client.request("groupHeartbeat", join));
      const accepted = [...replies].filter(([, r]) => r["error"] === undefined);
      expect(accepted).toHaveLength(1);
      const coordinator = accepted[0]![0];
      for (const [id, reply] of replies) {
        if (id !== coordinator) expect(reply["error"]).toMatchObject({ code: "NOT_COORDINATOR", retriable: true, details: { coordinator } });
      }
      return { replies, coordinator };
    });
    const coordinator = clients.get(answers.coordinator)!;
    const member = answers.replies.get(answers.coordinator)!;
    const committed = await coordinator.call("offsetCommit", {
      groupId: "billing",
      memberId: member["memberId"],
      memberEpoch: member["memberEpoch"],
      offsets: [{ topic: TOPIC, partition: 0, offset: 12 }],
    });
    expect(committed["offsets"]).toEqual([{ topic: TOPIC, partition: 0, offset: 12 }]);
    coordinatorId = answers.coordinator;
  });

  it("moves a group to the next leader of its offsets partition when its coordinator dies, with its committed offsets", async () => {
    await brokers.get(coordinatorId)!.kill();
    const survivors = [1, 2, 3].filter((id) => id !== coordinatorId);
    const clients = await Promise.all(survivors.map((id) => brokers.get(id)!.connect()));
    const fetched = await eventually(async () => {
      const replies = await Promise.all(clients.map((c) => c.request("offsetFetch", { groupId: "billing", topics: [{ topic: TOPIC, partitions: [0] }] })));
      const served = replies.filter((r) => r["error"] === undefined);
      expect(served).toHaveLength(1);
      return served[0]!;
    }, 4 * SESSION_TIMEOUT_MS);
    expect(fetched["offsets"]).toMatchObject([{ topic: TOPIC, partition: 0, offset: 12 }]);
  });
});
