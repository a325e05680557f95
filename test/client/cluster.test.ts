/**
 * The client library against three in-process brokers of one cluster (test/server/cluster-harness.ts):
 * topic administration through any broker, produce routed to each partition's leader, and a leader
 * killed abruptly — the producer's sends go on after the fail-over and an assign-mode consumer
 * continues on the new leader. The tests of this file tell one story in order.
 */
import WebSocket from "ws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ConsumedRecord, createClient, type EdgelogClient, type TopicDescription, type WebSocketConstructor } from "../../src/client/index.ts";
import { decodeFrame } from "../../src/protocol/index.ts";
import { clusterHarness, eventually, SESSION_TIMEOUT_MS, type ClusterBroker } from "../server/cluster-harness.ts";
import { collect } from "./groups-fixture.ts";

const TOPIC = "orders";

/** Retries that outlast a fail-over (a session timeout of 1 s, then an election). */
const RETRY = { initialRetryTimeMs: 50, maxRetryTimeMs: 400, retries: 15 };

interface Sent {
  url: string;
  frame: Record<string, unknown>;
}

/** `ws` that records every frame the client sends, decoded, with the URL it went to. */
function recordingWebSocket(sent: Sent[]): WebSocketConstructor {
  return class RecordingWebSocket extends WebSocket {
    constructor(url: string, protocols?: string | string[]) {
      super(url, protocols);
      const send = this.send.bind(this) as (data: unknown) => void;
      (this as { send: (data: unknown) => void }).send = (data: unknown) => {
        sent.push({ url, frame: decodeFrame(data as Uint8Array) as Record<string, unknown> });
        send(data);
      };
    }
  };
}

