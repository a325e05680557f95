import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { EdgelogError, type Admin } from "../../src/client/index.ts";
import { TestBroker } from "./broker-fixture.ts";

let broker: TestBroker;
let admin: Admin;

beforeEach(async () => {
  broker = await TestBroker.start({ "auto.create.topics.enable": "false", "node.id": "1" });
  admin = broker.client({ retry: { retries: 0 } }).admin();
});

afterEach(async () => {
  await admin.disconnect();
  await broker.stop();
});

async function rejection(promise: Promise<unknown>): Promise<EdgelogError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(EdgelogError);
  return error as EdgelogError;
}

async function produce(topic: string, partition: number, timestamps: number[]): Promise<void> {
  const producer = broker.client().producer({ acks: 1 });
  for (const timestamp of timestamps) await producer.send({ topic, messages: [{ value: "x", partition, timestamp }] });
  await producer.disconnect();
}

describe("Admin", () => {
  it("createTopics() creates topics, answers false for one that exists, and listTopics() and fetchTopicMetadata() show them", async () => {
    expect(await admin.createTopics({ topics: [{ topic: "orders", numPartitions: 3 }, { topic: "audit" }] })).toBe(true);
    expect(await admin.createTopics({ topics: [{ topic: "orders", numPartitions: 3 }] })).toBe(false);
    expect((await admin.listTopics()).sort()).toEqual(["audit", "orders"]);
    const { topics } = await admin.fetchTopicMetadata({ topics: ["orders"] });
    expect(topics).toHaveLength(1);
    expect(topics[0]!.name).toBe("orders");
    expect(topics[0]!.partitions.map((p) => [p.partitionId, p.leader, p.replicas, p.partitionErrorCode])).toEqual([
      [0, 1, [1], 0],
      [1, 1, [1], 0],
      [2, 1, [1], 0],
    ]);
    const error = await rejection(admin.fetchTopicMetadata({ topics: ["nope"] }));
    expect(error.code).toBe("UNKNOWN_TOPIC_OR_PARTITION");
    expect(error.details).toMatchObject({ topic: "nope" });
  });

  it("createTopics() rejects with the topic's error and names it", async () => {
    const error = await rejection(admin.createTopics({ topics: [{ topic: "bad name!" }] }));
    expect(error.code).toBe("INVALID_TOPIC_EXCEPTION");
    expect(error.details).toMatchObject({ topic: "bad name!" });
    expect((await rejection(admin.createTopics({ topics: [{ topic: "c", configs: { "no.such.key": 1 } }] }))).code).toBe("INVALID_CONFIG");
  });

  it("describeCluster() names the cluster, the controller and the brokers", async () => {
    const cluster = await admin.describeCluster();
    expect(cluster.clusterId).toMatch(/\S/);
    expect(cluster.brokers.map((b) => b.nodeId)).toEqual([1]);
    expect(cluster.brokers[0]!.url).toMatch(/^wss?:\/\//);
  });

  it("createPartitions() raises the count, and refuses a count that is not above it", async () => {
    await admin.createTopics({ topics: [{ topic: "grow", numPartitions: 2 }] });
    await admin.createPartitions({ topicPartitions: [{ topic: "grow", count: 5 }] });
    expect((await admin.fetchTopicMetadata({ topics: ["grow"] })).topics[0]!.partitions).toHaveLength(5);
    expect((await rejection(admin.createPartitions({ topicPartitions: [{ topic: "grow", count: 5 }] }))).code).toBe("INVALID_PARTITIONS");
  });

  it("alterConfigs() sets and deletes keys that describeConfigs() then reports", async () => {
    await admin.createTopics({ topics: [{ topic: "conf", configs: { "cleanup.policy": "compact" } }] });
    await admin.alterConfigs({ resources: [{ type: "topic", name: "conf", set: { "retention.ms": 3_600_000 }, delete: ["cleanup.policy"] }] });
    const { resources } = await admin.describeConfigs({ resources: [{ type: "topic", name: "conf", configNames: ["retention.ms", "cleanup.policy"] }] });
    const entries = Object.fromEntries(resources[0]!.configEntries.map((e) => [e.configName, e]));
    expect(entries["retention.ms"]).toMatchObject({ configValue: "3600000", configSource: "DYNAMIC_TOPIC_CONFIG", isDefault: false });
    expect(entries["cleanup.policy"]).toMatchObject({ configValue: "delete", isDefault: true });
    const error = await rejection(admin.alterConfigs({ resources: [{ type: "topic", name: "conf", set: { "retention.ms": "soon" } }] }));
    expect(error.code).toBe("INVALID_CONFIG");
    expect(error.details).toMatchObject({ type: "topic", name: "conf" });
  });

  it("deleteRecords() moves the log start, and listOffsets() finds earliest, latest and by timestamp", async () => {
    await admin.createTopics({ topics: [{ topic: "offs", numPartitions: 1 }] });
    await produce("offs", 0, [1_000, 2_000, 3_000, 4_000, 5_000]);
    const spec = (timestamp: "earliest" | "latest" | number) => admin.listOffsets({ topic: "offs", partitions: [{ partition: 0, timestamp }] });
    expect((await spec("earliest"))[0]!.offset).toBe(0);
    expect((await spec("latest"))[0]!.offset).toBe(5);
    expect((await spec(2_500))[0]).toMatchObject({ offset: 2, timestamp: 3_000 });
    expect((await spec(9_000))[0]!.offset).toBe(-1);
    expect(await admin.deleteRecords({ topic: "offs", partitions: [{ partition: 0, offset: 3 }] })).toEqual([{ partition: 0, lowWatermark: 3 }]);
    expect(await admin.fetchTopicOffsets("offs")).toEqual([{ partition: 0, offset: 5, high: 5, low: 3 }]);
    expect(await admin.fetchTopicOffsetsByTimestamp("offs", 3_500)).toEqual([{ partition: 0, offset: 3 }]);
    expect(await admin.fetchTopicOffsetsByTimestamp("offs", 9_000)).toEqual([{ partition: 0, offset: 5 }]);
    expect((await rejection(admin.deleteRecords({ topic: "offs", partitions: [{ partition: 0, offset: 99 }] }))).code).toBe("OFFSET_OUT_OF_RANGE");
  });

  it("deleteTopics() deletes, and rejects with UNKNOWN_TOPIC_OR_PARTITION for a topic that does not exist", async () => {
    await admin.createTopics({ topics: [{ topic: "gone" }] });
    await admin.deleteTopics({ topics: ["gone"] });
    expect(await admin.listTopics()).toEqual([]);
    const error = await rejection(admin.deleteTopics({ topics: ["gone"] }));
    expect(error.code).toBe("UNKNOWN_TOPIC_OR_PARTITION");
  });

  it("refuses empty requests with a TypeError", async () => {
    await expect(admin.createTopics({ topics: [] })).rejects.toThrow(TypeError);
    await expect(admin.deleteTopics({ topics: [] })).rejects.toThrow(TypeError);
  });
});
