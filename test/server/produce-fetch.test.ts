import { afterEach, describe, expect, it } from "vitest";
import { encodeRecordBatchSync, decodeRecordBatches } from "../../src/core/record/record-batch.ts";
import { partitionForKey } from "../../src/core/topic/partitioner.ts";
import { startBroker, settle, until, type Harness, type TestClient } from "./broker-harness.ts";

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
const text = (b: Uint8Array | null): string | null => (b === null ? null : new TextDecoder().decode(b));

let h: Harness | undefined;
afterEach(async () => {
  await h?.broker.close();
  h = undefined;
});

async function withTopic(partitions = 1, overrides: Record<string, string> = {}): Promise<TestClient> {
  h = await startBroker(overrides);
  const c = await h.connect();
  await c.request({ op: "createTopics", topics: [{ topic: "t", numPartitions: partitions }] });
  return c;
}

function batch(...values: string[]): Uint8Array {
  return encodeRecordBatchSync({ now: 1_700_000_000_000, records: values.map((v) => ({ key: null, value: utf8(v) })) });
}

describe("produce", () => {
  it("acks 1 appends stored batches and replies with the base offset per partition", async () => {
    const c = await withTopic(2);
    const first = await c.request({ op: "produce", acks: 1, topic: "t", partitions: [{ partition: 1, batches: batch("a", "b") }] });
    expect(first).toEqual({ id: first["id"], topic: "t", partitions: [{ partition: 1, baseOffset: 0, logAppendTime: -1, logStartOffset: 0 }] });
    const second = await c.request({ op: "produce", acks: 1, topic: "t", partitions: [{ partition: 1, batches: batch("c") }] });
    expect((second["partitions"] as { baseOffset: number }[])[0]!.baseOffset).toBe(2);
  });

  it("acks 0 appends and sends nothing at all", async () => {
    const c = await withTopic();
    c.fire({ op: "produce", acks: 0, topic: "t", partitions: [{ partition: 0, batches: batch("quiet") }] });
    c.fire({ op: "produce", acks: 0, topic: "t", partitions: [{ partition: 7, batches: batch("nowhere") }] });
    await settle(20);
    expect(c.socket.sent).toHaveLength(1); // only the createTopics reply
    const fetched = await c.request({ op: "fetch", topic: "t", partition: 0, offset: 0, maxWaitMs: 0 });
    expect((await decodeRecordBatches(fetched["batches"] as Uint8Array)).flatMap((b) => b.records.map((r) => text(r.value)))).toEqual(["quiet"]);
    const metrics = await (await h!.broker.app.request("/metrics")).text();
    expect(metrics).toContain('edgelog_failed_produce_total{topic="t"} 1');
    expect(h!.logs.some((line) => line.includes("acks=0") && line.includes("t-7"))).toBe(true);
  });

  it("produce to a compacted topic refuses records without a key with INVALID_RECORD and writes nothing", async () => {
    const c = await withTopic();
    await c.request({ op: "alterConfigs", resources: [{ type: "topic", name: "t", set: { "cleanup.policy": "compact" } }] });
    const keyless = await c.request({ op: "produce", acks: 1, topic: "t", partitions: [{ partition: 0, batches: batch("no key") }] });
    expect((keyless["partitions"] as { error: { code: string } }[])[0]!.error.code).toBe("INVALID_RECORD");
    const keyed = await c.request({ op: "produce", acks: 1, topic: "t", partitions: [{ partition: 0, records: [{ key: "k", value: "v" }] }] });
    expect((keyed["partitions"] as { baseOffset: number }[])[0]!.baseOffset).toBe(0);
  });

  it("acks all on one broker replies after the append, like acks 1", async () => {
    const c = await withTopic();
    const reply = await c.request({ op: "produce", acks: "all", topic: "t", partitions: [{ partition: 0, batches: batch("x") }] });
    expect((reply["partitions"] as { baseOffset: number }[])[0]!.baseOffset).toBe(0);
  });

  it("acks all fails with NOT_ENOUGH_REPLICAS when min.insync.replicas exceeds the in-sync replicas", async () => {
    const c = await withTopic();
    await c.request({ op: "alterConfigs", resources: [{ type: "topic", name: "t", set: { "min.insync.replicas": "2" } }] });
    const all = await c.request({ op: "produce", acks: -1, topic: "t", partitions: [{ partition: 0, batches: batch("x") }] });
    expect((all["partitions"] as { error: { code: string } }[])[0]!.error.code).toBe("NOT_ENOUGH_REPLICAS");
    const one = await c.request({ op: "produce", acks: 1, topic: "t", partitions: [{ partition: 0, batches: batch("x") }] });
    expect((one["partitions"] as { baseOffset: number }[])[0]!.baseOffset).toBe(0);
  });

  it("per-record produce builds a batch that fetch returns decodable, keys, headers and timestamps intact", async () => {
    const c = await withTopic();
    const reply = await c.request(
      {
        op: "produce",
        acks: 1,
        topic: "t",
        partitions: [
          {
            partition: 0,
            records: [
              { key: "k1", value: "v1", headers: { trace: "abc" }, timestamp: 1_600_000_000_000 },
              { value: { base64: "AAE=" } },
              { key: "k3", value: null },
            ],
          },
        ],
      },
      "json",
    );
    expect((reply["partitions"] as { baseOffset: number }[])[0]!.baseOffset).toBe(0);
    const fetched = await c.request({ op: "fetch", topic: "t", partition: 0, offset: 0 });
    const [decoded] = await decodeRecordBatches(fetched["batches"] as Uint8Array);
    const records = decoded!.records;
    expect(records.map((r) => [r.offset, text(r.key), r.value === null ? null : [...r.value]])).toEqual([
      [0, "k1", [...utf8("v1")]],
      [1, null, [0, 1]],
      [2, "k3", null],
    ]);
    expect(records[0]!.timestamp).toBe(1_600_000_000_000);
    expect(records[1]!.timestamp).toBe(h!.clock.now());
    expect(records[0]!.headers).toEqual([{ key: "trace", value: utf8("abc") }]);
  });

  it("produce by key sends the same key to the same partition every time", async () => {
    const c = await withTopic(4);
    const keys = ["alpha", "beta", "gamma", "delta", "alpha", "gamma"];
    const reply = await c.request({ op: "produce", acks: 1, topic: "t", records: keys.map((key, i) => ({ key, value: String(i) })) });
    const parts = reply["partitions"] as { partition: number; baseOffset: number; recordIndexes: number[] }[];
    for (const p of parts) {
      for (const index of p.recordIndexes) expect(partitionForKey(utf8(keys[index]!), 4)).toBe(p.partition);
    }
    expect(parts.flatMap((p) => p.recordIndexes).sort()).toEqual([0, 1, 2, 3, 4, 5]);
    const again = await c.request({ op: "produce", acks: 1, topic: "t", records: [{ key: "alpha", value: "again" }] });
    const alphaPartition = parts.find((p) => p.recordIndexes.includes(0))!.partition;
    expect((again["partitions"] as { partition: number }[])[0]!.partition).toBe(alphaPartition);
  });

  it("keyless records of one request go to one partition, the next request to the next one", async () => {
    const c = await withTopic(3);
    const partitions: number[] = [];
    for (let i = 0; i < 3; i++) {
      const reply = await c.request({ op: "produce", acks: 1, topic: "t", records: [{ value: "a" }, { value: "b" }] });
      const parts = reply["partitions"] as { partition: number; recordIndexes: number[] }[];
      expect(parts).toHaveLength(1);
      expect(parts[0]!.recordIndexes).toEqual([0, 1]);
      partitions.push(parts[0]!.partition);
    }
    expect(partitions[1]).toBe((partitions[0]! + 1) % 3);
    expect(partitions[2]).toBe((partitions[0]! + 2) % 3);
  });

  it("produce creates an unknown topic with num.partitions when auto-creation is on", async () => {
    h = await startBroker({ "num.partitions": "2" });
    const c = await h.connect();
    const reply = await c.request({ op: "produce", acks: 1, topic: "auto", partitions: [{ partition: 1, records: [{ value: "x" }] }] });
    expect((reply["partitions"] as { baseOffset: number }[])[0]!.baseOffset).toBe(0);
  });

  it("produce to an unknown topic fails as a whole when auto-creation is off", async () => {
    h = await startBroker({ "auto.create.topics.enable": "false" });
    const reply = await (await h.connect()).request({ op: "produce", acks: 1, topic: "ghost", records: [{ value: "x" }] });
    expect(reply["error"]).toMatchObject({ code: "UNKNOWN_TOPIC_OR_PARTITION" });
  });

  it("a corrupt batch fails its partition with CORRUPT_MESSAGE and writes nothing, other partitions succeed", async () => {
    const c = await withTopic(2);
    const bad = batch("x");
    bad[bad.length - 1]! ^= 0xff;
    const reply = await c.request({
      op: "produce",
      acks: 1,
      topic: "t",
      partitions: [
        { partition: 0, batches: bad },
        { partition: 1, batches: batch("ok") },
        { partition: 9, batches: batch("no") },
      ],
    });
    const [p0, p1, p9] = reply["partitions"] as { partition: number; baseOffset?: number; error?: { code: string } }[];
    expect(p0!.error?.code).toBe("CORRUPT_MESSAGE");
    expect(p1!.baseOffset).toBe(0);
    expect(p9!.error?.code).toBe("UNKNOWN_TOPIC_OR_PARTITION");
    const offsets = await c.request({ op: "listOffsets", topic: "t", partitions: [{ partition: 0, timestamp: "latest" }] });
    expect((offsets["partitions"] as { offset: number }[])[0]!.offset).toBe(0);
  });

  it("pipelined produce requests of one session append in request order", async () => {
    const c = await withTopic();
    const ids = ["a", "b", "c", "d", "e"].map((v) => c.fire({ op: "produce", acks: 1, topic: "t", partitions: [{ partition: 0, records: [{ value: v }] }] }));
    await until(() => ids.every((id) => c.replies.some((r) => r["id"] === id)), "all produce replies");
    const bases = ids.map((id) => ((c.replies.find((r) => r["id"] === id)!["partitions"] as { baseOffset: number }[])[0]!.baseOffset));
    expect(bases).toEqual([0, 1, 2, 3, 4]);
  });

  it("LogAppendTime topics report the append time", async () => {
    const c = await withTopic();
    await c.request({ op: "alterConfigs", resources: [{ type: "topic", name: "t", set: { "message.timestamp.type": "LogAppendTime" } }] });
    const reply = await c.request({ op: "produce", acks: 1, topic: "t", partitions: [{ partition: 0, batches: batch("x") }] });
    expect((reply["partitions"] as { logAppendTime: number }[])[0]!.logAppendTime).toBe(h!.clock.now());
  });
});

