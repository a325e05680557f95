import { afterEach, describe, expect, it } from "vitest";
import { startBroker, type Harness } from "./broker-harness.ts";

let h: Harness | undefined;
afterEach(async () => {
  await h?.broker.close();
  h = undefined;
});

describe("hello", () => {
  it("hello negotiates version 1 and announces limits, features and ops", async () => {
    h = await startBroker({ "socket.request.max.bytes": "2048", "edgelog.max.subscriptions.per.connection": "7" });
    const reply = await h.client().request({ op: "hello", versions: [1, 2], clientId: "sensor-7" });
    expect(reply["version"]).toBe(1);
    expect(reply["brokerId"]).toBe(0);
    expect(reply["clusterId"]).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(reply["limits"]).toMatchObject({ maxFrameBytes: 2048, maxSubscriptions: 7, maxWaitMs: 30000 });
    expect(reply["ops"]).toContain("subscribe");
    expect(reply["features"]).toContain("produce.records");
  });

  it("hello without a common version answers UNSUPPORTED_VERSION", async () => {
    h = await startBroker();
    const reply = await h.client().request({ op: "hello", versions: [9] });
    expect(reply["error"]).toMatchObject({ code: "UNSUPPORTED_VERSION" });
  });

  it("the cluster id survives a restart", async () => {
    h = await startBroker();
    const first = (await h.client().request({ op: "hello", versions: [1] }))["clusterId"];
    await h.broker.close();
    const fs = h.fs;
    h = await startBroker({}, fs);
    expect((await h.client().request({ op: "hello", versions: [1] }))["clusterId"]).toBe(first);
  });

  it("a broker refuses to start on a log dir of another broker id", async () => {
    h = await startBroker();
    await h.broker.close();
    const fs = h.fs;
    h = undefined;
    await expect(startBroker({ "broker.id": "3" }, fs)).rejects.toMatchObject({ code: "INVALID_CONFIG" });
  });
});

describe("metadata", () => {
  it("metadata lists brokers and each partition with leader = replicas = isr = this broker", async () => {
    h = await startBroker({ "broker.id": "4", listeners: "ws://localhost:9092" });
    const c = await h.connect();
    await c.request({ op: "createTopics", topics: [{ topic: "orders", numPartitions: 2 }] });
    const reply = await c.request({ op: "metadata" });
    expect(reply["brokers"]).toEqual([{ brokerId: 4, url: "ws://localhost:9092/", rack: null }]);
    expect(reply["controllerId"]).toBe(4);
    expect(reply["topics"]).toEqual([
      {
        topic: "orders",
        topicId: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/),
        internal: false,
        partitions: [0, 1].map((partition) => ({ partition, leader: 4, leaderEpoch: 0, replicas: [4], isr: [4], offlineReplicas: [] })),
      },
    ]);
  });

  it("metadata creates a requested unknown topic with num.partitions when auto-creation is on", async () => {
    h = await startBroker({ "num.partitions": "3" });
    const reply = await (await h.connect()).request({ op: "metadata", topics: ["fresh"] });
    const topics = reply["topics"] as { topic: string; partitions: unknown[]; error?: unknown }[];
    expect(topics[0]!.error).toBeUndefined();
    expect(topics[0]!.partitions).toHaveLength(3);
  });

  it("metadata never auto-creates the internal __consumer_offsets topic", async () => {
    h = await startBroker({ "num.partitions": "3" });
    const c = await h.connect();
    const reply = await c.request({ op: "metadata", topics: ["__consumer_offsets"] });
    expect(reply["topics"]).toEqual([expect.objectContaining({ topic: "__consumer_offsets", error: expect.objectContaining({ code: "UNKNOWN_TOPIC_OR_PARTITION" }) })]);
    const all = await c.request({ op: "metadata" });
    expect((all["topics"] as { topic: string }[]).map((t) => t.topic)).toEqual([]);
  });

  it("metadata answers UNKNOWN_TOPIC_OR_PARTITION for an unknown topic when auto-creation is off", async () => {
    h = await startBroker({ "auto.create.topics.enable": "false" });
    const reply = await (await h.connect()).request({ op: "metadata", topics: ["ghost"] });
    expect(reply["topics"]).toEqual([
      expect.objectContaining({ topic: "ghost", partitions: [], error: expect.objectContaining({ code: "UNKNOWN_TOPIC_OR_PARTITION" }) }),
    ]);
  });

  it("metadata with an invalid topic name answers INVALID_TOPIC_EXCEPTION for that topic", async () => {
    h = await startBroker();
    const reply = await (await h.connect()).request({ op: "metadata", topics: ["bad name!"] });
    expect((reply["topics"] as { error: { code: string } }[])[0]!.error.code).toBe("INVALID_TOPIC_EXCEPTION");
  });
});

