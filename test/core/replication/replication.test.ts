import { afterEach, describe, expect, it } from "vitest";
import { EdgelogError } from "../../../src/core/errors.ts";
import { TestCluster } from "./harness.ts";

let cluster: TestCluster | undefined;
afterEach(async () => {
  await cluster?.shutdown();
  cluster = undefined;
});

async function outcome(promise: Promise<void>): Promise<string> {
  try {
    await promise;
    return "ok";
  } catch (error) {
    return error instanceof EdgelogError ? error.code : String(error);
  }
}

/** Records whether a promise settled yet, without awaiting it. */
function track(promise: Promise<void>): { state: () => string } {
  let state = "pending";
  promise.then(
    () => (state = "ok"),
    (error: unknown) => (state = error instanceof EdgelogError ? error.code : String(error)),
  );
  return { state: () => state };
}

describe("replication", () => {
  it("three replicas converge on the leader's batches byte for byte", async () => {
    cluster = await TestCluster.create({ brokers: [1, 2, 3] });
    for (let i = 0; i < 5; i++) await cluster.produce([`v${i}`, `w${i}`], 1);
    await cluster.settle();
    const leader = await cluster.batches(1);
    expect(leader).toHaveLength(5);
    expect(leader.every((b) => b.epoch === 0)).toBe(true);
    for (const id of [2, 3]) {
      expect(await cluster.batches(id)).toEqual(leader);
      const log = await cluster.log(id);
      expect(log.logEndOffset).toBe(10);
      expect(log.highWatermark).toBe(10);
    }
    expect((await cluster.log(1)).highWatermark).toBe(10);
  });

  it("the high watermark is the smallest log end offset of the ISR", async () => {
    cluster = await TestCluster.create({ brokers: [1, 2, 3] });
    await cluster.produce(["a", "b"], 1);
    await cluster.settle();
    cluster.pause(3, 1);
    await cluster.produce(["c", "d", "e"], 1);
    await cluster.settle();
    const leader = await cluster.log(1);
    expect(leader.logEndOffset).toBe(5);
    expect((await cluster.log(2)).logEndOffset).toBe(5);
    // Broker 3's long poll brought it the batch, but its next fetch (which would tell the leader) waits.
    expect((await cluster.log(3)).logEndOffset).toBe(5);
    expect(cluster.manager(1).leaderState("t", 0)?.follower(2)?.logEndOffset).toBe(5);
    expect(leader.highWatermark).toBe(2);
    expect(cluster.manager(1).leaderState("t", 0)?.follower(3)?.logEndOffset).toBe(2);
    cluster.resume(3, 1);
    await cluster.settle();
    expect(leader.highWatermark).toBe(5);
    expect((await cluster.log(3)).highWatermark).toBe(5);
  });

  it("consumers read only up to the high watermark while followers fetch up to the log end", async () => {
    cluster = await TestCluster.create({ brokers: [1, 2, 3] });
    cluster.pause(3, 1);
    await cluster.produce(["a", "b"], 1);
    await cluster.settle();
    const leader = await cluster.log(1);
    expect(leader.highWatermark).toBe(0);
    expect((await leader.read(0)).bytes.length).toBe(0);
    expect((await cluster.log(2)).logEndOffset).toBe(2);
  });

  it("acks=all answers only once every ISR member has the batch", async () => {
    cluster = await TestCluster.create({ brokers: [1, 2, 3] });
    cluster.pause(3, 1);
    const { done } = await cluster.produce(["a"], "all");
    const ack = track(done);
    await cluster.settle();
    expect(ack.state()).toBe("pending");
    expect((await cluster.log(2)).logEndOffset).toBe(1);
    cluster.resume(3, 1);
    await cluster.settle();
    expect(ack.state()).toBe("ok");
  });

  it("acks=all with fewer in-sync replicas than min.insync.replicas fails with NOT_ENOUGH_REPLICAS and appends nothing", async () => {
    cluster = await TestCluster.create({ brokers: [1, 2, 3], minInsyncReplicas: 3 });
    await cluster.crash(3, "all");
    expect(cluster.manager(1).inSyncReplicas("t", 0)).toEqual([1, 2]);
    const before = (await cluster.log(1)).logEndOffset;
    await expect(cluster.produce(["a"], "all")).rejects.toMatchObject({ code: "NOT_ENOUGH_REPLICAS" });
    expect((await cluster.log(1)).logEndOffset).toBe(before);
  });

  it("acks=all fails with NOT_ENOUGH_REPLICAS_AFTER_APPEND when the ISR shrinks below min.insync.replicas while waiting", async () => {
    cluster = await TestCluster.create({ brokers: [1, 2], minInsyncReplicas: 2, replication: { replicaLagTimeMaxMs: 10_000 } });
    cluster.pause(2, 1);
    await cluster.produce(["x"], 1);
    await cluster.settle();
    const { done } = await cluster.produce(["a"], "all");
    const ack = track(done);
    await cluster.advance(9_000);
    expect(ack.state()).toBe("pending");
    await cluster.advance(7_000);
    expect(cluster.controller.state("t", 0).isr).toEqual([1]);
    expect(ack.state()).toBe("NOT_ENOUGH_REPLICAS_AFTER_APPEND");
    expect((await cluster.log(1)).highWatermark).toBe(2);
  });

  it("acks=all fails with REQUEST_TIMED_OUT when the ISR does not get the batch in time", async () => {
    cluster = await TestCluster.create({ brokers: [1, 2, 3] });
    cluster.pause(3, 1);
    const { done } = await cluster.produce(["a"], "all", 2_000);
    const ack = track(done);
    await cluster.advance(1_900);
    expect(ack.state()).toBe("pending");
    await cluster.advance(200);
    expect(ack.state()).toBe("REQUEST_TIMED_OUT");
  });

  it("acks=all fails with NOT_LEADER_OR_FOLLOWER when leadership moves while waiting", async () => {
    cluster = await TestCluster.create({ brokers: [1, 2, 3] });
    cluster.pause(3, 1);
    const { done } = await cluster.produce(["a"], "all");
    const ack = track(done);
    await cluster.settle();
    cluster.controller.electLeader("t", 0, 2);
    await cluster.settle();
    expect(ack.state()).toBe("NOT_LEADER_OR_FOLLOWER");
    expect(cluster.manager(1).isLeader("t", 0)).toBe(false);
    expect(cluster.manager(2).isLeader("t", 0)).toBe(true);
    await expect(cluster.manager(1).waitForReplicas("t", 0, 1, 1000)).rejects.toMatchObject({ code: "NOT_LEADER_OR_FOLLOWER" });
    expect(() => cluster!.manager(1).requireLeader("t", 0)).toThrow(expect.objectContaining({ code: "NOT_LEADER_OR_FOLLOWER" }));
  });

  it("a follower that lags longer than replica.lag.time.max.ms leaves the ISR and rejoins once caught up", async () => {
    cluster = await TestCluster.create({ brokers: [1, 2, 3], replication: { replicaLagTimeMaxMs: 10_000 } });
    cluster.pause(3, 1);
    await cluster.produce(["a", "b"], 1);
    await cluster.settle();
    await cluster.advance(9_000);
    expect(cluster.controller.state("t", 0).isr).toEqual([1, 2, 3]);
    expect((await cluster.log(1)).highWatermark).toBe(0);
    await cluster.advance(6_000);
    expect(cluster.controller.state("t", 0).isr).toEqual([1, 2]);
    expect(cluster.manager(1).inSyncReplicas("t", 0)).toEqual([1, 2]);
    expect((await cluster.log(1)).highWatermark).toBe(2);
    await cluster.produce(["c"], 1);
    await cluster.settle();
    expect((await cluster.log(1)).highWatermark).toBe(3);
    cluster.resume(3, 1);
    await cluster.settle();
    expect(cluster.controller.state("t", 0).isr).toEqual([1, 2, 3]);
    expect(await cluster.batches(3)).toEqual(await cluster.batches(1));
  });

  it("beginShutdown() keeps the leader's ISR: followers that stop fetching while it shuts down are not dropped", async () => {
    cluster = await TestCluster.create({ brokers: [1, 2, 3], replication: { replicaLagTimeMaxMs: 10_000 } });
    cluster.manager(1).beginShutdown();
    cluster.pause(2, 1);
    cluster.pause(3, 1);
    await cluster.produce(["a"], 1);
    await cluster.settle();
    await cluster.advance(9_000);
    await cluster.advance(21_000);
    expect(cluster.controller.state("t", 0).isr).toEqual([1, 2, 3]);
  });

  it("a follower that keeps fetching but stays behind the log end leaves the ISR", async () => {
    cluster = await TestCluster.create({ brokers: [1, 2], minInsyncReplicas: 1, replication: { replicaLagTimeMaxMs: 10_000 } });
    const leader = cluster.manager(1).leaderState("t", 0)!;
    const now = cluster.clock.monotonic();
    // Simulated fetches of broker 2 that never reach the log end.
    const progress = leader.follower(2)!;
    progress.recordFetch(0, 5, now);
    progress.recordFetch(1, 8, now + 4_000);
    progress.recordFetch(2, 11, now + 8_000);
    expect(progress.lastCaughtUpTime).toBe(now);
    expect(progress.isCaughtUp(11, now + 10_000, 10_000)).toBe(true);
    expect(progress.isCaughtUp(11, now + 10_001, 10_000)).toBe(false);
    progress.recordFetch(11, 12, now + 12_000);
    expect(progress.lastCaughtUpTime).toBe(now + 8_000);
  });

  it("ISR changes go through a compare-and-swap and are decided again after a lost race", async () => {
    cluster = await TestCluster.create({ brokers: [1, 2, 3], replication: { replicaLagTimeMaxMs: 10_000 } });
    cluster.pause(3, 1);
    await cluster.produce(["a"], 1);
    await cluster.settle();
    // The controller moves the state (another writer) just before the leader's shrink lands.
    cluster.controller.interfere = (s) => ({ ...s });
    await cluster.advance(16_000);
    expect(cluster.controller.state("t", 0).isr).toEqual([1, 2]);
    expect(cluster.controller.rejectedIsrChanges).toBe(1);
    expect(cluster.controller.isrChanges.map((c) => c.isr)).toEqual([[1, 2]]);
  });

  it("a leader with only itself in the ISR moves the high watermark with its appends", async () => {
    cluster = await TestCluster.create({ brokers: [1], minInsyncReplicas: 1 });
    const { done } = await cluster.produce(["a", "b"], "all");
    await cluster.settle();
    expect(await outcome(done)).toBe("ok");
    expect((await cluster.log(1)).highWatermark).toBe(2);
  });

  it("internal topics such as __consumer_offsets replicate like any topic", async () => {
    cluster = await TestCluster.create({ brokers: [1, 2, 3], topic: "__consumer_offsets" });
    await cluster.produce(["commit"], 1);
    await cluster.settle();
    expect(await cluster.batches(3)).toEqual(await cluster.batches(1));
    expect((await cluster.log(3)).highWatermark).toBe(1);
  });
});