describe("fetch", () => {
  it("fetch returns the stored batches byte for byte with the high watermark", async () => {
    const c = await withTopic();
    const sent = batch("one", "two");
    await c.request({ op: "produce", acks: 1, topic: "t", partitions: [{ partition: 0, batches: sent.slice() }] });
    const reply = await c.request({ op: "fetch", topic: "t", partition: 0, offset: 1 });
    const bytes = reply["batches"] as Uint8Array;
    expect(bytes.length).toBe(sent.length);
    // Everything from the magic byte on (records, CRC) is as sent; base offset and leader epoch are the broker's.
    expect([...bytes.subarray(16)]).toEqual([...sent.subarray(16)]);
    expect([...bytes.subarray(8, 12)]).toEqual([...sent.subarray(8, 12)]);
    expect([...bytes.subarray(12, 16)]).toEqual([0, 0, 0, 0]); // leader epoch 0
    expect(reply).toMatchObject({ topic: "t", partition: 0, highWatermark: 2, logStartOffset: 0, lastStableOffset: 2 });
  });

  it("a fetch long-poll wakes on a new append", async () => {
    const c = await withTopic();
    const id = c.fire({ op: "fetch", topic: "t", partition: 0, offset: 0, maxWaitMs: 10_000 });
    await settle(10);
    expect(c.replies.some((r) => r["id"] === id)).toBe(false);
    await c.request({ op: "produce", acks: 1, topic: "t", partitions: [{ partition: 0, batches: batch("wake") }] });
    await until(() => c.replies.some((r) => r["id"] === id), "the fetch reply");
    const reply = c.replies.find((r) => r["id"] === id)!;
    expect((reply["batches"] as Uint8Array).length).toBeGreaterThan(0);
    expect(reply["highWatermark"]).toBe(1);
  });

  it("a fetch long-poll answers empty when maxWaitMs passes", async () => {
    const c = await withTopic();
    const id = c.fire({ op: "fetch", topic: "t", partition: 0, offset: 0, maxWaitMs: 500 });
    await settle(10);
    h!.clock.advance(499);
    await settle(5);
    expect(c.replies.some((r) => r["id"] === id)).toBe(false);
    h!.clock.advance(1);
    await until(() => c.replies.some((r) => r["id"] === id), "the fetch reply");
    expect((c.replies.find((r) => r["id"] === id)!["batches"] as Uint8Array).length).toBe(0);
  });

  it("fetch below the log start answers OFFSET_OUT_OF_RANGE with the log start", async () => {
    const c = await withTopic();
    await c.request({ op: "produce", acks: 1, topic: "t", partitions: [{ partition: 0, batches: batch("a", "b", "c") }] });
    await c.request({ op: "deleteRecords", topic: "t", partitions: [{ partition: 0, offset: 2 }] });
    const reply = await c.request({ op: "fetch", topic: "t", partition: 0, offset: 0 });
    expect(reply["error"]).toMatchObject({ code: "OFFSET_OUT_OF_RANGE", details: { logStartOffset: 2 } });
    const past = await c.request({ op: "fetch", topic: "t", partition: 0, offset: 9 });
    expect(past["error"]).toMatchObject({ code: "OFFSET_OUT_OF_RANGE" });
  });

  it("fetch of an unknown partition answers UNKNOWN_TOPIC_OR_PARTITION", async () => {
    const c = await withTopic();
    expect((await c.request({ op: "fetch", topic: "t", partition: 3, offset: 0 }))["error"]).toMatchObject({ code: "UNKNOWN_TOPIC_OR_PARTITION" });
    expect((await c.request({ op: "fetch", topic: "nope", partition: 0, offset: 0 }))["error"]).toMatchObject({ code: "UNKNOWN_TOPIC_OR_PARTITION" });
  });

  it("fetch with an older leader epoch is fenced and a newer one is unknown", async () => {
    const c = await withTopic();
    expect((await c.request({ op: "fetch", topic: "t", partition: 0, offset: 0, currentLeaderEpoch: 1 }))["error"]).toMatchObject({
      code: "UNKNOWN_LEADER_EPOCH",
    });
    expect((await c.request({ op: "fetch", topic: "t", partition: 0, offset: 0, currentLeaderEpoch: 0, maxWaitMs: 0 }))["error"]).toBeUndefined();
  });
});

