import { describe, expect, it } from "vitest";
import { isEdgelogError } from "../../../src/core/errors.ts";
import type { LogOffsetsLookup } from "../../../src/core/group/reset-offsets.ts";
import { startCoordinator } from "./helpers.ts";

/** Logs of t-0..t-2: start 2, end 20; records with timestamps 1000 + offset. */
const logOffsets: LogOffsetsLookup = {
  logStartOffset: () => 2,
  logEndOffset: async () => 20,
  offsetForTimestamp: async (_t, _p, ts) => (ts - 1000 >= 20 ? null : Math.max(2, ts - 1000)),
};

async function errorOf(f: () => Promise<unknown> | unknown): Promise<{ code: string; message: string } | undefined> {
  try {
    await f();
  } catch (e) {
    if (isEdgelogError(e)) return { code: e.code, message: e.message };
    throw e;
  }
  return undefined;
}

describe("describeGroups() and listGroups()", () => {
  it("report Empty, PreparingRebalance, CompletingRebalance, Stable and Dead", async () => {
    const env = await startCoordinator({ topics: { t: 2 }, config: { initialRebalanceDelayMs: 1000 } });
    const state = () => env.coordinator.describeGroups(["g"])[0]!.state;
    expect(state()).toBe("Dead");
    expect(env.coordinator.describeGroups(["g"])[0]!.error).toBe("GROUP_ID_NOT_FOUND");
    await env.coordinator.commitOffsets({ groupId: "g", offsets: [{ topic: "t", partition: 0, offset: 1 }] });
    expect(state()).toBe("Empty");
    const a = env.member("g", "a", ["t"], { instanceId: "inst-a" });
    a.join();
    expect(state()).toBe("PreparingRebalance");
    env.clock.advance(1000);
    a.beat();
    expect(state()).toBe("Stable");
    const b = env.member("g", "b", ["t"]);
    b.join();
    expect(state()).toBe("CompletingRebalance");
    for (let i = 0; i < 2; i++) {
      a.beat();
      b.beat();
    }
    expect(state()).toBe("Stable");
    const [d] = env.coordinator.describeGroups(["g"]);
    expect(d).toMatchObject({ groupId: "g", protocolType: "consumer", assignor: "uniform", state: "Stable" });
    expect(d!.members.find((m) => m.memberId === a.memberId)).toMatchObject({
      instanceId: "inst-a",
      clientId: "a",
      host: "/10.0.0.1",
      assignment: [{ topic: "t", partitions: [0] }],
    });
    expect(env.coordinator.listGroups({ states: ["Stable"] }).map((g) => g.groupId)).toEqual(["g"]);
    expect(env.coordinator.listGroups({ states: ["Empty"] })).toEqual([]);
  });
});

describe("deleteGroups()", () => {
  it("deletes an Empty group with its offsets and refuses groups with members or unknown ones", async () => {
    const env = await startCoordinator({ topics: { t: 1 } });
    await env.coordinator.commitOffsets({ groupId: "idle", offsets: [{ topic: "t", partition: 0, offset: 3 }] });
    env.member("busy", "a", ["t"]).join();
    const results = await env.coordinator.deleteGroups(["idle", "busy", "missing", ""]);
    expect(results.map((r) => [r.groupId, r.error])).toEqual([
      ["idle", undefined],
      ["busy", "NON_EMPTY_GROUP"],
      ["missing", "GROUP_ID_NOT_FOUND"],
      ["", "INVALID_GROUP_ID"],
    ]);
    expect(env.coordinator.describeGroups(["idle"])[0]!.state).toBe("Dead");
    expect(env.coordinator.fetchOffsets("idle")).toEqual([]);
    expect((await env.restart()).coordinator.fetchOffsets("idle")).toEqual([]);
  });
});

