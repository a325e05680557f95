import WebSocket from "ws";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ConsumedRecord, ConsumerEvents, EdgelogClient, RetentionGap, WebSocketConstructor } from "../../src/client/index.ts";
import { delay, spyingWebSocket, TestBroker, until } from "./broker-fixture.ts";
import { collect, consumers, GROUP_BROKER, killableWebSocket, offsets, range, untilOwns } from "./groups-fixture.ts";

let broker: TestBroker;
let client: EdgelogClient;
const closers: (() => Promise<void>)[] = [];
const consumer = consumers(closers);

beforeEach(async () => {
  broker = await TestBroker.start(GROUP_BROKER);
  client = broker.client();
});

afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
  await broker.stop();
});

async function topic(name: string, numPartitions = 1): Promise<void> {
  const admin = client.admin();
  await admin.createTopics({ topics: [{ topic: name, numPartitions }] });
  await admin.disconnect();
}

async function produce(name: string, from: number, to: number, partition = 0): Promise<void> {
  const producer = client.producer({ acks: 1 });
  for (let i = from; i < to; i++) await producer.send({ topic: name, messages: [{ value: `${partition}-${i}`, partition }] });
  await producer.disconnect();
}

/** The next `count` records of an iteration; fails instead of hanging. */
async function take(c: ReturnType<typeof consumer>, count: number): Promise<ConsumedRecord[]> {
  const records: ConsumedRecord[] = [];
  const timer = setTimeout(() => void c.stop(), 15_000);
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

describe("Consumer in a group, recovering", () => {
  it("when a member dies without leaving, the others take its partitions after its session timeout and continue from its committed offset", async () => {
    await topic("dead", 3);
    for (const p of [0, 1, 2]) await produce("dead", 0, 10, p);
    const killable = killableWebSocket();
    const options = { groupId: "dead-group", sessionTimeoutMs: 1500, autoCommit: false, maxBufferedRecords: 6 } as const;
    const victim = consumer(broker.client({ WebSocket: killable.WebSocket }), options);
    await victim.subscribe({ topic: "dead", fromBeginning: true });
    await untilOwns(victim, 3);
    const survivors = [0, 1].map(() => collect(consumer(client, options)));
    for (const s of survivors) await s.consumer.subscribe({ topic: "dead", fromBeginning: true });
    for (const s of survivors) await untilOwns(s.consumer, 1, "a partition for each survivor");
    await untilOwns(victim, 1, "one partition left to the victim");
    const victimPartition = victim.assignment()[0]!.partition;
    const seen = await take(victim, 6);
    expect(seen.map((r) => r.partition)).toEqual(Array(6).fill(victimPartition));
    await victim.commitOffsets([{ topic: "dead", partition: victimPartition, offset: 4 }]);
    const killedAt = Date.now();
    killable.kill();

    await until(() => survivors.some((s) => s.consumer.assignment().some((tp) => tp.partition === victimPartition)), "the victim's partition moving", 10_000);
    expect(Date.now() - killedAt).toBeGreaterThanOrEqual(1000);
    const heir = survivors.find((s) => s.consumer.assignment().some((tp) => tp.partition === victimPartition))!;
    const inherited = () => heir.records.filter((r) => r.partition === victimPartition);
    await until(() => inherited().length === 6, "the rest of the victim's partition");
    expect(offsets(inherited())).toEqual(range(4, 10));
    for (const s of survivors) {
      const own = s.records.filter((r) => r.partition !== victimPartition);
      expect(offsets(own)).toEqual(range(0, 10));
    }
  });

  it("after the broker restarts, a member rejoins and resumes without loss or duplicates from its own position", async () => {
    await topic("restart");
    await produce("restart", 0, 30);
    const log: Record<string, unknown>[] = [];
    const joins: ConsumerEvents["group.join"][] = [];
    const c = consumer(broker.client({ WebSocket: spyingWebSocket(log) }), { groupId: "restart-group", autoCommitIntervalMs: 60_000, maxBufferedRecords: 5 });
    c.on("group.join", (event) => joins.push(event));
    await c.subscribe({ topic: "restart", fromBeginning: true });
    const before = await take(c, 15);
    await c.commitOffsets([{ topic: "restart", partition: 0, offset: 10 }]);
    await broker.stop();
    const received = log.length;
    await delay(50);
    await broker.restart();
    await produce("restart", 30, 40);
    const after = await take(c, 25);
    expect(offsets([...before, ...after])).toEqual(range(0, 40));
    expect(after.map((r) => r.valueString())).toEqual(range(15, 40).map((i) => `0-${i}`));
    // The broker forgot the member: it joined again, with the same member id, and the new stream
    // started at the committed offset; the consumer dropped what it had already received.
    expect(joins.map((j) => j.memberId)).toEqual([joins[0]!.memberId, joins[0]!.memberId]);
    const firstAfter = log.slice(received).find((f) => f["push"] === "records");
    expect(firstAfter?.["firstOffset"]).toBe(10);
  });

  it("after its connection drops, a member heartbeats on a new one as the same member and continues where it was", async () => {
    await topic("drop");
    await produce("drop", 0, 20);
    const sockets: WebSocket[] = [];
    const Tracking: WebSocketConstructor = class extends WebSocket {
      constructor(url: string, protocols?: string | string[]) {
        super(url, protocols);
        sockets.push(this);
      }
    };
    const joins: ConsumerEvents["group.join"][] = [];
    const c = consumer(broker.client({ WebSocket: Tracking }), { groupId: "drop-group", autoCommitIntervalMs: 60_000, maxBufferedRecords: 4 });
    c.on("group.join", (event) => joins.push(event));
    await c.subscribe({ topic: "drop", fromBeginning: true });
    const before = await take(c, 7);
    sockets[0]!.terminate();
    await until(() => sockets.length === 2 && sockets[1]!.readyState === WebSocket.OPEN, "a new connection");
    const after = await take(c, 13);
    expect(offsets([...before, ...after])).toEqual(range(0, 20));
    expect(joins).toHaveLength(1);
    expect(c.assignment()).toEqual([{ topic: "drop", partition: 0 }]);
  });

  it("reports a retention gap and, with autoOffsetReset earliest, continues at the log start", async () => {
    await topic("gap");
    await produce("gap", 0, 30);
    const gaps: RetentionGap[] = [];
    const c = consumer(client, { groupId: "gap-group", autoOffsetReset: "earliest", maxBufferedRecords: 5, onGap: (gap) => gaps.push(gap) });
    await c.subscribe({ topic: "gap" });
    expect(offsets(await take(c, 3))).toEqual([0, 1, 2]);
    const admin = client.admin();
    closers.push(() => admin.disconnect());
    await admin.deleteRecords({ topic: "gap", partitions: [{ partition: 0, offset: 20 }] });
    expect(offsets(await take(c, 12))).toEqual([3, 4, ...range(20, 30)]);
    expect(gaps).toEqual([{ topic: "gap", partition: 0, requestedOffset: 5, logStartOffset: 20 }]);
  });

  it("a static member leaves with epoch -2 on disconnect: its partitions wait for it and come back to it", async () => {
    await topic("static", 2);
    const first = consumer(client, { groupId: "static-group", groupInstanceId: "node-1", sessionTimeoutMs: 5000 });
    await first.subscribe({ topic: "static" });
    await untilOwns(first, 2);
    const other = consumer(client, { groupId: "static-group" });
    await other.subscribe({ topic: "static" });
    await untilOwns(other, 1);
    await untilOwns(first, 1);
    const kept = first.assignment();
    await first.disconnect();
    await delay(300);
    expect(other.assignment()).toHaveLength(1);
    const back = consumer(client, { groupId: "static-group", groupInstanceId: "node-1", sessionTimeoutMs: 5000 });
    await back.subscribe({ topic: "static" });
    await untilOwns(back, 1);
    expect(back.assignment()).toEqual(kept);
  });
});
