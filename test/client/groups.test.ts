import { describe, expect, it } from "vitest";
import type { ConsumedRecord, ConsumerEvents } from "../../src/client/index.ts";
import { brokerPerTest, delay, offsets, range, until } from "./broker-fixture.ts";
import { collect, committedOffset, consumers, GROUP_BROKER, untilOwns } from "./groups-fixture.ts";

const env = brokerPerTest(GROUP_BROKER);
const { closers, topic } = env;
const consumer = consumers(closers);

/** Sends each value in its own request, to `partition` or (keyless) wherever the producer puts it. */
function produce(name: string, values: string[], partition?: number): Promise<void> {
  return env.produceEach(name, values.map((value) => ({ value, ...(partition === undefined ? {} : { partition }) })));
}

const values = (records: readonly ConsumedRecord[]): (string | null)[] => records.map((r) => r.valueString());
const partitionsOf = (records: readonly ConsumedRecord[]): number[] => [...new Set(records.map((r) => r.partition))];

describe("Consumer in a group", () => {
  it("three members of a group on three partitions each get one partition's messages, every message once; a fourth stays idle", async () => {
    await topic("ref", 3);
    const joins: ConsumerEvents["group.join"][] = [];
    const members = [0, 1, 2].map(() => consumer(env.client, { groupId: "ref-group" }));
    members[0]!.on("group.join", (event) => joins.push(event));
    for (const m of members) await m.subscribe({ topics: ["ref"], fromBeginning: true });
    for (const m of members) await untilOwns(m, 1, "one partition each");
    const fourth = consumer(env.client, { groupId: "ref-group" });
    await fourth.subscribe({ topic: "ref", fromBeginning: true });
    await delay(300);
    expect(fourth.assignment()).toEqual([]);
    expect(members.flatMap((m) => m.assignment().map((tp) => tp.partition)).sort()).toEqual([0, 1, 2]);

    const collecting = [...members, fourth].map(collect);
    await produce("ref", ["a", "b", "c", "d", "e", "f", "g"]);
    await until(() => collecting.reduce((n, c) => n + c.records.length, 0) >= 7, "7 records");
    await delay(200); // nothing more comes
    const seen = collecting.slice(0, 3).map((c) => c.records);
    for (const records of seen) expect(partitionsOf(records)).toHaveLength(1);
    expect(seen.map((records) => partitionsOf(records)[0]).sort()).toEqual([0, 1, 2]);
    expect(seen.flatMap(values).sort()).toEqual(["a", "b", "c", "d", "e", "f", "g"]);
    expect(collecting[3]!.records).toEqual([]);
    expect(joins).toHaveLength(1);
    expect(joins[0]!.memberId).toMatch(/^test-/);
  });

  it("two groups each get every message", async () => {
    await topic("both", 2);
    await produce("both", range(0, 10).map(String));
    const a = collect(consumer(env.client, { groupId: "group-a" }));
    const b = collect(consumer(env.client, { groupId: "group-b" }));
    await a.consumer.subscribe({ topics: ["both"], fromBeginning: true });
    await b.consumer.subscribe({ topics: ["both"], fromBeginning: true });
    await until(() => a.records.length === 10 && b.records.length === 10, "both groups read everything");
    expect(values(a.records).sort()).toEqual(range(0, 10).map(String).sort());
    expect(values(b.records).sort()).toEqual(range(0, 10).map(String).sort());
  });

  it("auto-commit commits the position after the last record processed, on the interval and on disconnect", async () => {
    await topic("auto");
    await produce("auto", range(0, 10).map(String));
    const commits: ConsumerEvents["commit"][] = [];
    const c = consumer(env.client, { groupId: "auto-group", autoCommitIntervalMs: 100 });
    c.on("commit", (event) => commits.push(event));
    await c.subscribe({ topic: "auto", fromBeginning: true });
    const taken: number[] = [];
    for await (const record of c) {
      taken.push(record.offset);
      if (taken.length === 5) break; // leaving the loop marks the fifth record processed
    }
    await until(() => commits.some((e) => e.offsets.some((o) => o.offset === 5)), "an automatic commit");
    expect(await committedOffset(env.broker, "auto-group", "auto", 0)).toBe(5);

    const late = consumer(env.client, { groupId: "auto-late", autoCommitIntervalMs: 60_000 });
    await late.subscribe({ topic: "auto", fromBeginning: true });
    let n = 0;
    for await (const record of late) if (++n === 3 || record.offset > 5) break;
    await late.disconnect();
    expect(await committedOffset(env.broker, "auto-late", "auto", 0)).toBe(3);
  });

  it("a revoked partition's position is committed before the next owner starts it, which continues from there", async () => {
    await topic("handover", 2);
    await produce("handover", range(0, 20).map((i) => `p0-${i}`), 0);
    await produce("handover", range(0, 20).map((i) => `p1-${i}`), 1);
    const first = consumer(env.client, { groupId: "handover-group", autoCommitIntervalMs: 60_000, maxBufferedRecords: 4 });
    await first.subscribe({ topic: "handover", fromBeginning: true });
    await untilOwns(first, 2);
    const firstRecords: ConsumedRecord[] = [];
    for await (const record of first) {
      firstRecords.push(record);
      if (firstRecords.length === 8) break;
    }
    const revoked: ConsumerEvents["rebalance"][] = [];
    first.on("rebalance", (event) => event.revoked.length > 0 && revoked.push(event));
    const second = collect(consumer(env.client, { groupId: "handover-group", autoCommitIntervalMs: 60_000 }));
    await second.consumer.subscribe({ topic: "handover", fromBeginning: true });
    await untilOwns(second.consumer, 1);
    await until(() => second.records.length > 0, "records for the second member");
    const moved = second.consumer.assignment()[0]!.partition;
    const processed = firstRecords.filter((r) => r.partition === moved);
    const next = processed.length === 0 ? 0 : processed[processed.length - 1]!.offset + 1;
    expect(revoked.map((e) => e.revoked)).toEqual([[{ topic: "handover", partition: moved }]]);
    expect(await committedOffset(env.broker, "handover-group", "handover", moved)).toBe(next);
    await until(() => second.records.length === 20 - next, "the rest of the moved partition");
    expect(offsets(second.records)).toEqual(range(next, 20));
  });

  it("a revocation waits for the record the application has in hand, commits after it, and only then the partition moves", async () => {
    await topic("inhand", 2);
    await produce("inhand", range(0, 5).map((i) => `p0-${i}`), 0);
    await produce("inhand", range(0, 5).map((i) => `p1-${i}`), 1);
    // With the range assignor, the member whose id sorts first ("a-…") keeps partition 0.
    const options = { groupId: "inhand-group", assignor: "range", autoCommitIntervalMs: 60_000 };
    const a = consumer(env.broker.client({ clientId: "a" }), options);
    await a.subscribe({ topic: "inhand", fromBeginning: true });
    await untilOwns(a, 2);
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    let inHand: ConsumedRecord | undefined;
    const running = a.run({
      eachMessage: async ({ message }) => {
        if (message.partition !== 1 || inHand !== undefined) return;
        inHand = message;
        await gate;
      },
    });
    await until(() => inHand !== undefined, "a record of partition 1 in hand");
    const b = collect(consumer(env.broker.client({ clientId: "b" }), options));
    try {
      await b.consumer.subscribe({ topic: "inhand", fromBeginning: true });
      await until(() => a.assignment().length === 1, "the revocation of partition 1");
      await delay(400);
      expect(b.consumer.assignment()).toEqual([]);
      expect(await committedOffset(env.broker, "inhand-group", "inhand", 1)).toBe(-1);
    } finally {
      open();
    }
    await untilOwns(b.consumer, 1);
    expect(b.consumer.assignment()).toEqual([{ topic: "inhand", partition: 1 }]);
    expect(await committedOffset(env.broker, "inhand-group", "inhand", 1)).toBe(inHand!.offset + 1);
    await until(() => b.records.length === 4 - inHand!.offset, "the rest of partition 1");
    expect(offsets(b.records)).toEqual(range(inHand!.offset + 1, 5));
    await a.stop();
    await running;
  });

  it("commitOffsets() commits what the application says, and without autoCommit nothing else is committed", async () => {
    await topic("manual");
    await produce("manual", range(0, 10).map(String));
    const c = consumer(env.client, { groupId: "manual-group", autoCommit: false });
    await c.subscribe({ topic: "manual", fromBeginning: true });
    expect(offsets(await take(c, 6))).toEqual(range(0, 6));
    await c.commitOffsets([{ topic: "manual", partition: 0, offset: 3 }]);
    await c.disconnect();
    expect(await committedOffset(env.broker, "manual-group", "manual", 0)).toBe(3);
    const again = consumer(env.client, { groupId: "manual-group", autoCommit: false });
    await again.subscribe({ topic: "manual" });
    const [record] = await take(again, 1);
    expect(record!.offset).toBe(3);
    await expect(again.commitOffsets([{ topic: "manual", partition: 0, offset: -1 }])).rejects.toThrow(TypeError);
  });

  it("run({ eachBatch }) and run({ eachMessage }) work in a group as with assign()", async () => {
    await topic("runs", 2);
    await produce("runs", range(0, 12).map(String));
    const c = consumer(env.client, { groupId: "runs-group" });
    await c.subscribe({ topic: "runs", fromBeginning: true });
    const batches: { partition: number; offsets: number[] }[] = [];
    const running = c.run({ maxBatchRecords: 4, eachBatch: ({ batch }) => void batches.push({ partition: batch.partition, offsets: batch.messages.map((m) => m.offset) }) });
    await until(() => batches.reduce((n, b) => n + b.offsets.length, 0) === 12, "12 records in batches");
    await c.stop();
    await running;
    expect(batches.every((b) => b.offsets.length <= 4)).toBe(true);
    await produce("runs", ["x", "y"]);
    const handled: string[] = [];
    let failed = false;
    const run = c.run({
      eachMessage: ({ message }) => {
        if (message.valueString() === "x" && !failed) {
          failed = true;
          throw new Error("once");
        }
        handled.push(message.valueString()!);
      },
    });
    await expect(run).rejects.toThrow("once");
    const again = c.run({ eachMessage: ({ message }) => void handled.push(message.valueString()!) });
    await until(() => handled.length === 2, "x and y");
    await c.stop();
    await again;
    expect(handled.sort()).toEqual(["x", "y"]);
  });

  it("seek() in a group commits the offset and continues from it; pause() and resume() hold a partition back without loss", async () => {
    await topic("moves", 2);
    await produce("moves", range(0, 10).map((i) => `a${i}`), 0);
    await produce("moves", range(0, 10).map((i) => `b${i}`), 1);
    const c = consumer(env.client, { groupId: "moves-group", autoCommit: false, maxBufferedRecords: 3 });
    await c.subscribe({ topic: "moves", fromBeginning: true });
    await untilOwns(c, 2);
    c.pause([{ topic: "moves", partitions: [0] }]);
    expect(c.paused()).toEqual([{ topic: "moves", partitions: [0] }]);
    const onlyB = await take(c, 10);
    expect(partitionsOf(onlyB)).toEqual([1]);
    expect(offsets(onlyB)).toEqual(range(0, 10));
    c.resume([{ topic: "moves" }]);
    const a = await take(c, 10);
    expect(values(a)).toEqual(range(0, 10).map((i) => `a${i}`));
    await c.seek({ topic: "moves", partition: 1, offset: 7 });
    expect(await committedOffset(env.broker, "moves-group", "moves", 1)).toBe(7);
    expect(c.position({ topic: "moves", partition: 1 })).toBe(7);
    expect(values(await take(c, 3))).toEqual(["b7", "b8", "b9"]);
  });

  it("with a groupId but assign(), records come from the assigned partitions and commitOffsets() commits outside the group", async () => {
    await topic("outside");
    await produce("outside", range(0, 5).map(String));
    const c = consumer(env.client, { groupId: "outside-group" });
    await c.assign([{ topic: "outside", partition: 0, from: "earliest" }]);
    expect(offsets(await take(c, 5))).toEqual(range(0, 5));
    await c.commitOffsets([{ topic: "outside", partition: 0, offset: "5" }]);
    expect(await committedOffset(env.broker, "outside-group", "outside", 0)).toBe(5);
    await expect(c.subscribe({ topic: "outside" })).rejects.toThrow(/not both/);
  });

  it("refuses subscribe() without a groupId, mixing subscribe() and assign(), and malformed group options", async () => {
    await expect(env.client.consumer().subscribe({ topic: "t" })).rejects.toThrow(/needs a consumer with a groupId/);
    expect(() => env.client.consumer({ autoCommit: false })).toThrow(/needs a groupId/);
    expect(() => env.client.consumer({ groupId: "" })).toThrow(TypeError);
    expect(() => env.client.consumer({ groupId: "g", sessionTimeoutMs: 0 })).toThrow(RangeError);
    const c = consumer(env.client, { groupId: "mixed" });
    await expect(c.subscribe({ topics: [] })).rejects.toThrow(/at least one topic/);
    await topic("mixed");
    await c.subscribe({ topic: "mixed" });
    await expect(c.assign([{ topic: "mixed", partition: 0 }])).rejects.toThrow(/not both/);
    const bad = consumer(env.client, { groupId: "bad", sessionTimeoutMs: 999 });
    await expect(bad.subscribe({ topic: "mixed" })).rejects.toMatchObject({ code: "INVALID_SESSION_TIMEOUT" });
  });
});

/** The next `count` records of an iteration; fails instead of hanging. */
async function take(c: ReturnType<typeof consumer>, count: number): Promise<ConsumedRecord[]> {
  const records: ConsumedRecord[] = [];
  const timer = setTimeout(() => void c.stop(), 10_000);
  try {
    for await (const record of c) {
      records.push(record);
      if (records.length === count) break;
    }
  } finally {
    clearTimeout(timer);
  }
  if (records.length < count) throw new Error(`Got ${records.length} of ${count} records`);
  return records;
}
