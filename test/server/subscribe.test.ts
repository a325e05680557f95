import { afterEach, describe, expect, it } from "vitest";
import { encodeRecordBatchSync, decodeRecordBatches } from "../../src/core/record/record-batch.ts";
import { SEND_HIGH_WATER_BYTES } from "../../src/server/session.ts";
import { startBroker, settle, until, type Harness, type TestClient } from "./broker-harness.ts";

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

let h: Harness | undefined;
afterEach(async () => {
  await h?.broker.close();
  h = undefined;
});

async function setup(overrides: Record<string, string> = {}, topicConfigs: Record<string, string> = {}): Promise<TestClient> {
  h = await startBroker(overrides);
  const c = await h.connect();
  await c.request({ op: "createTopics", topics: [{ topic: "t", numPartitions: 1, configs: topicConfigs }] });
  return c;
}

/** Produces `count` one-record batches to t-0. */
async function produceOnes(c: TestClient, count: number, from = 0): Promise<void> {
  for (let i = from; i < from + count; i++) {
    await c.request({ op: "produce", acks: 1, topic: "t", partitions: [{ partition: 0, records: [{ value: `r${i}` }] }] });
  }
}

type RecordsPush = { push: "records"; sub: number; batches: Uint8Array; firstOffset: number; nextOffset: number; highWatermark: number; logStartOffset: number };

function recordsPushes(c: TestClient): RecordsPush[] {
  return c.pushes.filter((p) => p["push"] === "records") as unknown as RecordsPush[];
}

async function pushedOffsets(c: TestClient): Promise<number[]> {
  const offsets: number[] = [];
  for (const push of recordsPushes(c)) {
    for (const batch of await decodeRecordBatches(push.batches)) {
      for (const r of batch.records) if (r.offset >= push.firstOffset) offsets.push(r.offset);
    }
  }
  return offsets;
}