describe("createTopics, createPartitions, deleteTopics", () => {
  it("createTopics creates each topic on its own and reports failures per topic", async () => {
    h = await startBroker();
    const c = await h.connect();
    await c.request({ op: "createTopics", topics: [{ topic: "a" }] });
    const reply = await c.request({
      op: "createTopics",
      topics: [{ topic: "a" }, { topic: "b", numPartitions: 4 }, { topic: "c", replicationFactor: 3 }, { topic: "d", configs: { "retention.ms": "x" } }],
    });
    const topics = reply["topics"] as Record<string, unknown>[];
    expect(topics[0]).toMatchObject({ topic: "a", error: { code: "TOPIC_ALREADY_EXISTS" } });
    expect(topics[1]).toEqual({ topic: "b", numPartitions: 4, replicationFactor: 1 });
    expect(topics[2]).toMatchObject({ topic: "c", error: { code: "INVALID_REPLICATION_FACTOR" } });
    expect(topics[3]).toMatchObject({ topic: "d", error: { code: "INVALID_CONFIG" } });
    const names = ((await c.request({ op: "metadata" }))["topics"] as { topic: string }[]).map((t) => t.topic);
    expect(names).toEqual(["a", "b"]);
  });

  it("createTopics with validateOnly creates nothing", async () => {
    h = await startBroker();
    const c = await h.connect();
    const reply = await c.request({ op: "createTopics", topics: [{ topic: "dry", numPartitions: 2 }], validateOnly: true });
    expect(reply["topics"]).toEqual([{ topic: "dry", numPartitions: 2, replicationFactor: 1 }]);
    expect((await c.request({ op: "metadata" }))["topics"]).toEqual([]);
  });

  it("createPartitions raises the count and refuses to lower it", async () => {
    h = await startBroker();
    const c = await h.connect();
    await c.request({ op: "createTopics", topics: [{ topic: "t", numPartitions: 2 }] });
    const reply = await c.request({ op: "createPartitions", topics: [{ topic: "t", count: 5 }, { topic: "ghost", count: 2 }] });
    expect(reply["topics"]).toEqual([{ topic: "t" }, expect.objectContaining({ topic: "ghost", error: expect.objectContaining({ code: "UNKNOWN_TOPIC_OR_PARTITION" }) })]);
    const lower = await c.request({ op: "createPartitions", topics: [{ topic: "t", count: 3 }] });
    expect((lower["topics"] as { error: { code: string } }[])[0]!.error.code).toBe("INVALID_PARTITIONS");
    const meta = await c.request({ op: "metadata", topics: ["t"] });
    expect((meta["topics"] as { partitions: unknown[] }[])[0]!.partitions).toHaveLength(5);
  });

  it("deleteTopics deletes a topic and answers UNKNOWN_TOPIC_OR_PARTITION for a missing one", async () => {
    h = await startBroker();
    const c = await h.connect();
    await c.request({ op: "createTopics", topics: [{ topic: "gone" }] });
    const reply = await c.request({ op: "deleteTopics", topics: ["gone", "never"] });
    expect(reply["topics"]).toEqual([
      { topic: "gone" },
      expect.objectContaining({ topic: "never", error: expect.objectContaining({ code: "UNKNOWN_TOPIC_OR_PARTITION" }) }),
    ]);
    expect((await c.request({ op: "metadata" }))["topics"]).toEqual([]);
    expect(await h.fs.stat("data/gone-0")).toBeNull();
  });
});

