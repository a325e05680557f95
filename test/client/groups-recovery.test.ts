import WebSocket from "ws";
import { describe, expect, it } from "vitest";
import type { ConsumerEvents, RetentionGap, WebSocketConstructor } from "../../src/client/index.ts";
import { brokerPerTest, delay, offsets, range, spyingWebSocket, take, until } from "./broker-fixture.ts";
import { collect, consumers, GROUP_BROKER, killableWebSocket, untilOwns } from "./groups-fixture.ts";

const env = brokerPerTest(GROUP_BROKER);
const { closers, topic } = env;
const consumer = consumers(closers);

/** Writes records `from` to `to` − 1 to a partition, one per request, values "<partition>-<i>". */
function produce(name: string, from: number, to: number, partition = 0): Promise<void> {
  return env.produceEach(name, range(from, to).map((i) => ({ value: `${partition}-${i}`, partition })));
}

describe("Consumer in a group, recovering", () => {
  it("when a member dies without leaving, the others take its partitions after its session timeout and continue from its committed offset", async () => {
    await topic("dead", 3);
    for (const p of [0, 1, 2]) await produce("dead", 0, 10, p);
    const killable = killableWebSocket();
    const options = { groupId: "dead-group", sessionTimeoutMs: 1500, autoCommit: false, maxBufferedRecords: 6 } as const;
    const victim = consumer(env.broker.client({ WebSocket: killable.WebSocket }), options);
    await victim.subscribe({ topic: "dead", fromBeginning: true });
    await untilOwns(victim, 3);
    const survivors = [0, 1].map(() => collect(consumer(env.client, options)));
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
    const c = consumer(env.broker.client({ WebSocket: spyingWebSocket(log) }), { groupId: "restart-group", autoCommitIntervalMs: 60_000, maxBufferedRecords: 5 });
    c.on("group.join", (event) => joins.push(event));
    await c.subscribe({ topic: "restart", fromBeginning: true });
    const before = await take(c, 15);
    await c.commitOffsets([{ topic: "restart", partition: 0, offset: 10 }]);
    await env.broker.stop();
    const received = log.length;
    await delay(50);
    await env.broker.restart();
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
    const c = consumer(env.broker.client({ WebSocket: Tracking }), { groupId: "drop-group", autoCommitIntervalMs: 60_000, maxBufferedRecords: 4 });
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
    const c = consumer(env.client, { groupId: "gap-group", autoOffsetReset: "earliest", maxBufferedRecords: 5, onGap: (gap) => gaps.push(gap) });
    await c.subscribe({ topic: "gap" });
    expect(offsets(await take(c, 3))).toEqual([0, 1, 2]);
    await env.deleteRecordsBefore("gap", 0, 20);
    expect(offsets(await take(c, 12))).toEqual([3, 4, ...range(20, 30)]);
    expect(gaps).toEqual([{ topic: "gap", partition: 0, requestedOffset: 5, logStartOffset: 20 }]);
  });

  it("a static member leaves with epoch -2 on disconnect: its partitions wait for it and come back to it", async () => {
    await topic("static", 2);
    const first = consumer(env.client, { groupId: "static-group", groupInstanceId: "node-1", sessionTimeoutMs: 5000 });
    await first.subscribe({ topic: "static" });
    await untilOwns(first, 2);
    const other = consumer(env.client, { groupId: "static-group" });
    await other.subscribe({ topic: "static" });
    await untilOwns(other, 1);
    await untilOwns(first, 1);
    const kept = first.assignment();
    await first.disconnect();
    await delay(300);
    expect(other.assignment()).toHaveLength(1);
    const back = consumer(env.client, { groupId: "static-group", groupInstanceId: "node-1", sessionTimeoutMs: 5000 });
    await back.subscribe({ topic: "static" });
    await untilOwns(back, 1);
    expect(back.assignment()).toEqual(kept);
  });
});

describe("Consumer in a group, given back a partition it is still releasing", () => {
  it("reads every record the partition took while its release was in progress", async () => {
    await topic("regained", 2);
    await produce("regained", 0, 5, 0);
    await produce("regained", 0, 5, 1);
    let unblock: () => void = () => {};
    const blocked = new Promise<void>((resolve) => (unblock = resolve));
    const revoking: number[] = [];
    const options = { groupId: "regained-group", autoCommit: false, assignor: "range" } as const;
    const keeper = collect(
      consumer(env.client, {
        ...options,
        onPartitionsRevoked: async (partitions) => {
          revoking.push(...partitions.map((p) => p.partition));
          await blocked;
        },
      }),
    );
    await keeper.consumer.subscribe({ topic: "regained", fromBeginning: true });
    await untilOwns(keeper.consumer, 2);
    await until(() => keeper.records.length === 10, "the first ten records");

    // A second member takes one partition away: the keeper's release of it waits in its listener.
    const visitor = consumer(env.client, options);
    await visitor.subscribe({ topic: "regained", fromBeginning: true });
    await until(() => revoking.length === 1, "a revocation in progress");
    const moving = revoking[0]!;
    // The visitor leaves before it got the partition: the group gives it back to the keeper at once,
    // while the keeper is still releasing it, and the partition takes new records meanwhile.
    await visitor.disconnect();
    await delay(300);
    await produce("regained", 5, 12, moving);
    await delay(300);
    unblock();

    const ofMoving = () => keeper.records.filter((r) => r.partition === moving).map((r) => r.offset);
    await until(() => new Set(ofMoving()).size === 12, `all 12 records of partition ${moving} (got ${JSON.stringify(ofMoving())})`, 10_000).catch(() => undefined);
    expect([...new Set(ofMoving())].sort((a, b) => a - b)).toEqual(range(0, 12));
    expect(keeper.consumer.assignment()).toHaveLength(2);
  });
});
