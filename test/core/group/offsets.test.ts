import { describe, expect, it } from "vitest";
import { memoryFileSystem } from "../../../src/adapters/memory/file-system.ts";
import { isEdgelogError, type ErrorCode } from "../../../src/core/errors.ts";
import { createGroupCoordinator } from "../../../src/core/group/group-coordinator.ts";
import { decodeOffsetCommitValue, decodeOffsetsKey } from "../../../src/core/group/offsets-codec.ts";
import { partitionLogOffsetsStore } from "../../../src/core/group/offsets-store.ts";
import { partitionForGroup } from "../../../src/core/group/partition-for-group.ts";
import { defaultLogConfig } from "../../../src/core/log/log-config.ts";
import { openPartitionLog, type PartitionLog } from "../../../src/core/log/partition-log.ts";
import { manualClock } from "../../../src/core/ports/clock.ts";
import { decodeRecordBatchSync } from "../../../src/core/record/record-batch.ts";
import { CONSUMER_OFFSETS_TOPIC } from "../../../src/core/topic/topic-name.ts";
import { startCoordinator, topicsView } from "./helpers.ts";

async function codeOf(f: () => Promise<unknown> | unknown): Promise<ErrorCode | undefined> {
  try {
    await f();
  } catch (e) {
    if (isEdgelogError(e)) return e.code;
    throw e;
  }
  return undefined;
}

const DAY = 86_400_000;