describe("describeConfigs and alterConfigs", () => {
  it("describeConfigs shows a topic override as DYNAMIC_TOPIC_CONFIG and filters by keys", async () => {
    h = await startBroker({ "log.retention.hours": "1" });
    const c = await h.connect();
    await c.request({ op: "createTopics", topics: [{ topic: "t", configs: { "cleanup.policy": "compact" } }] });
    const reply = await c.request({
      op: "describeConfigs",
      resources: [{ type: "topic", name: "t", keys: ["cleanup.policy", "retention.ms", "segment.bytes"] }],
    });
    const configs = (reply["resources"] as { configs: { key: string; value: string; source: string }[] }[])[0]!.configs;
    expect(configs.map((e) => [e.key, e.value, e.source])).toEqual([
      ["cleanup.policy", "compact", "DYNAMIC_TOPIC_CONFIG"],
      ["retention.ms", "3600000", "STATIC_BROKER_CONFIG"],
      ["segment.bytes", "1073741824", "DEFAULT_CONFIG"],
    ]);
  });

  it("describeConfigs describes this broker and rejects another broker id", async () => {
    h = await startBroker({ "num.partitions": "3" });
    const reply = await (await h.connect()).request({
      op: "describeConfigs",
      resources: [
        { type: "broker", name: "0", keys: ["num.partitions", "delete.topic.enable"] },
        { type: "broker", name: "5" },
        { type: "topic", name: "ghost" },
      ],
    });
    const [own, other, ghost] = reply["resources"] as { configs: unknown[]; error?: { code: string } }[];
    expect(own!.configs).toEqual([
      { key: "num.partitions", value: "3", source: "STATIC_BROKER_CONFIG", readOnly: true, sensitive: false },
      { key: "delete.topic.enable", value: "true", source: "DEFAULT_CONFIG", readOnly: true, sensitive: false },
    ]);
    expect(other!.error?.code).toBe("INVALID_REQUEST");
    expect(ghost!.error?.code).toBe("UNKNOWN_TOPIC_OR_PARTITION");
  });

  it("alterConfigs applies a topic config to the running logs without a restart", async () => {
    h = await startBroker();
    const c = await h.connect();
    await c.request({ op: "createTopics", topics: [{ topic: "t", numPartitions: 2 }] });
    const reply = await c.request({
      op: "alterConfigs",
      resources: [{ type: "topic", name: "t", set: { "max.message.bytes": "100", "retention.ms": 1000 } }],
    });
    expect(reply["resources"]).toEqual([{ type: "topic", name: "t" }]);
    // The new max.message.bytes is in force at once: a 200-byte batch is now too large.
    const produce = await c.request({ op: "produce", acks: 1, topic: "t", partitions: [{ partition: 1, records: [{ value: "x".repeat(200) }] }] });
    expect((produce["partitions"] as { error: { code: string } }[])[0]!.error.code).toBe("MESSAGE_TOO_LARGE");
    const removed = await c.request({ op: "alterConfigs", resources: [{ type: "topic", name: "t", delete: ["max.message.bytes"] }] });
    expect(removed["resources"]).toEqual([{ type: "topic", name: "t" }]);
    const again = await c.request({ op: "produce", acks: 1, topic: "t", partitions: [{ partition: 1, records: [{ value: "x".repeat(200) }] }] });
    expect((again["partitions"] as { baseOffset: number }[])[0]!.baseOffset).toBe(0);
  });

  it("alterConfigs reports an invalid value and a broker resource as errors", async () => {
    h = await startBroker();
    const c = await h.connect();
    await c.request({ op: "createTopics", topics: [{ topic: "t" }] });
    const reply = await c.request({
      op: "alterConfigs",
      resources: [
        { type: "topic", name: "t", set: { "retention.ms": "soon" } },
        { type: "broker", name: "0", set: { "num.partitions": "2" } },
      ],
    });
    const [topic, broker] = reply["resources"] as { error: { code: string } }[];
    expect(topic!.error.code).toBe("INVALID_CONFIG");
    expect(broker!.error.code).toBe("POLICY_VIOLATION");
  });
});
