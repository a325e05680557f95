import { afterEach, describe, expect, it } from "vitest";
import type { ReplicaFetchRequest } from "../../../src/core/replication/replica-transport.ts";
import { TestCluster } from "./harness.ts";

let cluster: TestCluster | undefined;
afterEach(async () => {
  await cluster?.shutdown();
  cluster = undefined;
});

function fetchRequest(overrides: Partial<ReplicaFetchRequest> = {}): ReplicaFetchRequest {
  return { topic: "t", partition: 0, fetchOffset: 0, leaderEpoch: 0, lastFetchedEpoch: -1, maxBytes: 1 << 20, maxWaitMs: 0, replicaId: 2, ...overrides };
}

describe("ReplicaManager", () => {
  it("exposes the partition's replicas, ISR, leader epoch and leadership", async () => {
    cluster = await TestCluster.create({ brokers: [1, 2, 3] });
    const leader = cluster.manager(1);
    expect(leader.replicas("t", 0)).toEqual([1, 2, 3]);
    expect(leader.inSyncReplicas("t", 0)).toEqual([1, 2, 3]);
    expect(leader.leaderEpoch("t", 0)).toBe(0);
    expect(leader.isLeader("t", 0)).toBe(true);
    expect(cluster.manager(2).isLeader("t", 0)).toBe(false);
    expect(cluster.manager(2).follower("t", 0)?.leaderId).toBe(1);
    expect(leader.replicas("nope", 0)).toEqual([]);
    expect(leader.leaderEpoch("nope", 0)).toBe(-1);
    expect(() => leader.requireLeader("nope", 0)).toThrow(expect.objectContaining({ code: "UNKNOWN_TOPIC_OR_PARTITION" }));
    await cluster.elect(2);
    expect(leader.leaderEpoch("t", 0)).toBe(1);
    expect(cluster.manager(2).leaderEpoch("t", 0)).toBe(1);
  });

  it("handleReplicaFetch() fences older leader epochs and refuses newer ones", async () => {
    cluster = await TestCluster.create({ brokers: [1, 2, 3] });
    await cluster.elect(1);
    const leader = cluster.manager(1);
    await expect(leader.handleReplicaFetch(fetchRequest({ leaderEpoch: 0 }))).rejects.toMatchObject({ code: "FENCED_LEADER_EPOCH" });
    await expect(leader.handleReplicaFetch(fetchRequest({ leaderEpoch: 2 }))).rejects.toMatchObject({ code: "UNKNOWN_LEADER_EPOCH" });
    await expect(leader.handleOffsetForLeaderEpoch({ topic: "t", partition: 0, leaderEpoch: 0, currentLeaderEpoch: 0 })).rejects.toMatchObject({
      code: "FENCED_LEADER_EPOCH",
    });
    await expect(leader.handleReplicaFetch(fetchRequest({ leaderEpoch: 1 }))).resolves.toMatchObject({ logEndOffset: 0 });
  });

  it("handleReplicaFetch() on a follower answers NOT_LEADER_OR_FOLLOWER, and UNKNOWN_TOPIC_OR_PARTITION for a partition the cluster lacks", async () => {
    cluster = await TestCluster.create({ brokers: [1, 2, 3] });
    await expect(cluster.manager(2).handleReplicaFetch(fetchRequest({ replicaId: 3 }))).rejects.toMatchObject({ code: "NOT_LEADER_OR_FOLLOWER" });
    await expect(cluster.manager(2).handleReplicaFetch(fetchRequest({ leaderEpoch: 5 }))).rejects.toMatchObject({ code: "UNKNOWN_LEADER_EPOCH" });
    await expect(cluster.manager(1).handleReplicaFetch(fetchRequest({ topic: "other" }))).rejects.toMatchObject({ code: "UNKNOWN_TOPIC_OR_PARTITION" });
    await expect(cluster.manager(1).handleReplicaFetch(fetchRequest({ replicaId: 9 }))).rejects.toMatchObject({ code: "NOT_LEADER_OR_FOLLOWER" });
  });

  it("handleReplicaFetch() refuses malformed requests with INVALID_REQUEST", async () => {
    cluster = await TestCluster.create({ brokers: [1, 2] });
    const leader = cluster.manager(1);
    for (const bad of [{ fetchOffset: -1 }, { maxBytes: 1.5 }, { topic: "" }, { replicaId: Number.NaN }, { partition: -2 }]) {
      await expect(leader.handleReplicaFetch(fetchRequest(bad as Partial<ReplicaFetchRequest>))).rejects.toMatchObject({ code: "INVALID_REQUEST" });
    }
    await expect(leader.handleReplicaFetch(null as unknown as ReplicaFetchRequest)).rejects.toMatchObject({ code: "INVALID_REQUEST" });
    await expect(leader.handleOffsetForLeaderEpoch({ topic: "t", partition: 0, leaderEpoch: -3, currentLeaderEpoch: 0 })).rejects.toMatchObject({
      code: "INVALID_REQUEST",
    });
  });

  it("handleReplicaFetch() tells a follower where its log diverges instead of sending records", async () => {
    cluster = await TestCluster.create({ brokers: [1, 2, 3] });
    await cluster.produce(["a", "b"], 1);
    await cluster.settle();
    await cluster.elect(1);
    await cluster.produce(["c"], 1);
    await cluster.settle();
    const leader = cluster.manager(1);
    // Epoch 0 ends at 2 on the leader: a follower claiming epoch-0 records up to 3 diverges at 2.
    const reply = await leader.handleReplicaFetch(fetchRequest({ leaderEpoch: 1, fetchOffset: 3, lastFetchedEpoch: 0 }));
    expect(reply.divergingEpoch).toEqual({ epoch: 0, endOffset: 2 });
    expect(reply.batches.length).toBe(0);
    // An epoch the leader never had diverges where the leader's largest older epoch ends.
    const unknown = await leader.handleReplicaFetch(fetchRequest({ leaderEpoch: 1, fetchOffset: 3, lastFetchedEpoch: 5 }));
    expect(unknown.divergingEpoch).toEqual({ epoch: 1, endOffset: 3 });
    // A follower consistent with the leader gets records.
    const consistent = await leader.handleReplicaFetch(fetchRequest({ leaderEpoch: 1, fetchOffset: 2, lastFetchedEpoch: 0 }));
    expect(consistent.divergingEpoch).toBeUndefined();
    expect(consistent.batches.length).toBeGreaterThan(0);
    const answer = await leader.handleOffsetForLeaderEpoch({ topic: "t", partition: 0, leaderEpoch: 0, currentLeaderEpoch: 1 });
    expect(answer).toEqual({ leaderEpoch: 0, endOffset: 2 });
    expect(await leader.handleOffsetForLeaderEpoch({ topic: "t", partition: 0, leaderEpoch: 7, currentLeaderEpoch: 1 })).toEqual({ leaderEpoch: 1, endOffset: 3 });
  });

  it("handleReplicaFetch() answers OFFSET_OUT_OF_RANGE with the leader's log start and end", async () => {
    cluster = await TestCluster.create({ brokers: [1, 2] });
    await cluster.produce(["a"], 1);
    await cluster.settle();
    await expect(cluster.manager(1).handleReplicaFetch(fetchRequest({ fetchOffset: 5 }))).rejects.toMatchObject({
      code: "OFFSET_OUT_OF_RANGE",
      details: { logStartOffset: 0, logEndOffset: 1 },
    });
  });

  it("a follower long-polls the leader until records or a higher high watermark arrive", async () => {
    cluster = await TestCluster.create({ brokers: [1, 2] });
    const leader = cluster.manager(1);
    let answered = false;
    const poll = leader.handleReplicaFetch(fetchRequest({ maxWaitMs: 5_000, replicaId: 2 })).then((r) => {
      answered = true;
      return r;
    });
    await cluster.settle();
    expect(answered).toBe(false);
    await cluster.produce(["a"], 1);
    await cluster.settle();
    expect(answered).toBe(true);
    expect((await poll).batches.length).toBeGreaterThan(0);
  });

  it("a follower whose log is behind the leader's log start starts over from it and moves its own log start", async () => {
    cluster = await TestCluster.create({ brokers: [1, 2, 3], minInsyncReplicas: 1, replication: { replicaLagTimeMaxMs: 10_000 } });
    await cluster.produce(["a", "b"], 1);
    await cluster.settle();
    cluster.pause(3, 1);
    await cluster.produce(["in-flight"], 1);
    await cluster.settle();
    await cluster.advance(16_000);
    expect(cluster.controller.state("t", 0).isr).toEqual([1, 2]);
    for (let i = 0; i < 4; i++) await cluster.produce([`x${i}`], 1);
    await cluster.settle();
    const leaderLog = await cluster.log(1);
    expect(await leaderLog.deleteRecordsBefore(5)).toBe(5);
    cluster.resume(3, 1);
    await cluster.advance(2_000);
    for (const id of [2, 3]) {
      const log = await cluster.log(id);
      expect(log.logStartOffset).toBe(5);
      expect(log.logEndOffset).toBe(7);
      expect(await cluster.batches(id)).toEqual(await cluster.batches(1));
    }
    expect(cluster.controller.state("t", 0).isr).toEqual([1, 2, 3]);
  });

  it("waitForReplicas() ends when its signal aborts", async () => {
    cluster = await TestCluster.create({ brokers: [1, 2] });
    cluster.pause(2, 1);
    await cluster.produce(["flush"], 1);
    await cluster.settle();
    const { lastOffset } = await cluster.produce(["a"], 1);
    const abort = new AbortController();
    const wait = cluster.manager(1).waitForReplicas("t", 0, lastOffset + 1, 30_000, abort.signal);
    abort.abort();
    await expect(wait).rejects.toMatchObject({ code: "REQUEST_TIMED_OUT" });
  });

  it("close() stops every leadership and fetcher", async () => {
    cluster = await TestCluster.create({ brokers: [1, 2] });
    const leader = cluster.manager(1);
    const follower = cluster.manager(2);
    await follower.close();
    await leader.close();
    expect(leader.isLeader("t", 0)).toBe(false);
    expect(follower.follower("t", 0)).toBeUndefined();
  });
});