describe("committed offsets", () => {
  it("commitOffsets() stores offsets with metadata that fetchOffsets() returns; -1 means none", async () => {
    const env = await startCoordinator({ topics: { t: 3 } });
    const a = env.member("g", "a", ["t"]);
    a.join();
    await env.coordinator.commitOffsets({ groupId: "g", memberId: a.memberId!, memberEpoch: a.epoch, offsets: [{ topic: "t", partition: 1, offset: 42, metadata: "m-1", leaderEpoch: 3 }] });
    expect(env.coordinator.fetchOffsets("g", [{ topic: "t", partitions: [0, 1] }])).toEqual([
      { topic: "t", partition: 0, offset: -1, leaderEpoch: -1, metadata: "", commitTimestamp: -1 },
      { topic: "t", partition: 1, offset: 42, leaderEpoch: 3, metadata: "m-1", commitTimestamp: env.clock.now() },
    ]);
    expect(env.coordinator.fetchOffsets("g").map((o) => [o.topic, o.partition, o.offset])).toEqual([["t", 1, 42]]);
    expect(env.coordinator.fetchOffsets("unknown", [{ topic: "t", partitions: [0] }])[0]!.offset).toBe(-1);
  });

  it("writes commits to the group's __consumer_offsets partition in Kafka's record formats", async () => {
    const env = await startCoordinator({ topics: { t: 3 }, config: { offsetsTopicPartitions: 50 } });
    await env.coordinator.commitOffsets({ groupId: "test-consumer-group", offsets: [{ topic: "t", partition: 0, offset: 7 }, { topic: "t", partition: 2, offset: 9 }] });
    const partition = partitionForGroup("test-consumer-group", 50);
    expect(env.coordinator.partitionFor("test-consumer-group")).toBe(17);
    const [batch] = env.store.appended(partition);
    const records = decodeRecordBatchSync(batch!).records;
    expect(records).toHaveLength(2); // one batch per commit: all or nothing
    expect(records[0]!.key![1]).toBe(1); // OffsetCommitKey version 1
    expect(records[0]!.value![1]).toBe(3); // OffsetCommitValue version 3
    expect(decodeOffsetsKey(records[1]!.key!)).toEqual({ type: "offsetCommit", group: "test-consumer-group", topic: "t", partition: 2 });
    expect(decodeOffsetCommitValue(records[1]!.value!)).toMatchObject({ offset: 9, metadata: "" });
  });

  it("commits survive a restart: a new coordinator over the same store loads them", async () => {
    const env = await startCoordinator({ topics: { t: 3 } });
    const a = env.member("g", "a", ["t"]);
    a.join();
    await env.coordinator.commitOffsets({ groupId: "g", memberId: a.memberId!, memberEpoch: a.epoch, offsets: [{ topic: "t", partition: 0, offset: 5 }] });
    await env.coordinator.commitOffsets({ groupId: "g", memberId: a.memberId!, memberEpoch: a.epoch, offsets: [{ topic: "t", partition: 0, offset: 8, metadata: "later" }] });
    await env.coordinator.commitOffsets({ groupId: "h", offsets: [{ topic: "t", partition: 2, offset: 1 }] });
    expect(await env.coordinator.deleteGroups(["h"])).toEqual([{ groupId: "h" }]);
    await env.coordinator.close();
    const after = await env.restart();
    expect(after.coordinator.fetchOffsets("g").map((o) => [o.partition, o.offset, o.metadata])).toEqual([[0, 8, "later"]]);
    expect(after.coordinator.listGroups()).toEqual([{ groupId: "g", state: "Empty", protocolType: "consumer" }]); // h's tombstones held
    // Members are not restored: the old member rejoins.
    const heartbeat = { groupId: "g", memberId: a.memberId!, memberEpoch: a.epoch, clientId: "a", host: "h" };
    expect(await codeOf(() => after.coordinator.heartbeat(heartbeat))).toBe("UNKNOWN_MEMBER_ID");
  });

  it("rejects a commit from a fenced member (old epoch) with FENCED_MEMBER_EPOCH, a classic generation with ILLEGAL_GENERATION", async () => {
    const env = await startCoordinator({ topics: { t: 2 } });
    const a = env.member("g", "a", ["t"]);
    a.join();
    const old = a.epoch;
    const b = env.member("g", "b", ["t"]);
    b.join();
    for (let i = 0; i < 3; i++) {
      a.beat();
      b.beat();
    }
    expect(a.epoch).toBeGreaterThan(old);
    const commit = { groupId: "g", memberId: a.memberId!, offsets: [{ topic: "t", partition: 0, offset: 1 }] };
    expect(await codeOf(() => env.coordinator.commitOffsets({ ...commit, memberEpoch: old }))).toBe("FENCED_MEMBER_EPOCH");
    expect(await codeOf(() => env.coordinator.commitOffsets({ ...commit, generationId: old }))).toBe("ILLEGAL_GENERATION");
    expect(await codeOf(() => env.coordinator.fetchOffsets("g", undefined, { memberId: a.memberId!, memberEpoch: old }))).toBe("FENCED_MEMBER_EPOCH");
    expect(await codeOf(() => env.coordinator.commitOffsets({ ...commit, memberEpoch: a.epoch }))).toBeUndefined();
    expect(await codeOf(() => env.coordinator.commitOffsets({ ...commit, generationId: a.epoch }))).toBeUndefined();
    expect(env.coordinator.fetchOffsets("g", undefined, { memberId: a.memberId!, memberEpoch: a.epoch })[0]!.offset).toBe(1);
  });

  it("rejects commits of unknown members, and member-less commits while the group has members", async () => {
    const env = await startCoordinator({ topics: { t: 1 } });
    const offsets = [{ topic: "t", partition: 0, offset: 1 }];
    expect(await codeOf(() => env.coordinator.commitOffsets({ groupId: "g", memberId: "ghost", memberEpoch: 1, offsets }))).toBe("UNKNOWN_MEMBER_ID");
    expect(await codeOf(() => env.coordinator.fetchOffsets("g", undefined, { memberId: "ghost", memberEpoch: 1 }))).toBe("UNKNOWN_MEMBER_ID");
    expect(await codeOf(() => env.coordinator.commitOffsets({ groupId: "g", offsets }))).toBeUndefined(); // empty group: fine
    env.member("g", "a", ["t"]).join();
    expect(await codeOf(() => env.coordinator.commitOffsets({ groupId: "g", offsets }))).toBe("UNKNOWN_MEMBER_ID");
  });

  it("rejects bad offsets as a whole and writes nothing", async () => {
    const env = await startCoordinator({ topics: { t: 2 }, config: { offsetMetadataMaxBytes: 8 } });
    const ok = { topic: "t", partition: 0, offset: 1 };
    const cases: Array<[unknown, ErrorCode]> = [
      [{ topic: "t", partition: 0, offset: -1 }, "INVALID_REQUEST"],
      [{ topic: "t", partition: 2, offset: 1 }, "UNKNOWN_TOPIC_OR_PARTITION"],
      [{ topic: "nope", partition: 0, offset: 1 }, "UNKNOWN_TOPIC_OR_PARTITION"],
      [{ topic: "t", partition: 0, offset: 1, metadata: "123456789" }, "OFFSET_METADATA_TOO_LARGE"],
      [{ topic: "t", partition: 0.5, offset: 1 }, "INVALID_REQUEST"],
      [null, "INVALID_REQUEST"],
    ];
    for (const [bad, code] of cases) {
      expect(await codeOf(() => env.coordinator.commitOffsets({ groupId: "g", offsets: [ok, bad as typeof ok] }))).toBe(code);
    }
    expect(await codeOf(() => env.coordinator.commitOffsets({ groupId: "", offsets: [ok] }))).toBe("INVALID_GROUP_ID");
    expect(env.store.appended(env.coordinator.partitionFor("g"))).toEqual([]);
    expect(env.coordinator.fetchOffsets("g")).toEqual([]);
  });

  it("a commit the store rejects changes nothing", async () => {
    const env = await startCoordinator({ topics: { t: 1 } });
    await env.coordinator.commitOffsets({ groupId: "g", offsets: [{ topic: "t", partition: 0, offset: 1 }] });
    env.store.failAppends(new Error("disk full"));
    expect(await codeOf(() => env.coordinator.commitOffsets({ groupId: "g", offsets: [{ topic: "t", partition: 0, offset: 2 }] }))).toBe("KAFKA_STORAGE_ERROR");
    expect(env.coordinator.fetchOffsets("g")[0]!.offset).toBe(1);
    env.store.failAppends(undefined);
    await env.coordinator.commitOffsets({ groupId: "g", offsets: [{ topic: "t", partition: 0, offset: 3 }] });
    expect(env.coordinator.fetchOffsets("g")[0]!.offset).toBe(3);
  });

  it("offsets of a group that has been Empty for offsets.retention.minutes expire, with tombstones", async () => {
    const retention = 7 * DAY;
    const env = await startCoordinator({ topics: { t: 1, u: 1 }, config: { offsetsRetentionMs: retention } });
    const a = env.member("g", "a", ["t"]);
    a.join();
    await env.coordinator.commitOffsets({ groupId: "g", memberId: a.memberId!, memberEpoch: a.epoch, offsets: [{ topic: "t", partition: 0, offset: 4 }] });
    // Stable groups keep the offsets of topics they subscribe to, however old.
    env.clock.set(env.clock.now() + 2 * retention);
    expect(await env.coordinator.expireOffsets()).toBe(0);
    env.coordinator.leave({ groupId: "g", memberId: a.memberId! });
    const emptySince = env.clock.now();
    env.clock.set(emptySince + retention - 1);
    expect(await env.coordinator.expireOffsets()).toBe(0);
    env.clock.set(emptySince + retention);
    expect(await env.coordinator.expireOffsets()).toBe(1);
    expect(env.coordinator.fetchOffsets("g")).toEqual([]);
    expect(env.coordinator.describeGroups(["g"])[0]!.state).toBe("Dead");
    const restarted = await env.restart();
    expect(restarted.coordinator.fetchOffsets("g")).toEqual([]);
  });

  it("a group with members loses the offsets of topics it no longer subscribes to after the retention", async () => {
    const env = await startCoordinator({ topics: { t: 1, u: 1 }, config: { offsetsRetentionMs: DAY } });
    const a = env.member("g", "a", ["t"]);
    a.join();
    await env.coordinator.commitOffsets({ groupId: "g", memberId: a.memberId!, memberEpoch: a.epoch, offsets: [{ topic: "t", partition: 0, offset: 1 }, { topic: "u", partition: 0, offset: 2 }] });
    env.clock.set(env.clock.now() + DAY);
    expect(await env.coordinator.expireOffsets()).toBe(1);
    expect(env.coordinator.fetchOffsets("g").map((o) => o.topic)).toEqual(["t"]);
  });

  it("expiry runs by itself every offsets.retention.check.interval.ms", async () => {
    const env = await startCoordinator({ topics: { t: 1 }, config: { offsetsRetentionMs: 60_000, offsetsRetentionCheckIntervalMs: 10_000 } });
    await env.coordinator.commitOffsets({ groupId: "g", offsets: [{ topic: "t", partition: 0, offset: 1 }] });
    env.clock.advance(50_000);
    await new Promise((r) => setTimeout(r, 5));
    expect(env.coordinator.fetchOffsets("g")).toHaveLength(1);
    env.clock.advance(10_000);
    await new Promise((r) => setTimeout(r, 5));
    expect(env.coordinator.fetchOffsets("g")).toEqual([]);
  });
});