describe("the client in a cluster of three brokers", () => {
  const cluster = clusterHarness();
  const brokers = new Map<number, ClusterBroker>();
  const sent: Sent[] = [];
  const closers: (() => Promise<void>)[] = [];
  let client: EdgelogClient;
  let leaders: number[] = [];
  let deadUrl = "";

  beforeAll(async () => {
    for (const b of await cluster.start([1, 2, 3])) brokers.set(b.id, b);
    client = createClient({
      brokers: [...brokers.values()].map((b) => b.url),
      clientId: "cluster-test",
      WebSocket: recordingWebSocket(sent),
      connectionTimeoutMs: 2000,
      retry: RETRY,
    });
  });
  afterAll(async () => {
    for (const close of closers.splice(0).reverse()) await close().catch(() => undefined);
    await cluster.stopAll();
  });

  async function describeTopic(): Promise<TopicDescription> {
    const admin = client.admin();
    try {
      return (await admin.fetchTopicMetadata({ topics: [TOPIC] })).topics[0]!;
    } finally {
      await admin.disconnect();
    }
  }

  it("creates a topic of 3 partitions and replication factor 3 through the admin client; metadata shows each partition's leader, replicas and ISR", async () => {
    const admin = client.admin();
    closers.push(() => admin.disconnect());
    expect(await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: 3, replicationFactor: 3 }] })).toBe(true);
    const described = await eventually(async () => {
      const t = await describeTopic();
      for (const p of t.partitions) expect(p.isr.sort()).toEqual([1, 2, 3]);
      return t;
    });
    expect(described.partitions.map((p) => p.partitionId)).toEqual([0, 1, 2]);
    for (const p of described.partitions) {
      expect(p.replicas.slice().sort()).toEqual([1, 2, 3]);
      expect(p.replicas).toContain(p.leader);
    }
    leaders = described.partitions.map((p) => p.leader);
    expect(new Set(leaders).size).toBe(3); // Kafka's assignment spreads the leaders

    const described2 = await admin.describeCluster();
    expect(described2.clusterId).toBe("test-cluster");
    expect(described2.brokers.map((b) => [b.nodeId, b.url])).toEqual([1, 2, 3].map((id) => [id, `${brokers.get(id)!.url}/`]));
    expect([1, 2, 3]).toContain(described2.controller);
  });

  it("routes each partition's batches to its leader: keyed messages land on partitions led by three different brokers", async () => {
    const producer = client.producer();
    closers.push(() => producer.disconnect());
    const from = sent.length;
    const messages = Array.from({ length: 30 }, (_, i) => ({ key: `user-${i}`, value: `v${i}` }));
    const result = await producer.send({ topic: TOPIC, messages });
    expect(result.map((m) => m.partition).sort()).toEqual([0, 1, 2]);

    const produces = sent.slice(from).filter((s) => s.frame["op"] === "produce");
    expect(produces).toHaveLength(3); // one request per leader, none refused
    for (const { url, frame } of produces) {
      const partitions = (frame["partitions"] as { partition: number }[]).map((p) => p.partition);
      expect(partitions).toHaveLength(1);
      expect(url).toBe(`${brokers.get(leaders[partitions[0]!]!)!.url}/`);
    }
    for (const meta of result) {
      const log = brokers.get(leaders[meta.partition]!)!.log(TOPIC, meta.partition)!;
      expect(log.logEndOffset).toBe(meta.offsets.length);
    }
  });

  it("after the leader of a partition dies, the producer's sends succeed on the new leader and an assigned consumer delivers every acknowledged record exactly once, in order", async () => {
    const partition = 0;
    const deadId = leaders[partition]!;
    const consumer = client.consumer({ maxBufferedRecords: 20 });
    closers.push(() => consumer.disconnect());
    await consumer.assign([{ topic: TOPIC, partition, from: "earliest" }]);
    const collecting = collect(consumer);
    const producer = client.producer({ acks: "all" });
    closers.push(() => producer.disconnect());

    const acknowledged: string[] = [];
    const initial = (await describeTopic()).partitions[partition]!;
    const already = brokers.get(deadId)!.log(TOPIC, partition)!.logEndOffset;
    for (let i = 0; i < 20; i++) {
      await producer.send({ topic: TOPIC, messages: [{ value: `a${i}`, partition }] });
      acknowledged.push(`a${i}`);
    }
    await eventually(() => expect(collecting.records.length).toBe(already + 20));

    deadUrl = brokers.get(deadId)!.url;
    await brokers.get(deadId)!.kill();
    brokers.delete(deadId);
    const killedAt = Date.now();
    for (let i = 0; i < 20; i++) {
      await producer.send({ topic: TOPIC, messages: [{ value: `b${i}`, partition }] });
      acknowledged.push(`b${i}`);
    }
    expect(Date.now() - killedAt).toBeLessThan(10 * SESSION_TIMEOUT_MS);

    const after = (await describeTopic()).partitions[partition]!;
    expect(after.leader).not.toBe(deadId);
    expect(after.leaderEpoch).toBeGreaterThan(initial.leaderEpoch);
    expect(after.isr).not.toContain(deadId);

    await eventually(() => expect(collecting.records.length).toBe(already + 40), 10_000);
    await new Promise((resolve) => setTimeout(resolve, 200)); // nothing more arrives
    const records: ConsumedRecord[] = collecting.records;
    expect(records.map((r) => r.offset)).toEqual(Array.from({ length: already + 40 }, (_, i) => i));
    expect(records.slice(already).map((r) => r.valueString())).toEqual(acknowledged);

    const resubscribed = sent.filter((s) => s.frame["op"] === "subscribe" && s.frame["partition"] === partition).at(-1)!;
    expect(resubscribed.url).toBe(`${brokers.get(after.leader)!.url}/`);
    expect(resubscribed.frame["from"]).toEqual({ offset: already + 20 });
    await consumer.disconnect();
    await producer.disconnect();
  });

  it("follows leadership back to the restarted broker after a preferred election: the producer and the consumer hear NOT_LEADER_OR_FOLLOWER and move on, each record once", async () => {
    const partition = 0;
    const preferred = leaders[partition]!;
    const back = await cluster.restart(preferred);
    brokers.set(preferred, back);
    const interim = await eventually(async () => {
      const p = (await describeTopic()).partitions[partition]!;
      expect(p.isr.slice().sort()).toEqual([1, 2, 3]);
      return p.leader;
    });
    expect(interim).not.toBe(preferred);

    // Both learn the interim leader: the consumer subscribes there, the producer sends there.
    const consumer = client.consumer();
    closers.push(() => consumer.disconnect());
    const producer = client.producer();
    closers.push(() => producer.disconnect());
    const start = brokers.get(interim)!.log(TOPIC, partition)!.logEndOffset;
    await consumer.assign([{ topic: TOPIC, partition, offset: start }]);
    const collecting = collect(consumer);
    const values = Array.from({ length: 10 }, (_, i) => `c${i}`);
    for (const value of values.slice(0, 5)) await producer.send({ topic: TOPIC, messages: [{ value, partition }] });
    await eventually(() => expect(collecting.records).toHaveLength(5));

    const watcher = await back.connect();
    const elected = await watcher.call("electLeaders", { electionType: "preferred", partitions: [{ topic: TOPIC, partition }] });
    expect(elected["partitions"]).toEqual([{ topic: TOPIC, partition, leader: preferred }]);
    const electedAt = sent.length;
    for (const value of values.slice(5)) await producer.send({ topic: TOPIC, messages: [{ value, partition }] });
    await eventually(() => expect(collecting.records).toHaveLength(10), 10_000);
    await new Promise((resolve) => setTimeout(resolve, 200)); // nothing more arrives
    expect(collecting.records.map((r) => r.valueString())).toEqual(values);
    expect(collecting.records.map((r) => r.offset)).toEqual(values.map((_, i) => start + i));

    const [interimUrl, preferredUrl] = [`${brokers.get(interim)!.url}/`, `${back.url}/`];
    const produces = sent.slice(electedAt).filter((s) => s.frame["op"] === "produce");
    expect(produces[0]!.url).toBe(interimUrl); // refused there: NOT_LEADER_OR_FOLLOWER
    expect(produces.at(-1)!.url).toBe(preferredUrl);
    const resubscribed = sent.slice(electedAt).filter((s) => s.frame["op"] === "subscribe");
    expect(resubscribed.map((s) => [s.url, s.frame["from"]])).toEqual([[preferredUrl, { offset: start + 5 }]]);
  });

  it("connects through the next bootstrap address when the first one is down", async () => {
    const live = [...brokers.values()][0]!;
    const other = createClient({ brokers: [deadUrl, live.url], WebSocket: WebSocket as WebSocketConstructor, retry: RETRY });
    const admin = other.admin();
    closers.push(() => admin.disconnect());
    const { brokers: listed } = await admin.describeCluster();
    expect(listed.map((b) => b.nodeId).sort()).toEqual([...brokers.keys()].sort());
    const producer = other.producer();
    closers.push(() => producer.disconnect());
    const [meta] = await producer.send({ topic: TOPIC, messages: [{ value: "via the next address", partition: 1 }] });
    expect(meta!.partition).toBe(1);
  });
});
