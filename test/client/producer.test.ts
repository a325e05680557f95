import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Connection, EdgelogError, partitionForKey, type EdgelogClient, type Producer } from "../../src/client/index.ts";
import { decodeRecordBatches, type DecodedBatch } from "../../src/core/record/record-batch.ts";
import type { FetchResponse, ProduceResponse } from "../../src/protocol/index.ts";
import { NodeWebSocket, TestBroker, utf8 } from "./broker-fixture.ts";

let broker: TestBroker;
let client: EdgelogClient;
let raw: Connection;
const closers: (() => Promise<void>)[] = [];

beforeEach(async () => {
  broker = await TestBroker.start();
  client = broker.client();
  raw = new Connection({ brokers: [broker.address], WebSocket: NodeWebSocket });
  closers.push(() => raw.close());
});

afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
  await broker.stop();
});

async function topic(name: string, numPartitions: number): Promise<void> {
  const admin = client.admin();
  await admin.createTopics({ topics: [{ topic: name, numPartitions }] });
  await admin.disconnect();
}

function producer(options: Parameters<EdgelogClient["producer"]>[0] = {}): Producer {
  const p = client.producer(options);
  closers.push(() => p.disconnect());
  return p;
}

/** The stored batches of a partition, fetched with a plain request. */
async function storedBatches(name: string, partition: number): Promise<DecodedBatch[]> {
  const reply = await raw.request<FetchResponse>("fetch", { topic: name, partition, offset: 0, maxWaitMs: 0, minBytes: 0 });
  return decodeRecordBatches(reply.batches);
}

