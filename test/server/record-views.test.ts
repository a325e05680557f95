import { afterEach, describe, expect, it } from "vitest";
import { EdgelogError } from "../../src/core/errors.ts";
import { encodeRecordBatch, encodeRecordBatchSync } from "../../src/core/record/record-batch.ts";
import { recordViews } from "../../src/server/record-views.ts";
import { startBroker, settle, until, type Harness, type TestClient } from "./broker-harness.ts";

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
const NOW = 1_700_000_000_000;

let h: Harness | undefined;
afterEach(async () => {
  await h?.broker.close();
  h = undefined;
});

async function withTopic(format: "cbor" | "json" = "cbor"): Promise<TestClient> {
  h = await startBroker();
  const c = await h.connect(format);
  await c.request({ op: "createTopics", topics: [{ topic: "t", numPartitions: 1 }] });
  return c;
}

/** Produces one batch built by the broker from `values` (one per record) and checks it was written. */
async function produceValues(c: TestClient, ...values: string[]): Promise<void> {
  const records = values.map((value, i) => ({ key: `k${i}`, value, headers: { n: String(i) }, timestamp: NOW + i }));
  const reply = await c.request({ op: "produce", acks: 1, topic: "t", partitions: [{ partition: 0, records }] });
  expect(reply).not.toHaveProperty("partitions.0.error");
}

function recordsPushes(c: TestClient): Record<string, unknown>[] {
  return c.pushes.filter((p) => p["push"] === "records");
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let pos = 0;
  for (const p of parts) {
    out.set(p, pos);
    pos += p.length;
  }
  return out;
}

describe("recordViews()", () => {
  it("recordViews() leaves out the first batch's records below the position and keeps later batches whole", async () => {
    const bytes = concat(
      encodeRecordBatchSync({ baseOffset: 10, now: NOW, records: [{ value: utf8("a") }, { value: utf8("b") }, { value: utf8("c") }] }),
      encodeRecordBatchSync({ baseOffset: 13, now: NOW, records: [{ value: utf8("d") }] }),
    );
    const views = await recordViews(bytes, 12, "utf8");
    expect(views.map((r) => [r.offset, r.value])).toEqual([
      [12, "c"],
      [13, "d"],
    ]);
  });

  it("recordViews() ignores a torn batch at the end and control batches", async () => {
    const data = encodeRecordBatchSync({ baseOffset: 0, now: NOW, records: [{ value: utf8("data") }] });
    const marker = encodeRecordBatchSync({ baseOffset: 1, now: NOW, control: true, transactional: true, records: [{ key: new Uint8Array(4), value: new Uint8Array(6) }] });
    const next = encodeRecordBatchSync({ baseOffset: 2, now: NOW, records: [{ value: utf8("torn") }] });
    const views = await recordViews(concat(data, marker, next.subarray(0, next.length - 3)), 0, "utf8");
    expect(views.map((r) => r.value)).toEqual(["data"]);
  });

  it("recordViews() rejects a stored batch that fails its CRC with CORRUPT_MESSAGE", async () => {
    const bytes = encodeRecordBatchSync({ baseOffset: 0, now: NOW, records: [{ value: utf8("x") }] });
    bytes[bytes.length - 2] ^= 0xff;
    const error = await recordViews(bytes, 0, "bytes").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EdgelogError);
    expect((error as EdgelogError).code).toBe("CORRUPT_MESSAGE");
  });

  it("recordViews() of nothing is no records", async () => {
    expect(await recordViews(new Uint8Array(0), 0, "bytes")).toEqual([]);
  });
});

describe("fetch with format records", () => {
  it("hello announces the format.records feature", async () => {
    h = await startBroker();
    const reply = await h.client("json").request({ op: "hello", versions: [1] });
    expect(reply["features"]).toContain("format.records");
  });

  it("fetch returns the records from the requested offset, with utf8 keys, values and headers, in place of batches", async () => {
    const c = await withTopic();
    await produceValues(c, "zero", "one", "two");
    const reply = await c.request({ op: "fetch", topic: "t", partition: 0, offset: 1, maxWaitMs: 0, format: "records", valueEncoding: "utf8" });
    expect(reply).toEqual({
      id: reply["id"],
      topic: "t",
      partition: 0,
      records: [
        { offset: 1, timestamp: NOW + 1, key: "k1", value: "one", headers: [{ key: "n", value: "1" }] },
        { offset: 2, timestamp: NOW + 2, key: "k2", value: "two", headers: [{ key: "n", value: "2" }] },
      ],
      highWatermark: 3,
      logStartOffset: 0,
      lastStableOffset: 3,
    });
  });

  it("fetch sends record bytes as base64 over JSON by default", async () => {
    const c = await withTopic("json");
    await produceValues(c, "hi");
    const reply = await c.request({ op: "fetch", topic: "t", partition: 0, offset: 0, maxWaitMs: 0, format: "records" });
    expect(reply["records"]).toEqual([{ offset: 0, timestamp: NOW, key: "azA=", value: "aGk=", headers: [{ key: "n", value: "MA==" }] }]);
  });

  it("fetch decodes a gzip batch the producer compressed", async () => {
    const c = await withTopic();
    const gzip = await encodeRecordBatch({
      compression: "gzip",
      now: NOW,
      records: [{ key: utf8("z"), value: utf8("packed-1"), headers: [{ key: "h", value: null }] }, { value: utf8("packed-2") }],
    });
    await c.request({ op: "produce", acks: 1, topic: "t", partitions: [{ partition: 0, batches: gzip }] });
    const reply = await c.request({ op: "fetch", topic: "t", partition: 0, offset: 0, maxWaitMs: 0, format: "records" });
    expect(reply["records"]).toEqual([
      { offset: 0, timestamp: NOW, key: utf8("z"), value: utf8("packed-1"), headers: [{ key: "h", value: null }] },
      { offset: 1, timestamp: NOW, key: null, value: utf8("packed-2"), headers: [] },
    ]);
  });

  it("fetch at the high watermark answers with no records", async () => {
    const c = await withTopic();
    await produceValues(c, "only");
    const reply = await c.request({ op: "fetch", topic: "t", partition: 0, offset: 1, maxWaitMs: 0, format: "records", valueEncoding: "utf8" });
    expect(reply).toMatchObject({ records: [], highWatermark: 1 });
    expect(reply).not.toHaveProperty("batches");
  });

  it("fetch with an unknown format is INVALID_REQUEST naming the field", async () => {
    const c = await withTopic();
    const reply = await c.request({ op: "fetch", topic: "t", partition: 0, offset: 0, format: "json" });
    expect(reply["error"]).toMatchObject({ code: "INVALID_REQUEST", details: { field: "format" } });
  });
});

