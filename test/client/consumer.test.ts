import { describe, expect, it } from "vitest";
import { EdgelogError, type Consumer, type ConsumerOptions, type EdgelogClient, type RetentionGap } from "../../src/client/index.ts";
import { brokerPerTest, delay, offsets, pushedRecords, range, spyingWebSocket, take, TestBroker, until } from "./broker-fixture.ts";

const env = brokerPerTest();
const { closers, topic } = env;

/** Writes `count` one-record batches to a partition, values "<from + i>". */
function produce(name: string, count: number, options: { partition?: number; from?: number; timestamp?: (i: number) => number } = {}): Promise<void> {
  const from = options.from ?? 0;
  return env.produceEach(
    name,
    range(from, from + count).map((i) => ({ value: String(i), partition: options.partition ?? 0, ...(options.timestamp ? { timestamp: options.timestamp(i) } : {}) })),
  );
}

function consumer(options: ConsumerOptions = {}, on: EdgelogClient = env.client): Consumer {
  const c = on.consumer(options);
  closers.push(() => c.disconnect());
  return c;
}

describe("Consumer", () => {
  it("receives no more than its credit window ahead of the application, and consuming grants more", async () => {
    await topic("credit");
    await produce("credit", 60);
    const log: Record<string, unknown>[] = [];
    const c = consumer({ maxBufferedRecords: 10 }, env.broker.client({ WebSocket: spyingWebSocket(log) }));
    await c.assign([{ topic: "credit", partition: 0, from: "earliest" }]);
    await until(() => pushedRecords(log) === 10, "the first window");
    await delay(100);
    expect(pushedRecords(log)).toBe(10);
    const records = await take(c, 60, { onEach: (_, consumed) => expect(pushedRecords(log)).toBeLessThanOrEqual(consumed + 10) });
    expect(offsets(records)).toEqual(range(0, 60));
    expect(records.map((r) => r.valueString())).toEqual(range(0, 60).map(String));
  });

  it("pause() stops delivering and crediting a partition, and resume() continues it", async () => {
    await topic("paused", 2);
    await produce("paused", 20, { partition: 0 });
    await produce("paused", 20, { partition: 1 });
    const log: Record<string, unknown>[] = [];
    const c = consumer({ maxBufferedRecords: 5 }, env.broker.client({ WebSocket: spyingWebSocket(log) }));
    c.pause([{ topic: "paused", partitions: [0] }]);
    await c.assign([
      { topic: "paused", partition: 0, from: "earliest" },
      { topic: "paused", partition: 1, from: "earliest" },
    ]);
    expect(c.paused()).toEqual([{ topic: "paused", partitions: [0] }]);
    const first = await take(c, 20);
    expect(first.map((r) => r.partition)).toEqual(Array(20).fill(1));
    await delay(100);
    expect(pushedRecords(log, 0)).toBe(0); // paused before assign: subscribed without credit
    c.resume([{ topic: "paused" }]);
    expect(c.paused()).toEqual([]);
    const second = await take(c, 20);
    expect(second.map((r) => [r.partition, r.offset])).toEqual(range(0, 20).map((o) => [0, o]));
  });

  it("a partition paused after records arrived holds them and gets no more than its window", async () => {
    await topic("hold", 2);
    await produce("hold", 30, { partition: 0 });
    const log: Record<string, unknown>[] = [];
    const c = consumer({ maxBufferedRecords: 5 }, env.broker.client({ WebSocket: spyingWebSocket(log) }));
    await c.assign([{ topic: "hold", partition: 0, from: "earliest" }, { topic: "hold", partition: 1, from: "earliest" }]);
    expect(offsets(await take(c, 3))).toEqual([0, 1, 2]);
    c.pause([{ topic: "hold", partitions: [0] }]);
    const waiting = take(c, 1);
    await delay(150);
    expect(pushedRecords(log, 0)).toBeLessThanOrEqual(10);
    c.resume([{ topic: "hold", partitions: [0] }]);
    expect(offsets(await waiting)).toEqual([3]);
    expect(offsets(await take(c, 26))).toEqual(range(4, 30));
  });

  it("seek() drops what was received and continues from the offset", async () => {
    await topic("seek");
    await produce("seek", 10);
    const c = consumer();
    await c.assign([{ topic: "seek", partition: 0, from: "earliest" }]);
    expect(offsets(await take(c, 5))).toEqual([0, 1, 2, 3, 4]);
    expect(c.position({ topic: "seek", partition: 0 })).toBe(5);
    await c.seek({ topic: "seek", partition: 0, offset: 2 });
    expect(c.position({ topic: "seek", partition: 0 })).toBe(2);
    expect(offsets(await take(c, 8))).toEqual(range(2, 10));
    await expect(c.seek({ topic: "other", partition: 0, offset: 0 })).rejects.toThrow(/not assigned/);
  });

  it("starts at latest, at an offset, or at the first record at or after a timestamp", async () => {
    await topic("from");
    await produce("from", 5, { timestamp: (i) => 1_000 * (i + 1) });
    const latest = consumer();
    await latest.assign([{ topic: "from", partition: 0, from: "latest" }]);
    const byTime = consumer();
    await byTime.assign([{ topic: "from", partition: 0, from: { timestamp: 2_500 } }]);
    const byOffset = consumer();
    await byOffset.assign([{ topic: "from", partition: 0, offset: "4" }]);
    await produce("from", 2, { from: 5 });
    expect(offsets(await take(latest, 2))).toEqual([5, 6]);
    expect(offsets(await take(byTime, 5))).toEqual([2, 3, 4, 5, 6]);
    expect(offsets(await take(byOffset, 3))).toEqual([4, 5, 6]);
  });

  it("run({ eachBatch }) hands records of one partition in order, at most maxBatchRecords at a time, until stop()", async () => {
    await topic("batches", 2);
    await produce("batches", 12, { partition: 0 });
    await produce("batches", 12, { partition: 1 });
    const c = consumer();
    await c.assign([{ topic: "batches", partition: 0, from: "earliest" }, { topic: "batches", partition: 1, from: "earliest" }]);
    const seen = new Map<number, number[]>([[0, []], [1, []]]);
    let sizes: number[] = [];
    const running = c.run({
      maxBatchRecords: 5,
      eachBatch: async ({ batch, isRunning }) => {
        expect(isRunning()).toBe(true);
        expect(batch.lastOffset() - batch.firstOffset() + 1).toBe(batch.messages.length);
        expect(batch.highWatermark).toBe(12);
        sizes.push(batch.messages.length);
        seen.get(batch.partition)!.push(...offsets(batch.messages));
      },
    });
    await until(() => seen.get(0)!.length + seen.get(1)!.length === 24, "every record");
    await c.stop();
    await running;
    expect(seen.get(0)).toEqual(range(0, 12));
    expect(seen.get(1)).toEqual(range(0, 12));
    expect(Math.max(...sizes)).toBeLessThanOrEqual(5);
    sizes = [];
    expect(() => c.run({})).toThrow(TypeError);
  });

  it("when eachMessage throws, run() rejects and the next run starts at that record", async () => {
    await topic("crash");
    await produce("crash", 6);
    const c = consumer();
    await c.assign([{ topic: "crash", partition: 0, from: "earliest" }]);
    const handled: number[] = [];
    const failure = new Error("handler failed at 3");
    await expect(
      c.run({
        eachMessage: ({ message }) => {
          if (message.offset === 3) throw failure;
          handled.push(message.offset);
        },
      }),
    ).rejects.toBe(failure);
    expect(handled).toEqual([0, 1, 2]);
    const running = c.run({ eachMessage: ({ message }) => void handled.push(message.offset) });
    await until(() => handled.length === 6, "the rest");
    await c.stop();
    await running;
    expect(handled).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it("assign() replaces the assignment", async () => {
    await topic("swap", 2);
    await produce("swap", 3, { partition: 0 });
    await produce("swap", 3, { partition: 1 });
    const c = consumer();
    await c.assign([{ topic: "swap", partition: 0, from: "earliest" }]);
    expect((await take(c, 1))[0]!.partition).toBe(0);
    await c.assign([{ topic: "swap", partition: 1, from: "earliest" }]);
    expect(c.assignment()).toEqual([{ topic: "swap", partition: 1 }]);
    expect((await take(c, 3)).map((r) => r.partition)).toEqual([1, 1, 1]);
  });

  it("after the broker restarts, the consumer reconnects and continues without loss or duplicates", async () => {
    await topic("restart");
    await produce("restart", 40);
    const log: Record<string, unknown>[] = [];
    const c = consumer({ maxBufferedRecords: 10 }, env.broker.client({ WebSocket: spyingWebSocket(log) }));
    await c.assign([{ topic: "restart", partition: 0, from: "earliest" }]);
    const before = await take(c, 15);
    await env.broker.stop();
    const received = log.length;
    const position = Math.max(...log.filter((f) => f["push"] === "records").map((f) => f["nextOffset"] as number));
    await delay(50);
    await env.broker.restart();
    await produce("restart", 20, { from: 40 });
    const after = await take(c, 45);
    expect(offsets([...before, ...after])).toEqual(range(0, 60));
    expect(after.map((r) => r.valueString())).toEqual(range(15, 60).map(String));
    // the new subscription started where the old one stopped: nothing was pushed twice
    const firstAfter = log.slice(received).find((f) => f["push"] === "records");
    expect(firstAfter?.["firstOffset"]).toBe(position);
  });

  it("reports a retention gap to onGap and, with autoOffsetReset earliest, continues at the log start", async () => {
    await topic("gap");
    await produce("gap", 30);
    const gaps: RetentionGap[] = [];
    const c = consumer({ maxBufferedRecords: 5, autoOffsetReset: "earliest", onGap: (gap) => gaps.push(gap) });
    await c.assign([{ topic: "gap", partition: 0, from: "earliest" }]);
    expect(offsets(await take(c, 3))).toEqual([0, 1, 2]);
    await env.deleteRecordsBefore("gap", 0, 20);
    expect(offsets(await take(c, 12))).toEqual([3, 4, ...range(20, 30)]);
    expect(gaps).toEqual([{ topic: "gap", partition: 0, requestedOffset: 5, logStartOffset: 20 }]);
  });

  it("with autoOffsetReset none, a retention gap ends the iteration with OFFSET_OUT_OF_RANGE after the records before it", async () => {
    await topic("nogap");
    await produce("nogap", 30);
    const gaps: RetentionGap[] = [];
    const c = consumer({ maxBufferedRecords: 5, onGap: (gap) => gaps.push(gap) });
    await c.assign([{ topic: "nogap", partition: 0, from: "earliest" }]);
    expect(offsets(await take(c, 3))).toEqual([0, 1, 2]);
    await env.deleteRecordsBefore("nogap", 0, 20);
    const seen: number[] = [];
    const error = await take(c, 10, { onEach: (r) => seen.push(r.offset) }).catch((e: unknown) => e);
    expect(seen).toEqual([3, 4]);
    expect(error).toBeInstanceOf(EdgelogError);
    expect(error).toMatchObject({ code: "OFFSET_OUT_OF_RANGE", details: { topic: "nogap", partition: 0, requestedOffset: 5, logStartOffset: 20 } });
    expect(gaps).toHaveLength(1);
    await c.seek({ topic: "nogap", partition: 0, offset: 25 });
    expect(offsets(await take(c, 5))).toEqual(range(25, 30));
  });

  it("an offset outside the log at assign() is a gap too", async () => {
    await topic("outside");
    await produce("outside", 3);
    const gaps: RetentionGap[] = [];
    const c = consumer({ autoOffsetReset: "earliest", onGap: (gap) => gaps.push(gap) });
    await c.assign([{ topic: "outside", partition: 0, offset: 50 }]);
    expect(offsets(await take(c, 3))).toEqual([0, 1, 2]);
    expect(gaps).toEqual([{ topic: "outside", partition: 0, requestedOffset: 50, logStartOffset: 0 }]);
  });

  it("a topic that does not exist ends the iteration with UNKNOWN_TOPIC_OR_PARTITION after the retries", async () => {
    await env.broker.stop();
    env.broker = await TestBroker.start({ "auto.create.topics.enable": "false" });
    env.client = env.broker.client({ retry: { retries: 1, initialRetryTimeMs: 10 } });
    const c = consumer();
    await c.assign([{ topic: "missing", partition: 0, from: "earliest" }]);
    const error = await take(c, 1).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "UNKNOWN_TOPIC_OR_PARTITION" });
  });

  it("refuses malformed assignments and options", async () => {
    const c = consumer();
    await expect(c.assign([{ topic: "", partition: 0 }])).rejects.toThrow(TypeError);
    await expect(c.assign([{ topic: "t", partition: 0, offset: 1, from: "earliest" }])).rejects.toThrow(/both offset and from/);
    await expect(c.assign([{ topic: "t", partition: 0 }, { topic: "t", partition: 0 }])).rejects.toThrow(/twice/);
    expect(() => env.client.consumer({ maxBufferedRecords: 0 })).toThrow(RangeError);
  });
});
