import { afterEach, describe, expect, it } from "vitest";
import { TestCluster } from "./harness.ts";

let cluster: TestCluster | undefined;
afterEach(async () => {
  await cluster?.shutdown();
  cluster = undefined;
});

/** Pauses a follower's link and flushes its fetch already in flight with one replicated batch. */
async function cutOff(c: TestCluster, followers: number[], leader: number): Promise<void> {
  for (const id of followers) c.pause(id, leader);
  await c.produce(["in-flight"], 1);
  await c.settle();
}

describe("leader change", () => {
  it("an old leader truncates its unreplicated records by leader epoch and then matches the new leader byte for byte", async () => {
    cluster = await TestCluster.create({ brokers: [1, 2, 3] });
    await cluster.produce(["a", "b"], 1);
    await cluster.settle();
    await cutOff(cluster, [2, 3], 1);
    await cluster.produce(["lost-1", "lost-2"], 1);
    await cluster.produce(["lost-3"], 1);
    await cluster.settle();
    expect((await cluster.log(1)).logEndOffset).toBe(6);
    expect((await cluster.log(2)).logEndOffset).toBe(3);

    cluster.resumeAll();
    await cluster.elect(2);
    await cluster.produce(["c"], 1);
    await cluster.settle();

    const leader = await cluster.batches(2);
    expect(leader.map((b) => [b.base, b.epoch])).toEqual([
      [0, 0],
      [2, 0],
      [3, 1],
    ]);
    expect(await cluster.batches(1)).toEqual(leader);
    expect(await cluster.batches(3)).toEqual(leader);
    const values = await cluster.values(1);
    expect([...values.values()]).toEqual(["a", "b", "in-flight", "c"]);
    expect((await cluster.log(1)).leaderEpochCache.entries()).toEqual([
      { epoch: 0, startOffset: 0 },
      { epoch: 1, startOffset: 3 },
    ]);
    expect((await cluster.log(1)).highWatermark).toBe(4);
  });

  it("a follower keeps records the new leader also has, acknowledged or not (no truncation to the high watermark)", async () => {
    cluster = await TestCluster.create({ brokers: [1, 2, 3] });
    await cluster.produce(["a"], 1);
    await cluster.settle();
    // Both followers get "b", the leader does not hear of it before it steps down.
    await cutOff(cluster, [2, 3], 1);
    expect((await cluster.log(3)).logEndOffset).toBe(2);
    expect((await cluster.log(3)).highWatermark).toBe(1);
    cluster.resumeAll();
    await cluster.elect(2);
    expect(await cluster.batches(3)).toEqual(await cluster.batches(2));
    expect((await cluster.log(3)).logEndOffset).toBe(2);
    expect((await cluster.log(1)).logEndOffset).toBe(2);
  });

  it("a follower that lacks the leader's epoch truncates over several rounds (KIP-279)", async () => {
    cluster = await TestCluster.create({ brokers: [1, 2, 3] });
    await cluster.produce(["e0"], 1);
    await cluster.settle();
    await cutOff(cluster, [2, 3], 1);
    // Epoch 1: broker 1 again, and only it gets "e1".
    await cluster.elect(1);
    await cluster.produce(["e1"], 1);
    // Epoch 2: broker 3, and only it gets "e2" (broker 1 cannot reach it, so it keeps "e1").
    cluster.pause(1, 3);
    cluster.pause(2, 3);
    await cluster.elect(3);
    await cluster.produce(["e2"], 1);
    // Epoch 3: broker 1, which never heard of epoch 2.
    cluster.pause(3, 1);
    await cluster.elect(1);
    await cluster.produce(["e3"], 1);
    await cluster.settle();
    expect((await cluster.log(3)).leaderEpochCache.entries().map((e) => e.epoch)).toEqual([0, 2]);
    expect((await cluster.log(1)).leaderEpochCache.entries().map((e) => e.epoch)).toEqual([0, 1, 3]);

    const before = cluster.epochQueries.length;
    cluster.resumeAll();
    await cluster.advance(1_000);
    // Broker 3 asks about epoch 2, hears "epoch 1 ends at 3", lacks epoch 1, cuts at its epoch 2 and asks about epoch 0.
    expect(cluster.epochQueries.slice(before).filter((q) => q.from === 3)).toEqual([
      { from: 3, to: 1, leaderEpoch: 2 },
      { from: 3, to: 1, leaderEpoch: 0 },
    ]);
    const leader = await cluster.batches(1);
    expect(leader.map((b) => b.epoch)).toEqual([0, 0, 1, 3]);
    expect(await cluster.batches(3)).toEqual(leader);
    expect(await cluster.batches(2)).toEqual(leader);
    expect([...(await cluster.values(3)).values()]).toEqual(["e0", "in-flight", "e1", "e3"]);
  });

  it("a follower told NOT_LEADER_OR_FOLLOWER by a leader not yet in office asks again within edgelog.replica.fetch.leader.backoff.ms, not replica.fetch.backoff.ms", async () => {
    cluster = await TestCluster.create({ brokers: [1, 2, 3] });
    await cluster.produce(["a"], 1);
    await cluster.settle();
    // broker 3 hears of the election first and asks broker 2, which has not yet taken over
    cluster.controller.hold(2);
    cluster.controller.electLeader(cluster.topic, cluster.partition, 2);
    await cluster.settle();
    expect(cluster.manager(3).follower(cluster.topic, cluster.partition)?.lastError).toMatchObject({ code: "NOT_LEADER_OR_FOLLOWER" });
    cluster.controller.release(2);
    await cluster.settle();
    await cluster.advance(60, 10); // past the 50 ms of the first retry, far short of the 1000 ms backoff
    const { done } = await cluster.produce(["b"], "all");
    await cluster.advance(20, 10);
    await done;
    expect(await cluster.batches(3)).toEqual(await cluster.batches(2));
  });

  it("a follower whose leader is not live waits, and starts fetching once it registers", async () => {
    cluster = await TestCluster.create({ brokers: [1, 2] });
    await cluster.crash(2, "all");
    await cluster.produce(["a"], 1);
    await cluster.settle();
    await cluster.restart(2);
    await cluster.settle();
    expect(await cluster.batches(2)).toEqual(await cluster.batches(1));
    expect(cluster.controller.state("t", 0).isr).toEqual([1, 2]);
  });
});