describe("subscribe with format records", () => {
  it("a JSON subscriber gets pushes of utf8 records from its position, and follows new appends", async () => {
    const c = await withTopic("json");
    await produceValues(c, "a", "b", "c");
    const reply = await c.request({
      op: "subscribe", topic: "t", partition: 0, from: { offset: 1 }, credit: { records: 100, bytes: 1 << 20 }, format: "records", valueEncoding: "utf8",
    });
    expect(reply).toMatchObject({ sub: 1, offset: 1 });
    await until(() => recordsPushes(c).length > 0, "a push");
    expect(recordsPushes(c)[0]).toEqual({
      push: "records",
      sub: 1,
      topic: "t",
      partition: 0,
      records: [
        { offset: 1, timestamp: NOW + 1, key: "k1", value: "b", headers: [{ key: "n", value: "1" }] },
        { offset: 2, timestamp: NOW + 2, key: "k2", value: "c", headers: [{ key: "n", value: "2" }] },
      ],
      firstOffset: 1,
      nextOffset: 3,
      highWatermark: 3,
      logStartOffset: 0,
    });
    expect(c.socket.sent.every((f) => typeof f.raw === "string")).toBe(true);
    await produceValues(c, "d");
    await until(() => recordsPushes(c).length > 1, "a second push");
    expect(recordsPushes(c)[1]).toMatchObject({ firstOffset: 3, nextOffset: 4, records: [{ offset: 3, value: "d" }] });
  });

  it("a push of records spends the stored batches' credit, records below the position included", async () => {
    const c = await withTopic("json");
    await produceValues(c, "a", "b", "c");
    await c.request({ op: "subscribe", topic: "t", partition: 0, from: { offset: 2 }, credit: { records: 3, bytes: 1 << 20 }, format: "records" });
    await until(() => recordsPushes(c).length > 0, "a push");
    expect((recordsPushes(c)[0]!["records"] as unknown[]).length).toBe(1);
    const fetched = await c.request({ op: "fetch", topic: "t", partition: 0, offset: 0, maxWaitMs: 0 });
    const batchBytes = Buffer.from(fetched["batches"] as string, "base64").length;
    const left = await c.request({ op: "credit", sub: 1 });
    expect(left).toMatchObject({ records: 0, bytes: (1 << 20) - batchBytes });
  });

  it("a subscriber gets a gzip batch decoded", async () => {
    const c = await withTopic("json");
    await c.request({ op: "subscribe", topic: "t", partition: 0, from: "earliest", credit: { records: 10, bytes: 1 << 20 }, format: "records", valueEncoding: "utf8" });
    const gzip = await encodeRecordBatch({ compression: "gzip", now: NOW, records: [{ value: utf8("squeezed") }, { value: utf8("again") }] });
    await c.request({ op: "produce", acks: 1, topic: "t", partitions: [{ partition: 0, batches: gzip }] });
    await until(() => recordsPushes(c).length > 0, "a push");
    expect(recordsPushes(c)[0]!["records"]).toEqual([
      { offset: 0, timestamp: NOW, key: null, value: "squeezed", headers: [] },
      { offset: 1, timestamp: NOW, key: null, value: "again", headers: [] },
    ]);
  });

  it("a subscription without a format still pushes stored batches", async () => {
    const c = await withTopic();
    await produceValues(c, "a");
    await c.request({ op: "subscribe", topic: "t", partition: 0, from: "earliest", credit: { records: 10, bytes: 1 << 20 } });
    await until(() => recordsPushes(c).length > 0, "a push");
    await settle();
    expect(recordsPushes(c)[0]!["batches"]).toBeInstanceOf(Uint8Array);
    expect(recordsPushes(c)[0]).not.toHaveProperty("records");
  });
});