describe("subscribe", () => {
  it("a subscriber granting 10 records gets exactly 10 one-record batches until it grants more", async () => {
    const c = await setup();
    await produceOnes(c, 25);
    const reply = await c.request({ op: "subscribe", topic: "t", partition: 0, from: "earliest", credit: { records: 10, bytes: 1 << 20 } });
    expect(reply).toMatchObject({ sub: 1, topic: "t", partition: 0, offset: 0, highWatermark: 25, logStartOffset: 0 });
    await settle(30);
    expect(await pushedOffsets(c)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    await settle(30);
    expect(await pushedOffsets(c)).toHaveLength(10);
    const credit = await c.request({ op: "credit", sub: 1, records: 5, bytes: 1 << 20 });
    expect(credit).toMatchObject({ sub: 1, records: 5 });
    await settle(30);
    expect(await pushedOffsets(c)).toEqual([...Array(15).keys()]);
    const last = recordsPushes(c).at(-1)!;
    expect(last.nextOffset).toBe(15);
    expect(last.highWatermark).toBe(25);
  });

  it("pushes carry the position, the next offset and the high watermark, and follow new appends", async () => {
    const c = await setup();
    await produceOnes(c, 3);
    await c.request({ op: "subscribe", topic: "t", partition: 0, from: { offset: 1 }, credit: { records: 100, bytes: 1 << 20 } });
    await until(() => recordsPushes(c).length > 0, "a push");
    expect(recordsPushes(c)[0]).toMatchObject({ sub: 1, firstOffset: 1, highWatermark: 3, logStartOffset: 0 });
    await produceOnes(c, 2, 3);
    await until(() => recordsPushes(c).at(-1)?.nextOffset === 5, "pushes up to offset 5");
    expect(await pushedOffsets(c)).toEqual([1, 2, 3, 4]);
  });

  it("the reply comes before the first push", async () => {
    const c = await setup();
    await produceOnes(c, 2);
    const id = c.fire({ op: "subscribe", topic: "t", partition: 0, from: "earliest", credit: { records: 10, bytes: 1 << 20 } });
    await until(() => recordsPushes(c).length > 0, "a push");
    const order = c.socket.sent.map((f) => f.value);
    expect(order.findIndex((v) => v["id"] === id)).toBeLessThan(order.findIndex((v) => v["push"] === "records"));
  });

  it("pushes stop while bufferedAmount is over the high-water mark, until onDrain", async () => {
    const c = await setup();
    await c.request({ op: "subscribe", topic: "t", partition: 0, from: "earliest", credit: { records: 100, bytes: 1 << 20 } });
    c.socket.buffered = SEND_HIGH_WATER_BYTES + 1;
    await produceOnes(c, 3);
    await settle(30);
    expect(recordsPushes(c)).toHaveLength(0);
    c.socket.buffered = 0;
    c.handlers.onDrain();
    await until(() => recordsPushes(c).length > 0, "pushes after drain");
    await settle(10);
    expect(await pushedOffsets(c)).toEqual([0, 1, 2]);
  });

  it("a batch larger than the remaining credit waits, but goes alone when the credit is fresh", async () => {
    const c = await setup();
    const big = encodeRecordBatchSync({ records: [1, 2, 3, 4, 5].map((i) => ({ value: utf8(`v${i}`) })) });
    await c.request({ op: "produce", acks: 1, topic: "t", partitions: [{ partition: 0, records: [{ value: "single" }] }] });
    await c.request({ op: "produce", acks: 1, topic: "t", partitions: [{ partition: 0, batches: big }] });
    await c.request({ op: "subscribe", topic: "t", partition: 0, from: "earliest", credit: { records: 2, bytes: 1 << 20 } });
    await settle(30);
    // The one-record batch fits; the 5-record batch does not fit the 1 record left and the credit is spent.
    expect(await pushedOffsets(c)).toEqual([0]);
    await c.request({ op: "credit", sub: 1, records: 1 });
    await settle(30);
    // A fresh grant lets the oversized batch go alone.
    expect(await pushedOffsets(c)).toEqual([0, 1, 2, 3, 4, 5]);
    const after = await c.request({ op: "credit", sub: 1, records: 0 });
    expect(after).toMatchObject({ records: 0 });
  });

  it("subscribe from latest pushes only later records, and from a timestamp starts at the first record at or after it", async () => {
    const c = await setup();
    await produceOnes(c, 2);
    h!.clock.advance(10_000);
    const t = h!.clock.now();
    await produceOnes(c, 1, 2);
    const latest = await c.request({ op: "subscribe", topic: "t", partition: 0, from: "latest", credit: { records: 10, bytes: 1 << 20 } });
    expect(latest["offset"]).toBe(3);
    const byTime = await c.request({ op: "subscribe", topic: "t", partition: 0, from: { timestamp: t }, credit: { records: 0, bytes: 0 } });
    expect(byTime["offset"]).toBe(2);
    const future = await c.request({ op: "subscribe", topic: "t", partition: 0, from: { timestamp: t + 60_000 }, credit: { records: 0, bytes: 0 } });
    expect(future["offset"]).toBe(3);
    await produceOnes(c, 1, 3);
    await until(() => recordsPushes(c).length > 0, "a push");
    expect(await pushedOffsets(c)).toEqual([3]);
  });

  it("subscribe at an offset outside the log answers OFFSET_OUT_OF_RANGE", async () => {
    const c = await setup();
    await produceOnes(c, 2);
    const reply = await c.request({ op: "subscribe", topic: "t", partition: 0, from: { offset: 3 }, credit: { records: 1, bytes: 1 } });
    expect(reply["error"]).toMatchObject({ code: "OFFSET_OUT_OF_RANGE", details: { logStartOffset: 0, logEndOffset: 2 } });
  });

  it("a lagging subscriber whose position was deleted gets OFFSET_OUT_OF_RANGE with the new log start, and the subscription ends", async () => {
    const c = await setup();
    await produceOnes(c, 6);
    await c.request({ op: "subscribe", topic: "t", partition: 0, from: "earliest", credit: { records: 2, bytes: 1 << 20 } });
    await until(() => recordsPushes(c).at(-1)?.nextOffset === 2, "two records");
    await c.request({ op: "deleteRecords", topic: "t", partitions: [{ partition: 0, offset: 4 }] });
    await c.request({ op: "credit", sub: 1, records: 10 });
    await until(() => c.pushes.some((p) => p["push"] === "error"), "the error push");
    const error = c.pushes.find((p) => p["push"] === "error")!;
    expect(error).toMatchObject({ push: "error", sub: 1, logStartOffset: 4, error: { code: "OFFSET_OUT_OF_RANGE" } });
    expect(await pushedOffsets(c)).toEqual([0, 1]);
    const credit = await c.request({ op: "credit", sub: 1, records: 1 });
    expect(credit["error"]).toMatchObject({ code: "INVALID_REQUEST" });
  });

  it("retention that removes a lagging subscriber's position ends it with the new log start", async () => {
    const c = await setup({ "log.retention.check.interval.ms": "1000" }, { "segment.bytes": "100", "retention.ms": "5000" });
    await produceOnes(c, 4); // about 70 bytes each: one segment per batch
    await c.request({ op: "subscribe", topic: "t", partition: 0, from: "earliest", credit: { records: 1, bytes: 1 << 20 } });
    await until(() => recordsPushes(c).length === 1, "the first record");
    h!.clock.advance(6000);
    await settle(30);
    const start = ((await c.request({ op: "listOffsets", topic: "t", partitions: [{ partition: 0, timestamp: "earliest" }] }))["partitions"] as { offset: number }[])[0]!.offset;
    expect(start).toBeGreaterThan(1);
    await c.request({ op: "credit", sub: 1, records: 10 });
    await until(() => c.pushes.some((p) => p["push"] === "error"), "the error push");
    expect(c.pushes.find((p) => p["push"] === "error")).toMatchObject({ sub: 1, logStartOffset: start, error: { code: "OFFSET_OUT_OF_RANGE" } });
  });

  it("unsubscribe answers where to resume and no push follows", async () => {
    const c = await setup();
    await produceOnes(c, 3);
    await c.request({ op: "subscribe", topic: "t", partition: 0, from: "earliest", credit: { records: 2, bytes: 1 << 20 } });
    await until(() => recordsPushes(c).at(-1)?.nextOffset === 2, "two records");
    const reply = await c.request({ op: "unsubscribe", sub: 1 });
    expect(reply).toMatchObject({ sub: 1, nextOffset: 2 });
    const pushes = c.pushes.length;
    await c.request({ op: "credit", sub: 1, records: 5 }).then((r) => expect(r["error"]).toMatchObject({ code: "INVALID_REQUEST" }));
    await produceOnes(c, 2, 3);
    await settle(20);
    expect(c.pushes).toHaveLength(pushes);
    expect((await c.request({ op: "unsubscribe", sub: 1 }))["error"]).toMatchObject({ code: "INVALID_REQUEST" });
  });

  it("deleting the topic ends its subscriptions with UNKNOWN_TOPIC_OR_PARTITION", async () => {
    const c = await setup();
    await c.request({ op: "subscribe", topic: "t", partition: 0, from: "earliest", credit: { records: 10, bytes: 1 << 20 } });
    await settle(10);
    await c.request({ op: "deleteTopics", topics: ["t"] });
    await until(() => c.pushes.some((p) => p["push"] === "error"), "the error push");
    expect(c.pushes.find((p) => p["push"] === "error")).toMatchObject({ sub: 1, error: { code: "UNKNOWN_TOPIC_OR_PARTITION" } });
  });

  it("a subscription whose log closes under it ends with KAFKA_STORAGE_ERROR instead of spinning", async () => {
    const c = await setup();
    await c.request({ op: "subscribe", topic: "t", partition: 0, from: "latest", credit: { records: 10, bytes: 1 << 20 } });
    await settle(5);
    const internals = h!.broker as unknown as { context: { logs: { getLog(t: string, p: number): { close(): Promise<void> } } } };
    await internals.context.logs.getLog("t", 0).close();
    await until(() => c.pushes.some((p) => p["push"] === "error"), "the error push");
    expect(c.pushes.find((p) => p["push"] === "error")).toMatchObject({ sub: 1, error: { code: "KAFKA_STORAGE_ERROR" } });
  });

  it("a connection holding edgelog.max.subscriptions.per.connection subscriptions is refused more", async () => {
    const c = await setup({ "edgelog.max.subscriptions.per.connection": "2" });
    for (let i = 0; i < 2; i++) {
      expect((await c.request({ op: "subscribe", topic: "t", partition: 0, from: "latest", credit: { records: 1, bytes: 1 } }))["error"]).toBeUndefined();
    }
    const refused = await c.request({ op: "subscribe", topic: "t", partition: 0, from: "latest", credit: { records: 1, bytes: 1 } });
    expect(refused["error"]).toMatchObject({
      code: "RESOURCE_LIMIT_EXCEEDED",
      details: { limit: "edgelog.max.subscriptions.per.connection", value: 2 },
    });
    await c.request({ op: "unsubscribe", sub: 1 });
    expect((await c.request({ op: "subscribe", topic: "t", partition: 0, from: "latest", credit: { records: 1, bytes: 1 } }))["sub"]).toBe(3);
  });

  it("a subscription made in JSON pushes JSON text frames with base64 batches", async () => {
    const c = await setup();
    await produceOnes(c, 1);
    await c.request({ op: "subscribe", topic: "t", partition: 0, from: "earliest", credit: { records: 1, bytes: 1 << 20 } }, "json");
    await until(() => recordsPushes(c).length > 0, "a push");
    const frame = c.socket.sent.find((f) => (f.value as { push?: string }).push === "records")!;
    expect(typeof frame.raw).toBe("string");
    expect(typeof (frame.value as { batches: unknown }).batches).toBe("string");
  });

  it("closing the session stops its subscriptions", async () => {
    const c = await setup();
    await c.request({ op: "subscribe", topic: "t", partition: 0, from: "earliest", credit: { records: 10, bytes: 1 << 20 } });
    c.handlers.onClose(1000);
    const before = c.socket.sent.length;
    await produceOnes(await h!.connect(), 2);
    await settle(20);
    expect(c.socket.sent).toHaveLength(before);
    expect(h!.broker.connectionCount).toBe(1);
  });
});
