/**
 * The reference fail-over walk-through with real processes: a test etcd and three `edgelog serve`
 * processes (Node) joined into one cluster through `controller.etcd.endpoints`. A topic with
 * replication factor 3 takes records with acks=all; its leader is killed with SIGKILL; a new leader
 * comes from the ISR within 2 × broker.session.timeout.ms, with the dead broker out of the ISR; a
 * consumer reads every acknowledged record from it and the producer carries on; the dead broker,
 * restarted on its data, catches up and rejoins the ISR.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { batchOf, bytesField, recordsOf, text, utf8, type Frame, type WsTestClient } from "../support/ws-test-client.ts";
import { startEtcd, type EtcdServer } from "../support/etcd.ts";
import { removeTempDirs, startBroker, TARGETS, type E2eBroker } from "./broker-matrix.ts";
import { clusterBrokerSettings, untilClusterFormed, untilPasses } from "./cluster-helpers.ts";

/** {@link untilPasses} polling every 50 ms: the fail-over time is measured by it. */
const untilPassesQuickly = <T>(check: () => Promise<T>, limitMs: number): Promise<T> => untilPasses(check, limitMs, 50);

const SESSION_TIMEOUT_MS = 3000;
const TOPIC = "payments";
const NODE = TARGETS.find((t) => t.name === "node")!;

interface PartitionInfo {
  leader: number;
  leaderEpoch: number;
  isr: number[];
  replicas: number[];
}

async function partitionOf(client: WsTestClient): Promise<PartitionInfo> {
  const reply = await client.call("metadata", { topics: [TOPIC] });
  return ((reply["topics"] as Frame[])[0]!["partitions"] as PartitionInfo[])[0]!;
}

describe("fail-over of a three-broker cluster on etcd", () => {
  let etcd: EtcdServer;
  const brokers = new Map<number, E2eBroker>();
  const clients: WsTestClient[] = [];
  const acknowledged: string[] = [];
  let overrides: (id: number) => Record<string, string>;

  async function connect(id: number): Promise<WsTestClient> {
    const client = await brokers.get(id)!.connect({ timeoutMs: 10_000 });
    clients.push(client);
    return client;
  }

  /** Produces one record with acks=all to the current leader, finding it again (as a client does) until acknowledged. */
  async function produceOne(value: string, from: number[]): Promise<void> {
    await untilPassesQuickly(async () => {
      const client = await connect(from[0]!);
      const leader = (await partitionOf(client)).leader;
      client.terminate();
      const producer = await connect(leader);
      const reply = await producer.call("produce", {
        acks: -1,
        timeoutMs: 10_000,
        topic: TOPIC,
        partitions: [{ partition: 0, batches: batchOf([{ key: null, value: utf8(value) }]) }],
      });
      producer.terminate();
      const error = (reply["partitions"] as Frame[])[0]!["error"];
      if (error !== undefined) throw new Error(`produce failed: ${JSON.stringify(error)}`);
      acknowledged.push(value);
    }, 4 * SESSION_TIMEOUT_MS);
  }

  beforeAll(async () => {
    etcd = await startEtcd();
    const clusterId = `failover-${process.pid}-${Date.now()}`;
    overrides = (id) => clusterBrokerSettings(id, etcd.endpoint, clusterId, SESSION_TIMEOUT_MS);
    const started = await Promise.all([1, 2, 3].map((id) => startBroker(NODE, { overrides: overrides(id) })));
    started.forEach((broker, i) => brokers.set(i + 1, broker));
    const client = await connect(1);
    await untilClusterFormed(client, [1, 2, 3], 20_000);
  });

  afterAll(async () => {
    for (const client of clients) client.terminate();
    for (const broker of brokers.values()) await broker.kill();
    await etcd?.destroy();
    removeTempDirs();
  });

  test("a new leader takes over within 2 × broker.session.timeout.ms of kill -9, loses no acknowledged record, and the dead broker rejoins", async () => {
    const admin = await connect(2);
    await admin.call("createTopics", { topics: [{ topic: TOPIC, numPartitions: 1, replicationFactor: 3 }] });
    const initial = await untilPassesQuickly(async () => {
      const p = await partitionOf(admin);
      expect([...p.isr].sort()).toEqual([1, 2, 3]);
      return p;
    }, 10_000);

    for (let i = 0; i < 20; i++) await produceOne(`before-${i}`, [2]);

    const deadId = initial.leader;
    const survivors = [1, 2, 3].filter((id) => id !== deadId);
    const watcher = await connect(survivors[0]!);
    const killedAt = Date.now();
    await brokers.get(deadId)!.kill();
    const after = await untilPassesQuickly(async () => {
      const p = await partitionOf(watcher);
      expect(survivors).toContain(p.leader);
      expect(p.isr).not.toContain(deadId);
      return p;
    }, 4 * SESSION_TIMEOUT_MS);
    const failoverMs = Date.now() - killedAt;
    expect(failoverMs, `fail-over took ${failoverMs} ms`).toBeLessThan(2 * SESSION_TIMEOUT_MS);
    expect(after.leaderEpoch).toBeGreaterThan(initial.leaderEpoch);

    // A consumer reads every acknowledged record from the new leader (once its high watermark,
    // which moves when the other follower fetches from it, covers them: as in Kafka).
    const consumer = await connect(after.leader);
    await untilPassesQuickly(async () => {
      const fetched = await consumer.call("fetch", { topic: TOPIC, partition: 0, offset: 0, maxWaitMs: 0 });
      const records = await recordsOf(bytesField(fetched["batches"]));
      expect(records.map((r) => text(r.value))).toEqual(acknowledged);
    }, 2 * SESSION_TIMEOUT_MS);

    // The producer carries on.
    for (let i = 0; i < 10; i++) await produceOne(`after-${i}`, survivors);
    const again = await consumer.call("fetch", { topic: TOPIC, partition: 0, offset: 0, maxWaitMs: 0 });
    expect((await recordsOf(bytesField(again["batches"]))).map((r) => text(r.value))).toEqual(acknowledged);

    // The dead broker comes back on its data, catches up and rejoins the ISR.
    const restarted = await brokers.get(deadId)!.restart();
    brokers.set(deadId, restarted);
    await untilPassesQuickly(async () => expect([...(await partitionOf(watcher)).isr].sort()).toEqual([1, 2, 3]), 20_000);
    const response = await fetch(`${restarted.httpUrl}/admin/topics/${TOPIC}`);
    const described = (await response.json()) as { partitions: { logEndOffset: number; leader: number }[] };
    expect(described.partitions[0]).toMatchObject({ logEndOffset: acknowledged.length, leader: after.leader });
    const refused = await (await connect(deadId)).request("produce", {
      acks: -1,
      topic: TOPIC,
      partitions: [{ partition: 0, batches: batchOf([{ key: null, value: utf8("to a follower") }]) }],
    });
    expect((refused["partitions"] as Frame[])[0]!["error"]).toMatchObject({ code: "NOT_LEADER_OR_FOLLOWER" });
  });
});
