/**
 * Black-box scenarios of producing and consuming, run unchanged against `edgelog serve` on Node,
 * Bun, Deno and the compiled binary: produce/fetch/subscribe, acks, key partitioning, long-poll
 * fetch, subscription flow control and the retention gap signal.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { partitionForKey } from "../../src/core/topic/partitioner.ts";
import {
  batchOf,
  bytesField,
  concatBytes,
  recordsOf,
  text,
  utf8,
  type Frame,
  type WsTestClient,
} from "../support/ws-test-client.ts";
import { removeTempDirs, startBroker, TARGETS, type E2eBroker } from "./broker-matrix.ts";
import {
  baseOffsetOf,
  batchBaseOffset,
  createTopic,
  eventually,
  fetchRecords,
  offsetsOf,
  produceBatch,
  pushedRecords,
  readAll,
  sleep,
  splitBatches,
} from "./e2e-helpers.ts";

const BIG_CREDIT = { records: 1_000_000, bytes: 64 * 1024 * 1024 };

afterAll(removeTempDirs);

describe.each(TARGETS)("produce and consume on $name", (target) => {
  let broker: E2eBroker;
  let client: WsTestClient;

  beforeAll(async () => {
    broker = await startBroker(target, { overrides: { "log.retention.check.interval.ms": "200" } });
    client = await broker.connect();
  });

  afterAll(async () => {
    await client?.close();
    // a broker that crashed during the tests shows here: a graceful stop exits 0
    const code = await broker?.stop();
    expect(code, broker?.output()).toBe(0);
  });

  describe("produce, fetch and subscribe", () => {
    const now = Date.now();
    const produced = [
      batchOf(
        [
          { key: utf8("k1"), value: utf8("v1"), headers: [{ key: "h", value: utf8("x") }], timestamp: now },
          { key: null, value: utf8("v2"), timestamp: now + 1 },
          { key: utf8("k3"), value: null, timestamp: now + 2 },
        ],
        now,
      ),
      batchOf([{ value: utf8("single") }], now),
      batchOf(
        Array.from({ length: 5 }, (_, i) => ({ key: utf8(`key-${i}`), value: utf8(`value-${i}`) })),
        now,
      ),
    ];

    beforeAll(async () => {
      await createTopic(client, "pcs", 1);
    });

    test("produced batches come back from fetch byte for byte at the offsets the broker assigned", async () => {
      const first = await client.call("produce", { acks: 1, topic: "pcs", partitions: [{ partition: 0, batches: concatBytes(produced.slice(0, 2)) }] });
      expect(first).toMatchObject({ topic: "pcs", partitions: [{ partition: 0, baseOffset: 0, logAppendTime: -1, logStartOffset: 0 }] });
      expect(await produceBatch(client, "pcs", 0, produced[2]!)).toBe(4);

      const { reply, batches, records } = await fetchRecords(client, "pcs", 0, 0);
      expect(reply).toMatchObject({ topic: "pcs", partition: 0, highWatermark: 9, logStartOffset: 0, lastStableOffset: 9 });
      const stored = splitBatches(batches);
      expect(stored.map(batchBaseOffset)).toEqual([0, 3, 4]);
      stored.forEach((batch, i) => {
        // Only baseOffset (bytes 0-7) and partitionLeaderEpoch (12-15) are the broker's to set.
        expect(batch.length).toBe(produced[i]!.length);
        expect(batch.subarray(8, 12)).toEqual(produced[i]!.subarray(8, 12));
        expect(batch.subarray(16)).toEqual(produced[i]!.subarray(16));
      });
      expect(records.map((r) => r.offset)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
      expect(records.map((r) => text(r.value))).toEqual(["v1", "v2", null, "single", ...Array.from({ length: 5 }, (_, i) => `value-${i}`)]);
      expect(records[0]!.headers.map((h) => [h.key, text(h.value)])).toEqual([["h", "x"]]);
      expect(records[1]!.timestamp).toBe(now + 1);
    });

    test("a fetch from inside a batch returns the whole batch and the records from that offset on", async () => {
      const { batches, records } = await fetchRecords(client, "pcs", 0, 5);
      expect(batchBaseOffset(splitBatches(batches)[0]!)).toBe(4);
      expect(records.map((r) => r.offset)).toEqual([5, 6, 7, 8]);
    });

    test("per-record produce in CBOR and JSON is fetched back with its keys, values, headers and offsets", async () => {
      const cbor = await client.call("produce", {
        acks: 1,
        topic: "pcs",
        partitions: [
          {
            partition: 0,
            records: [
              { key: "user-1", value: '{"total":12}', headers: { source: "web" }, timestamp: now },
              { key: new Uint8Array([0, 1, 2]), value: null, headers: [{ key: "a", value: "1" }, { key: "a", value: null }] },
            ],
          },
        ],
      });
      expect(baseOffsetOf(cbor)).toBe(9);
      const json = await broker.connect({ format: "json" });
      const reply = await json.call("produce", { acks: 1, topic: "pcs", partitions: [{ partition: 0, records: [{ key: "j", value: { base64: "AAE=" } }] }] });
      expect(baseOffsetOf(reply)).toBe(11);
      await json.close();

      const { records } = await fetchRecords(client, "pcs", 0, 9);
      expect(records.map((r) => r.offset)).toEqual([9, 10, 11]);
      expect(text(records[0]!.key)).toBe("user-1");
      expect(text(records[0]!.value)).toBe('{"total":12}');
      expect(records[0]!.timestamp).toBe(now);
      expect(records[0]!.headers.map((h) => [h.key, text(h.value)])).toEqual([["source", "web"]]);
      expect(records[1]!.key).toEqual(new Uint8Array([0, 1, 2]));
      expect(records[1]!.value).toBeNull();
      expect(records[1]!.headers.map((h) => [h.key, text(h.value)])).toEqual([["a", "1"], ["a", null]]);
      expect(text(records[2]!.key)).toBe("j");
      expect(records[2]!.value).toEqual(new Uint8Array([0, 1]));
    });

    test("a JSON fetch returns the same stored bytes as a CBOR fetch, in base64", async () => {
      const json = await broker.connect({ format: "json" });
      const reply = await json.call("fetch", { topic: "pcs", partition: 0, offset: 0, maxWaitMs: 0 });
      await json.close();
      expect(typeof reply["batches"]).toBe("string");
      const { batches } = await fetchRecords(client, "pcs", 0, 0);
      expect(bytesField(reply["batches"])).toEqual(batches);
    });

    test("a subscriber from earliest receives every record in order, then records produced later", async () => {
      const expected = await readAll(client, "pcs", 0, 0);
      const subscriber = await broker.connect();
      const { sub, offset } = await subscriber.subscribe({ topic: "pcs", partition: 0, from: "earliest", credit: BIG_CREDIT });
      expect(offset).toBe(0);
      const reached = (n: number) => () => subscriber.pushes(sub).some((p) => (p["nextOffset"] as number) >= n);
      await subscriber.until(reached(expected.length), "pushes up to the high watermark");
      const pushed = await pushedRecords(subscriber, sub);
      expect(pushed.map((r) => [r.offset, text(r.value)])).toEqual(expected.map((r) => [r.offset, text(r.value)]));

      const next = await produceBatch(client, "pcs", 0, batchOf([{ value: utf8("later") }]));
      await subscriber.until(reached(next + 1), "the push of the new record");
      expect((await pushedRecords(subscriber, sub)).map((r) => text(r.value)).at(-1)).toBe("later");
      const pushes = subscriber.pushes(sub);
      for (let i = 1; i < pushes.length; i++) expect(pushes[i]!["firstOffset"]).toBe(pushes[i - 1]!["nextOffset"]);
      await subscriber.close();
    });
  });

  describe("acks", () => {
    beforeAll(async () => {
      await createTopic(client, "acks", 1);
    });

    test("acks 0 produce requests get no reply and their records are appended in order", async () => {
      const ids = Array.from({ length: 5 }, (_, i) =>
        client.send("produce", { acks: 0, topic: "acks", partitions: [{ partition: 0, batches: batchOf([{ value: utf8(`a0-${i}`) }]) }] }),
      );
      await eventually(async () => (await offsetsOf(client, "acks", 0)).latest === 5, "five acks-0 records");
      await client.call("metadata", { topics: [] });
      await sleep(200);
      const answered = [...client.unmatched, ...client.errorsWithoutId].filter((f) => ids.includes(f["id"] as number));
      expect(answered).toEqual([]);
      expect((await readAll(client, "acks", 0, 0)).map((r) => text(r.value))).toEqual(["a0-0", "a0-1", "a0-2", "a0-3", "a0-4"]);
    });

    test("acks 1 and acks all reply with consecutive base offsets, in request order", async () => {
      const replies = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          client.call("produce", {
            acks: i % 2 === 0 ? 1 : "all",
            topic: "acks",
            partitions: [{ partition: 0, batches: batchOf([{ value: utf8(`a1-${i}-0`) }, { value: utf8(`a1-${i}-1`) }]) }],
          }),
        ),
      );
      expect(replies.map(baseOffsetOf)).toEqual(Array.from({ length: 10 }, (_, i) => 5 + 2 * i));
      const records = await readAll(client, "acks", 0, 5);
      expect(records.map((r) => [r.offset, text(r.value)])).toEqual(
        Array.from({ length: 20 }, (_, n) => [5 + n, `a1-${Math.floor(n / 2)}-${n % 2}`]),
      );
    });
  });

  test("records with the same key land on the partition Kafka's murmur2 partitioner picks, every time", async () => {
    const partitions = 6;
    await createTopic(client, "keys", partitions);
    const keys = Array.from({ length: 24 }, (_, i) => `customer-${i}`);
    const seen = new Map<string, number>();
    for (let round = 0; round < 3; round++) {
      const records = keys.map((key) => ({ key, value: `${key}@${round}` }));
      const reply = await client.call("produce", { acks: 1, topic: "keys", records });
      for (const item of reply["partitions"] as Frame[]) {
        expect(item["error"]).toBeUndefined();
        for (const index of item["recordIndexes"] as number[]) {
          const key = keys[index]!;
          expect(item["partition"]).toBe(partitionForKey(utf8(key), partitions));
          if (seen.has(key)) expect(item["partition"]).toBe(seen.get(key));
          seen.set(key, item["partition"] as number);
        }
      }
    }
    expect(seen.size).toBe(keys.length);
    expect(new Set(seen.values()).size).toBeGreaterThan(1);
    for (let partition = 0; partition < partitions; partition++) {
      const stored = await readAll(client, "keys", partition, 0);
      for (const record of stored) expect(seen.get(text(record.key)!)).toBe(partition);
      expect(stored.length).toBe(3 * keys.filter((k) => seen.get(k) === partition).length);
    }
  });

  test("a long-poll fetch at the log end wakes when another connection produces, well before maxWaitMs", async () => {
    await createTopic(client, "poll", 1);
    await produceBatch(client, "poll", 0, batchOf([{ value: utf8("before") }]));
    const waiter = await broker.connect();
    const started = Date.now();
    const reply = waiter.call("fetch", { topic: "poll", partition: 0, offset: 1, maxWaitMs: 5000 });
    let answered = false;
    void reply.then(() => (answered = true), () => (answered = true));
    await sleep(300);
    expect(answered).toBe(false);
    await produceBatch(client, "poll", 0, batchOf([{ value: utf8("wake up") }]));
    const fetched = await reply;
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(290);
    expect(elapsed).toBeLessThan(2500);
    expect(fetched["highWatermark"]).toBe(2);
    expect((await recordsOf(bytesField(fetched["batches"]), 1)).map((r) => text(r.value))).toEqual(["wake up"]);
    await waiter.close();
  });

  test("a subscriber granting 10 records gets exactly 10 until it grants more, then the rest", async () => {
    await createTopic(client, "flow", 1);
    await Promise.all(Array.from({ length: 25 }, (_, i) => produceBatch(client, "flow", 0, batchOf([{ value: utf8(`r${i}`) }]))));
    const subscriber = await broker.connect();
    const { sub } = await subscriber.subscribe({ topic: "flow", partition: 0, from: "earliest", credit: { records: 10, bytes: 1 << 20 } });
    const count = async () => (await pushedRecords(subscriber, sub)).length;
    const pushedUpTo = () => Math.max(0, ...subscriber.pushes(sub).map((p) => p["nextOffset"] as number));
    await subscriber.until(() => pushedUpTo() >= 10, "10 records");
    await sleep(400);
    expect(pushedUpTo()).toBe(10);
    expect(await count()).toBe(10);

    const credit = await subscriber.call("credit", { sub, records: 15 });
    expect(credit).toMatchObject({ sub, records: 15 });
    await subscriber.until(() => pushedUpTo() >= 25, "the other 15 records");
    await sleep(100);
    const records = await pushedRecords(subscriber, sub);
    expect(records.map((r) => text(r.value))).toEqual(Array.from({ length: 25 }, (_, i) => `r${i}`));
    expect(records.map((r) => r.offset)).toEqual(Array.from({ length: 25 }, (_, i) => i));
    expect(await subscriber.call("unsubscribe", { sub })).toMatchObject({ sub, nextOffset: 25 });
    await subscriber.close();
  });

  describe("the retention gap signal", () => {
    test("a subscriber behind a deleteRecords log start gets OFFSET_OUT_OF_RANGE with the new log start", async () => {
      await createTopic(client, "gap", 1);
      for (let i = 0; i < 10; i++) await produceBatch(client, "gap", 0, batchOf([{ value: utf8(`g${i}`) }]));
      const subscriber = await broker.connect();
      const { sub } = await subscriber.subscribe({ topic: "gap", partition: 0, from: "earliest", credit: { records: 3, bytes: 1 << 20 } });
      await subscriber.until(() => subscriber.pushes(sub).some((p) => p["nextOffset"] === 3), "the first 3 records");

      const deleted = await client.call("deleteRecords", { topic: "gap", partitions: [{ partition: 0, offset: 7 }] });
      expect(deleted).toMatchObject({ topic: "gap", partitions: [{ partition: 0, lowWatermark: 7 }] });
      await subscriber.request("credit", { sub, records: 100 }); // may be refused if the subscription already ended
      await subscriber.until(() => subscriber.pushes(sub).some((p) => p["push"] === "error"), "the error push");
      const error = subscriber.pushes(sub).find((p) => p["push"] === "error")!;
      expect(error).toMatchObject({ sub, error: { code: "OFFSET_OUT_OF_RANGE", retriable: false }, logStartOffset: 7 });
      expect(subscriber.pushes(sub).filter((p) => p["push"] === "records").every((p) => (p["nextOffset"] as number) <= 3)).toBe(true);

      const fetched = await client.request("fetch", { topic: "gap", partition: 0, offset: 3, maxWaitMs: 0 });
      expect(fetched["error"]).toMatchObject({ code: "OFFSET_OUT_OF_RANGE", details: { logStartOffset: 7 } });
      const resumed = await subscriber.subscribe({ topic: "gap", partition: 0, from: "earliest", credit: BIG_CREDIT });
      expect(resumed).toMatchObject({ offset: 7, logStartOffset: 7, highWatermark: 10 });
      await subscriber.until(() => subscriber.pushes(resumed.sub).some((p) => p["nextOffset"] === 10), "records 7..9");
      expect((await pushedRecords(subscriber, resumed.sub)).map((r) => text(r.value))).toEqual(["g7", "g8", "g9"]);
      await subscriber.close();
    });

    test("a subscriber behind a log start that time retention moved gets OFFSET_OUT_OF_RANGE with it", async () => {
      // 200-byte segments hold two one-record batches; records 10 minutes old are past retention.ms at once
      await createTopic(client, "expiring", 1, { "segment.bytes": "200", "retention.ms": "60000" });
      const subscriber = await broker.connect();
      const { sub } = await subscriber.subscribe({ topic: "expiring", partition: 0, from: "earliest", credit: { records: 1, bytes: 1 << 20 } });
      const old = Date.now() - 10 * 60_000;
      for (let i = 0; i < 10; i++) await produceBatch(client, "expiring", 0, batchOf([{ value: utf8(`old-${i}`), timestamp: old }]));
      let logStart = 0;
      await eventually(async () => (logStart = (await offsetsOf(client, "expiring", 0)).earliest) > 1, "retention to move the log start");
      await sleep(300); // let retention finish its pass
      logStart = (await offsetsOf(client, "expiring", 0)).earliest;

      await subscriber.request("credit", { sub, records: 100 });
      await subscriber.until(() => subscriber.pushes(sub).some((p) => p["push"] === "error"), "the error push");
      const error = subscriber.pushes(sub).find((p) => p["push"] === "error")!;
      expect(error).toMatchObject({ sub, error: { code: "OFFSET_OUT_OF_RANGE" }, logStartOffset: logStart });
      await subscriber.close();
    });
  });
});