describe("partitionLogOffsetsStore()", () => {
  it("keeps offsets in __consumer_offsets partition logs across a restart", async () => {
    const fs = memoryFileSystem();
    const clock = manualClock(1_700_000_000_000);
    const config = { ...defaultLogConfig, cleanupPolicy: ["compact" as const] };
    const open = (partition: number) =>
      openPartitionLog({ fs, clock, dir: `data/${CONSUMER_OFFSETS_TOPIC}-${partition}`, topic: CONSUMER_OFFSETS_TOPIC, partition, config });
    const start = async (logs: PartitionLog[]) => {
      const coordinator = createGroupCoordinator({
        clock,
        offsetsLog: partitionLogOffsetsStore((p) => logs[p]!, { readChunkBytes: 100 }),
        topics: topicsView({ t: 3 }),
        config: { offsetsTopicPartitions: 2, initialRebalanceDelayMs: 0 },
      });
      await coordinator.load();
      return coordinator;
    };
    const logs = await Promise.all([open(0), open(1)]);
    const first = await start(logs);
    for (let i = 0; i < 5; i++) {
      await first.commitOffsets({ groupId: "g", offsets: [{ topic: "t", partition: i % 3, offset: 10 + i }] });
      await first.commitOffsets({ groupId: "other-group", offsets: [{ topic: "t", partition: 0, offset: i }] });
    }
    expect(await first.deleteGroups(["other-group"])).toEqual([{ groupId: "other-group" }]);
    await first.close();
    expect(logs[first.partitionFor("g")]!.logEndOffset).toBe(5);
    await Promise.all(logs.map((l) => l.close()));

    const second = await start(await Promise.all([open(0), open(1)]));
    expect(second.fetchOffsets("g").map((o) => [o.partition, o.offset])).toEqual([[0, 13], [1, 14], [2, 12]]);
    expect(second.fetchOffsets("other-group")).toEqual([]);
    expect(second.listGroups().map((g) => g.groupId)).toEqual(["g"]);
  });
});