describe("listOffsets and deleteRecords", () => {
  it("listOffsets finds earliest, latest and the first offset at or after a time", async () => {
    const c = await withTopic();
    const t0 = 1_700_000_000_000;
    for (let i = 0; i < 3; i++) {
      const bytes = encodeRecordBatchSync({ records: [{ value: utf8(String(i)), timestamp: t0 + i * 1000 }] });
      await c.request({ op: "produce", acks: 1, topic: "t", partitions: [{ partition: 0, batches: bytes }] });
    }
    const reply = await c.request({
      op: "listOffsets",
      topic: "t",
      partitions: [{ partition: 0, timestamp: "earliest" }],
    });
    expect(reply["partitions"]).toEqual([{ partition: 0, offset: 0, timestamp: -1, leaderEpoch: 0 }]);
    const latest = await c.request({ op: "listOffsets", topic: "t", partitions: [{ partition: 0, timestamp: -1 }] });
    expect((latest["partitions"] as { offset: number }[])[0]!.offset).toBe(3);
    const byTime = await c.request({ op: "listOffsets", topic: "t", partitions: [{ partition: 0, timestamp: t0 + 1500 }] });
    expect(byTime["partitions"]).toEqual([{ partition: 0, offset: 2, timestamp: t0 + 2000, leaderEpoch: 0 }]);
    const none = await c.request({ op: "listOffsets", topic: "t", partitions: [{ partition: 0, timestamp: t0 + 9000 }] });
    expect(none["partitions"]).toEqual([{ partition: 0, offset: -1, timestamp: -1, leaderEpoch: 0 }]);
  });

  it("deleteRecords moves the log start and refuses compacted topics", async () => {
    const c = await withTopic(2);
    await c.request({ op: "produce", acks: 1, topic: "t", partitions: [{ partition: 0, batches: batch("a", "b", "c") }] });
    await c.request({ op: "alterConfigs", resources: [{ type: "topic", name: "t", set: { "cleanup.policy": "compact" } }] });
    const refused = await c.request({ op: "deleteRecords", topic: "t", partitions: [{ partition: 0, offset: 1 }] });
    expect((refused["partitions"] as { error: { code: string } }[])[0]!.error.code).toBe("POLICY_VIOLATION");
    await c.request({ op: "alterConfigs", resources: [{ type: "topic", name: "t", delete: ["cleanup.policy"] }] });
    const reply = await c.request({ op: "deleteRecords", topic: "t", partitions: [{ partition: 0, offset: -1 }, { partition: 1, offset: 5 }] });
    const [p0, p1] = reply["partitions"] as { lowWatermark?: number; error?: { code: string } }[];
    expect(p0!.lowWatermark).toBe(3);
    expect(p1!.error?.code).toBe("OFFSET_OUT_OF_RANGE");
  });
});