describe("resetOffsets()", () => {
  async function emptyGroup() {
    const env = await startCoordinator({ topics: { t: 3 } });
    await env.coordinator.commitOffsets({ groupId: "g", offsets: [{ topic: "t", partition: 0, offset: 10 }, { topic: "t", partition: 1, offset: 5 }] });
    return env;
  }
  const offsetsOf = (env: Awaited<ReturnType<typeof emptyGroup>>) => env.coordinator.fetchOffsets("g", [{ topic: "t" }]).map((o) => o.offset);

  it("plans without writing in a dry run and writes with execute", async () => {
    const env = await emptyGroup();
    const dry = await env.coordinator.resetOffsets({ groupId: "g", topics: [{ topic: "t" }], spec: { type: "to-earliest" }, logOffsets });
    expect(dry).toEqual({
      groupId: "g",
      executed: false,
      partitions: [
        { topic: "t", partition: 0, previousOffset: 10, newOffset: 2 },
        { topic: "t", partition: 1, previousOffset: 5, newOffset: 2 },
        { topic: "t", partition: 2, previousOffset: null, newOffset: 2 },
      ],
    });
    expect(offsetsOf(env)).toEqual([10, 5, -1]);
    const done = await env.coordinator.resetOffsets({ groupId: "g", topics: [{ topic: "t" }], spec: { type: "to-earliest" }, execute: true, logOffsets });
    expect(done.executed).toBe(true);
    expect(offsetsOf(env)).toEqual([2, 2, 2]);
  });

  it("supports to-latest, to-current, to-offset, shift-by, to-datetime and by-duration", async () => {
    const env = await emptyGroup();
    const plan = async (spec: Parameters<typeof env.coordinator.resetOffsets>[0]["spec"], topics = [{ topic: "t", partitions: [0, 1] }]) =>
      (await env.coordinator.resetOffsets({ groupId: "g", topics, spec, logOffsets })).partitions.map((p) => p.newOffset);
    expect(await plan({ type: "to-latest" })).toEqual([20, 20]);
    expect(await plan({ type: "to-current" }, [{ topic: "t", partitions: [0, 2] }])).toEqual([10, 20]);
    expect(await plan({ type: "to-offset", offset: 7 })).toEqual([7, 7]);
    expect(await plan({ type: "shift-by", shift: -4 })).toEqual([6, 2]); // 5 - 4 = 1 is below the log start
    expect(await plan({ type: "shift-by", shift: 100 })).toEqual([20, 20]);
    expect(await plan({ type: "to-datetime", timestamp: 1008 })).toEqual([8, 8]);
    env.clock.set(1012);
    expect(await plan({ type: "by-duration", durationMs: 2 })).toEqual([10, 10]);
    // --all-topics: every partition with a committed offset.
    expect((await env.coordinator.resetOffsets({ groupId: "g", spec: { type: "to-offset", offset: 3 }, logOffsets })).partitions.map((p) => p.partition)).toEqual([0, 1]);
  });

  it("reports Kafka's warnings when it clamps or finds no record after a time", async () => {
    const env = await emptyGroup();
    const reset = (spec: Parameters<typeof env.coordinator.resetOffsets>[0]["spec"]) =>
      env.coordinator.resetOffsets({ groupId: "g", topics: [{ topic: "t", partitions: [0] }], spec, logOffsets });
    expect((await reset({ type: "to-offset", offset: 99 })).partitions[0]!.warning).toBe(
      "New offset (99) is higher than latest offset for topic partition t-0. Value will be set to 20",
    );
    expect((await reset({ type: "to-offset", offset: 0 })).partitions[0]!.warning).toBe(
      "New offset (0) is lower than earliest offset for topic partition t-0. Value will be set to 2",
    );
    const late = (await reset({ type: "to-datetime", timestamp: 5000 })).partitions[0]!;
    expect(late.newOffset).toBe(20);
    expect(late.warning).toBe("Partition 0 from topic t is empty. Falling back to latest known offset.");
  });

  it("is refused while the group has active members, unless forced", async () => {
    const env = await emptyGroup();
    const a = env.member("g", "a", ["t"]);
    a.join();
    const request = { groupId: "g", topics: [{ topic: "t" }], spec: { type: "to-latest" as const }, execute: true, logOffsets };
    expect(await errorOf(() => env.coordinator.resetOffsets(request))).toEqual({
      code: "NON_EMPTY_GROUP",
      message: "Assignments can only be reset if the group 'g' is inactive, but the current state is Stable.",
    });
    expect(offsetsOf(env)).toEqual([10, 5, -1]);
    await env.coordinator.resetOffsets({ ...request, force: true });
    expect(offsetsOf(env)).toEqual([20, 20, 20]);
  });

  it("rejects bad requests with clear errors", async () => {
    const env = await emptyGroup();
    const base = { groupId: "g", topics: [{ topic: "t", partitions: [2] }], logOffsets };
    expect(await errorOf(() => env.coordinator.resetOffsets({ ...base, spec: { type: "shift-by", shift: 1 } }))).toEqual({
      code: "INVALID_REQUEST",
      message: "Cannot shift offset for partition t-2 since there is no current committed offset",
    });
    expect((await errorOf(() => env.coordinator.resetOffsets({ ...base, spec: { type: "to-offset", offset: -1 } })))?.code).toBe("INVALID_REQUEST");
    expect((await errorOf(() => env.coordinator.resetOffsets({ ...base, spec: { type: "rewind" } as never })))?.code).toBe("INVALID_REQUEST");
    expect((await errorOf(() => env.coordinator.resetOffsets({ ...base, topics: [{ topic: "t", partitions: [3] }], spec: { type: "to-latest" } })))?.code).toBe(
      "UNKNOWN_TOPIC_OR_PARTITION",
    );
    expect((await errorOf(() => env.coordinator.resetOffsets({ ...base, topics: [{ topic: "x" }], spec: { type: "to-latest" } })))?.code).toBe(
      "UNKNOWN_TOPIC_OR_PARTITION",
    );
  });
});

