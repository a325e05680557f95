import { afterEach, describe, expect, it } from "vitest";
import { TestCluster } from "./harness.ts";

let cluster: TestCluster | undefined;
afterEach(async () => {
  await cluster?.shutdown();
  cluster = undefined;
});

/**
 * Two replicas, broker 1 leading; m1 is acknowledged (acks=all). Then broker 2's link pauses with
 * its long poll in flight: with `followerFetchesM2`, m2 reaches broker 2 through that poll but the
 * leader never hears of it (its high watermark stays at 1); without, a batch flushes the poll first
 * and m2 stays on broker 1 alone.
 */
async function twoReplicas(followerFetchesM2: boolean): Promise<TestCluster> {
  const c = await TestCluster.create({ brokers: [1, 2], minInsyncReplicas: 1 });
  const m1 = await c.produce(["m1"], "all");
  await c.settle();
  await m1.done;
  c.pause(2, 1);
  if (!followerFetchesM2) {
    await c.produce(["flush"], 1);
    await c.settle();
  }
  await c.produce(["m2"], 1);
  await c.settle();
  return c;
}

/** Both brokers stop at once (process crash: written data survives), the ISR still {1, 2}. */
async function bothCrash(c: TestCluster): Promise<void> {
  await c.crash(2, "all");
  await c.crash(1, "all");
}

/** Restarts `first`, elects it (it was in the ISR when both went down), then restarts `second`. */
async function restartInOrder(c: TestCluster, first: number, second: number): Promise<void> {
  c.resumeAll();
  await c.restart(first);
  c.controller.forceLeader("t", 0, first, [first]);
  await c.settle();
  await c.produce([`m3-from-${first}`], 1);
  await c.restart(second);
  await c.advance(2_000);
}

async function expectConverged(c: TestCluster): Promise<void> {
  const one = await c.batches(1);
  expect(await c.batches(2)).toEqual(one);
  expect((await c.values(1)).get(0)).toBe("m1");
  expect(c.controller.state("t", 0).isr.sort()).toEqual([1, 2]);
}

describe("KIP-101 scenarios", () => {
  it("an acknowledged m2 survives a follower restart followed by the leader's death (no truncation to the high watermark)", async () => {
    cluster = await TestCluster.create({ brokers: [1, 2], minInsyncReplicas: 2 });
    for (const value of ["m1", "m2"]) {
      const produced = await cluster.produce([value], "all");
      await cluster.settle();
      await produced.done;
    }
    // Broker 2 restarts (its high watermark starts over below m2) and gets no fetch through before broker 1 dies.
    cluster.pauseFetches(2, 1);
    await cluster.bounce(2);
    expect((await cluster.log(2)).highWatermark).toBeLessThan(2);
    await cluster.crash(1, "all");
    expect(cluster.leaderId).toBe(2);
    expect([...(await cluster.values(2)).values()]).toEqual(["m1", "m2"]);
    cluster.resumeAll();
    await cluster.restart(1);
    await cluster.advance(2_000);
    await expectConverged(cluster);
  });

  it("the follower had fetched m2 but not yet the high watermark covering it; the leader dies: m2 stays at its offset", async () => {
    cluster = await twoReplicas(true);
    expect((await cluster.log(2)).logEndOffset).toBe(2);
    expect((await cluster.log(2)).highWatermark).toBe(1);
    expect((await cluster.log(1)).highWatermark).toBe(1);
    await cluster.crash(1, "all");
    expect(cluster.leaderId).toBe(2);
    expect((await cluster.log(2)).highWatermark).toBe(2);
    await cluster.produce(["m3"], 1);
    cluster.resumeAll();
    await cluster.restart(1);
    await cluster.advance(2_000);
    await expectConverged(cluster);
    expect([...(await cluster.values(1)).values()]).toEqual(["m1", "m2", "m3"]);
  });

  for (const [first, second] of [
    [2, 1],
    [1, 2],
  ] as const) {
    it(`both replicas fail after m2 reached the follower; restarting ${first} then ${second} keeps m2 at offset 1 on both`, async () => {
      cluster = await twoReplicas(true);
      await bothCrash(cluster);
      await restartInOrder(cluster, first, second);
      await expectConverged(cluster);
      expect([...(await cluster.values(second)).values()]).toEqual(["m1", "m2", `m3-from-${first}`]);
    });
  }

  it("both replicas fail with m2 only on the leader; the follower comes back first and leads: the old leader drops m2 (replica divergence)", async () => {
    cluster = await twoReplicas(false);
    expect((await cluster.log(1)).logEndOffset).toBe(3);
    expect((await cluster.log(2)).logEndOffset).toBe(2);
    await bothCrash(cluster);
    await restartInOrder(cluster, 2, 1);
    await expectConverged(cluster);
    expect([...(await cluster.values(1)).values()]).toEqual(["m1", "flush", "m3-from-2"]);
  });

  it("both replicas fail with m2 only on the leader; the old leader comes back first and leads: the follower gets m2", async () => {
    cluster = await twoReplicas(false);
    await bothCrash(cluster);
    await restartInOrder(cluster, 1, 2);
    await expectConverged(cluster);
    expect([...(await cluster.values(2)).values()]).toEqual(["m1", "flush", "m2", "m3-from-1"]);
  });
});