describe("Producer", () => {
  it("send() writes keys, values and headers that a consumer reads back as the same bytes", async () => {
    await topic("t", 1);
    const p = producer();
    const [meta] = await p.send({
      topic: "t",
      messages: [
        { key: "user-1", value: "hello", headers: { source: "web", tag: ["a", "b"] } },
        { key: new Uint8Array([0, 255]), value: new Uint8Array([1, 2, 3]), headers: [{ key: "bin", value: new Uint8Array([9]) }], timestamp: 1_700_000_000_000 },
        { key: "user-1", value: null },
      ],
    });
    expect(meta).toMatchObject({ topicName: "t", partition: 0, errorCode: 0, baseOffset: 0, logAppendTime: -1, offsets: [0, 1, 2], messageIndexes: [0, 1, 2] });
    const consumer = client.consumer();
    closers.push(() => consumer.disconnect());
    await consumer.assign([{ topic: "t", partition: 0, from: "earliest" }]);
    const records = [];
    for await (const record of consumer) {
      records.push(record);
      if (records.length === 3) break;
    }
    expect(records.map((r) => [r.topic, r.partition, r.offset])).toEqual([["t", 0, 0], ["t", 0, 1], ["t", 0, 2]]);
    expect(records[0]!.keyString()).toBe("user-1");
    expect(records[0]!.valueString()).toBe("hello");
    expect(records[0]!.headers.map((h) => [h.key, new TextDecoder().decode(h.value!)])).toEqual([["source", "web"], ["tag", "a"], ["tag", "b"]]);
    expect(records[0]!.headerString("tag")).toBe("a");
    expect(records[1]!.key).toEqual(new Uint8Array([0, 255]));
    expect(records[1]!.value).toEqual(new Uint8Array([1, 2, 3]));
    expect(records[1]!.header("bin")).toEqual(new Uint8Array([9]));
    expect(records[1]!.timestamp).toBe(1_700_000_000_000);
    expect(records[2]!.value).toBeNull();
    expect(records[2]!.valueString()).toBeNull();
  });

  it("a keyed message goes to partitionForKey(key, partitions), the partition the broker picks for the key", async () => {
    await topic("keys", 6);
    const p = producer();
    const keys = Array.from({ length: 30 }, (_, i) => `user-${i}`);
    for (const key of keys) {
      const [meta] = await p.send({ topic: "keys", messages: [{ key, value: "x" }] });
      expect(meta!.partition).toBe(partitionForKey(utf8(key), 6));
      // the broker's own partitioning of per-record produce agrees
      const reply = await raw.request<ProduceResponse>("produce", { acks: 1, topic: "keys", records: [{ key, value: "y" }] });
      expect(reply.partitions[0]!.partition).toBe(meta!.partition);
    }
  });

  it("messages sent within lingerMs to one partition go in one RecordBatch", async () => {
    await topic("linger", 1);
    const p = producer({ lingerMs: 50 });
    const sends = Array.from({ length: 5 }, (_, i) => p.send({ topic: "linger", messages: [{ value: `m${i}` }] }));
    const results = await Promise.all(sends);
    expect(results.map(([meta]) => meta!.offsets[0])).toEqual([0, 1, 2, 3, 4]);
    const batches = await storedBatches("linger", 0);
    expect(batches).toHaveLength(1);
    expect(batches[0]!.records.map((r) => new TextDecoder().decode(r.value!))).toEqual(["m0", "m1", "m2", "m3", "m4"]);
  });

  it("send() with the topic's metadata cached puts its records in a batch before it returns: a flush() right after sends them", async () => {
    await topic("hot", 2);
    const p = producer({ lingerMs: 60_000 });
    const first = p.send({ topic: "hot", messages: [{ value: "warm-up" }] }); // waits for metadata
    await new Promise((resolve) => setTimeout(resolve, 100));
    await p.flush();
    await first;
    let settled = false;
    const next = p.send({ topic: "hot", messages: [{ value: "a" }] }).then((meta) => {
      settled = true;
      return meta;
    });
    await p.flush();
    await Promise.resolve();
    expect(settled).toBe(true);
    expect((await next)[0]!.offsets).toHaveLength(1);
  });

  it("with lingerMs 0 each send() is its own batch", async () => {
    await topic("nolinger", 1);
    const p = producer();
    await Promise.all([p.send({ topic: "nolinger", messages: [{ value: "a" }, { value: "b" }] }), p.send({ topic: "nolinger", messages: [{ value: "c" }] })]);
    expect((await storedBatches("nolinger", 0)).map((b) => b.records.length)).toEqual([2, 1]);
  });

  it("a batch that reaches batchSize is sent at once, while the rest lingers", async () => {
    await topic("size", 1);
    const p = producer({ lingerMs: 60_000, batchSize: 300 });
    const value = "v".repeat(100);
    const sending = p.send({ topic: "size", messages: Array.from({ length: 6 }, () => ({ value })) });
    let early: DecodedBatch[] = [];
    for (let i = 0; i < 200 && early.length < 2; i++) {
      early = await storedBatches("size", 0);
      if (early.length < 2) await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(early.map((b) => b.records.length)).toEqual([2, 2]);
    for (const batch of early) expect(batch.sizeInBytes).toBeLessThanOrEqual(300);
    await p.flush();
    expect((await sending)[0]!.offsets).toEqual([0, 1, 2, 3, 4, 5]);
    expect((await storedBatches("size", 0)).map((b) => b.records.length)).toEqual([2, 2, 2]);
  });

  it("keyless messages of one send share a partition, and the next batch moves on round robin", async () => {
    await topic("spread", 3);
    const p = producer();
    const first = await p.send({ topic: "spread", messages: [{ value: "a" }, { value: "b" }, { value: "c" }] });
    expect(first).toHaveLength(1);
    const partitions = [first[0]!.partition];
    for (let i = 0; i < 2; i++) partitions.push((await p.send({ topic: "spread", messages: [{ value: "d" }] }))[0]!.partition);
    expect(new Set(partitions).size).toBe(3);
    expect(partitions[1]).toBe((partitions[0]! + 1) % 3);
  });

  it("acks 0 resolves without offsets, and the records are written", async () => {
    await topic("fire", 1);
    const p = producer({ acks: 0 });
    const [meta] = await p.send({ topic: "fire", messages: [{ value: "a" }, { value: "b" }] });
    expect(meta).toMatchObject({ partition: 0, baseOffset: -1, offsets: [-1, -1] });
    const admin = client.admin();
    closers.push(() => admin.disconnect());
    let latest = 0;
    for (let i = 0; i < 100 && latest < 2; i++) {
      latest = (await admin.listOffsets({ topic: "fire", partitions: [{ partition: 0, timestamp: "latest" }] }))[0]!.offset;
      if (latest < 2) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(latest).toBe(2);
  });

  it("compression gzip writes gzip batches that read back whole", async () => {
    await topic("zipped", 1);
    const p = producer({ compression: "gzip", lingerMs: 20 });
    const values = Array.from({ length: 20 }, (_, i) => `record number ${i} `.repeat(20));
    await Promise.all(values.map((value) => p.send({ topic: "zipped", messages: [{ value }] })));
    const batches = await storedBatches("zipped", 0);
    expect(batches).toHaveLength(1);
    expect(batches[0]!.compression).toBe(1);
    expect(batches[0]!.sizeInBytes).toBeLessThan(values.join("").length / 4);
    expect(batches[0]!.records.map((r) => new TextDecoder().decode(r.value!))).toEqual(values);
  });

  it("send() refuses malformed messages before anything is sent", async () => {
    await topic("strict", 1);
    const p = producer();
    await expect(p.send({ topic: "strict", messages: [] })).rejects.toThrow(TypeError);
    await expect(p.send({ topic: "strict", messages: [{ value: "ok" }, { key: "k" } as never] })).rejects.toThrow(/Message 1 needs a value/);
    await expect(p.send({ topic: "strict", messages: [{ value: 42 as never }] })).rejects.toThrow(/Message 0 value must be/);
    await expect(p.send({ topic: "strict", messages: [{ value: "x", partition: -1 }] })).rejects.toThrow(RangeError);
    await expect(p.send({ topic: "strict", acks: 2 as never, messages: [{ value: "x" }] })).rejects.toThrow(/acks/);
    const reply = await raw.request<{ highWatermark: number }>("fetch", { topic: "strict", partition: 0, offset: 0, maxWaitMs: 0, minBytes: 0 });
    expect(reply.highWatermark).toBe(0);
  });

  it("a send to a topic that does not exist rejects with UNKNOWN_TOPIC_OR_PARTITION after its retries", async () => {
    await broker.stop();
    broker = await TestBroker.start({ "auto.create.topics.enable": "false" });
    client = broker.client({ retry: { retries: 1, initialRetryTimeMs: 10 } });
    const p = producer();
    const error = await p.send({ topic: "nowhere", messages: [{ key: "k", value: "x" }] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EdgelogError);
    expect((error as EdgelogError).code).toBe("UNKNOWN_TOPIC_OR_PARTITION");
  });

  it("send() after disconnect() fails, and disconnect() first sends what lingers", async () => {
    await topic("bye", 1);
    const p = producer({ lingerMs: 10_000 });
    const pending = p.send({ topic: "bye", messages: [{ value: "last" }] });
    await p.disconnect();
    expect((await pending)[0]!.offsets).toEqual([0]);
    await expect(p.send({ topic: "bye", messages: [{ value: "x" }] })).rejects.toThrow(/disconnected/);
  });
});