describe("describeLag()", () => {
  it("lists CURRENT-OFFSET, LOG-END-OFFSET, LAG and the owner of every partition", async () => {
    const env = await startCoordinator({ topics: { "test-topic": 1, "my-topic": 1 } });
    const c = env.member("my-consumer-group", "console-consumer", ["test-topic"]);
    c.join();
    const idle = env.member("my-consumer-group", "idle", ["test-topic"]);
    idle.join();
    c.beat();
    idle.beat();
    await env.coordinator.commitOffsets({
      groupId: "my-consumer-group",
      memberId: c.memberId!,
      memberEpoch: c.epoch,
      offsets: [{ topic: "test-topic", partition: 0, offset: 35 }, { topic: "my-topic", partition: 0, offset: 0 }],
    });
    const lag = env.coordinator.describeLag("my-consumer-group", (topic) => (topic === "test-topic" ? 35 : 0));
    expect(lag.state).toBe("Stable");
    expect(lag.rows).toEqual([
      { topic: "my-topic", partition: 0, currentOffset: 0, logEndOffset: 0, lag: 0, consumerId: null, host: null, clientId: null },
      { topic: "test-topic", partition: 0, currentOffset: 35, logEndOffset: 35, lag: 0, consumerId: c.memberId, host: "/10.0.0.16", clientId: "console-consumer" },
      { topic: null, partition: null, currentOffset: null, logEndOffset: null, lag: null, consumerId: idle.memberId, host: "/10.0.0.4", clientId: "idle" },
    ]);
    expect((await errorOf(() => env.coordinator.describeLag("nope", () => 0)))?.message).toBe("Consumer group 'nope' does not exist.");
  });

  it("shows no lag for partitions without a committed offset", async () => {
    const env = await startCoordinator({ topics: { t: 1 } });
    const c = env.member("g", "c", ["t"]);
    c.join();
    expect(env.coordinator.describeLag("g", () => 12).rows[0]).toMatchObject({ currentOffset: null, logEndOffset: 12, lag: null, consumerId: c.memberId });
  });
});
