/**
 * A consumer group member against three in-process brokers of one cluster: group ops go to the
 * group's coordinator (found through NOT_COORDINATOR), the partitions the coordinator does not lead
 * are read from their leaders, and the member keeps consuming when its coordinator dies. The tests
 * of this file tell one story in order.
 */
import WebSocket from "ws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ConsumedRecord, createClient, type EdgelogClient, type WebSocketConstructor } from "../../src/client/index.ts";
import { partitionForGroup } from "../../src/core/group/partition-for-group.ts";
import { clusterHarness, eventually, type ClusterBroker } from "../server/cluster-harness.ts";
import { collect, type Collecting } from "./groups-fixture.ts";

const TOPIC = "events";
const GROUP = "billing";
const RETRY = { initialRetryTimeMs: 50, maxRetryTimeMs: 400, retries: 15 };

/** Each value once, and per partition the offsets in increasing order. */
function expectOnceInOrder(records: readonly ConsumedRecord[], values: readonly string[]): void {
  expect(records.map((r) => r.valueString()).sort()).toEqual([...values].sort());
  for (const partition of new Set(records.map((r) => r.partition))) {
    const offsets = records.filter((r) => r.partition === partition).map((r) => r.offset);
    expect(offsets).toEqual([...offsets].sort((a, b) => a - b));
    expect(new Set(offsets).size).toBe(offsets.length);
  }
}

describe("a group consumer in a cluster of three brokers", () => {
  const cluster = clusterHarness();
  const brokers = new Map<number, ClusterBroker>();
  const closers: (() => Promise<void>)[] = [];
  const produced: string[] = [];
  let client: EdgelogClient;
  let member: Collecting;
  let leaders: number[] = [];

  function clientOf(ids: number[]): EdgelogClient {
    return createClient({
      brokers: ids.map((id) => brokers.get(id)!.url),
      clientId: "groups",
      WebSocket: WebSocket as WebSocketConstructor,
      connectionTimeoutMs: 2000,
      retry: RETRY,
    });
  }

  beforeAll(async () => {
    for (const b of await cluster.start([1, 2, 3])) brokers.set(b.id, b);
    client = clientOf([1, 2, 3]);
    const admin = client.admin();
    closers.push(() => admin.disconnect());
    await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: 3, replicationFactor: 3 }] });
    leaders = await eventually(async () => {
      const { topics } = await admin.fetchTopicMetadata({ topics: [TOPIC] });
      for (const p of topics[0]!.partitions) expect(p.isr).toHaveLength(3);
      return topics[0]!.partitions.map((p) => p.leader);
    });
    // The first group op creates __consumer_offsets; then the client starts at another broker than
    // the group's coordinator, so that it has to follow NOT_COORDINATOR.
    await eventually(() => admin.describeGroups([GROUP]));
    const coordinator = await coordinatorId();
    client = clientOf([...[1, 2, 3].filter((id) => id !== coordinator), coordinator]);
  });
  afterAll(async () => {
    for (const close of closers.splice(0).reverse()) await close().catch(() => undefined);
    await cluster.stopAll();
  });

  async function produce(prefix: string, count: number): Promise<void> {
    const producer = client.producer();
    try {
      const messages = Array.from({ length: count }, (_, i) => ({ key: `${prefix}-${i}`, value: `${prefix}${i}` }));
      const result = await producer.send({ topic: TOPIC, messages });
      expect(result.map((m) => m.partition).sort()).toEqual([0, 1, 2]);
      produced.push(...messages.map((m) => m.value));
    } finally {
      await producer.disconnect();
    }
  }

  async function coordinatorId(): Promise<number> {
    const admin = client.admin();
    try {
      const { topics } = await admin.fetchTopicMetadata({ topics: ["__consumer_offsets"] });
      const partitions = topics[0]!.partitions;
      return partitions[partitionForGroup(GROUP, partitions.length)]!.leader;
    } finally {
      await admin.disconnect();
    }
  }

  it("reads every partition, led by three different brokers, and commits at the group's coordinator", async () => {
    expect(new Set(leaders).size).toBe(3);
    await produce("a", 30);
    const consumer = client.consumer({ groupId: GROUP, heartbeatIntervalMs: 200, autoCommitIntervalMs: 200 });
    closers.push(() => consumer.disconnect());
    await consumer.subscribe({ topics: [TOPIC], fromBeginning: true });
    member = collect(consumer);
    await eventually(() => expect(member.records).toHaveLength(30), 15_000);
    expectOnceInOrder(member.records, produced);

    const admin = client.admin();
    closers.push(() => admin.disconnect());
    const lag = await eventually(async () => {
      const { groups } = await admin.describeLag([GROUP]);
      const rows = groups[0]!.rows.filter((r) => r.topic === TOPIC);
      expect(rows).toHaveLength(3);
      for (const row of rows) expect(row.lag).toBe(0);
      return rows;
    });
    expect(lag.reduce((sum, row) => sum + (row.currentOffset ?? 0), 0)).toBe(30);
    const { groups } = await admin.describeGroups([GROUP]);
    expect(groups[0]!.members).toHaveLength(1);
    expect(groups[0]!.members[0]!.assignment).toEqual([{ topic: TOPIC, partitions: [0, 1, 2] }]);
  });

  it("keeps consuming, each record once, after its coordinator broker dies", async () => {
    const deadId = await coordinatorId();
    await brokers.get(deadId)!.kill();
    brokers.delete(deadId);
    await produce("b", 30);
    await eventually(() => expect(member.records).toHaveLength(60), 20_000);
    await new Promise((resolve) => setTimeout(resolve, 300)); // nothing more arrives
    expectOnceInOrder(member.records, produced);
    await eventually(async () => expect([...brokers.keys()]).toContain(await coordinatorId()));
  });
});
