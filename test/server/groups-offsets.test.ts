import { afterEach, describe, expect, it } from "vitest";
import { CONSUMER_OFFSETS_TOPIC } from "../../src/core/topic/topic-name.ts";
import { startBroker, settle, until, type Harness, type TestClient } from "./broker-harness.ts";
import { GROUP_BROKER, Member, produceEach, stabilize } from "./groups-harness.ts";

let h: Harness | undefined;
afterEach(async () => {
  await h?.broker.close();
  h = undefined;
});

async function setup(partitions = 2): Promise<TestClient> {
  h = await startBroker(GROUP_BROKER);
  const admin = await h.connect();
  await admin.request({ op: "createTopics", topics: [{ topic: "t", numPartitions: partitions }] });
  return admin;
}

async function member(groupId = "g"): Promise<Member> {
  return new Member(await h!.connect(), groupId, ["t"]);
}

type Fetched = { topic: string; partition: number; offset: number; metadata: string; leaderEpoch: number; commitTimestamp: number };

describe("offsetCommit and offsetFetch", () => {
  it("a member's commit is read back by offsetFetch; partitions without one answer -1", async () => {
    const admin = await setup();
    const m = await member();
    await m.heartbeat();
    const committed = await m.commit([{ topic: "t", partition: 0, offset: 7 }]);
    expect(committed).toMatchObject({ groupId: "g", offsets: [{ topic: "t", partition: 0, offset: 7 }] });
    const fetched = await admin.request({ op: "offsetFetch", groupId: "g", topics: [{ topic: "t" }] });
    expect((fetched["offsets"] as Fetched[]).map((o) => [o.partition, o.offset])).toEqual([
      [0, 7],
      [1, -1],
    ]);
    expect((fetched["offsets"] as Fetched[])[0]!.commitTimestamp).toBe(h!.clock.now());
  });

  it("commits are stored in a compacted __consumer_offsets topic created on the first commit", async () => {
    const admin = await setup();
    const before = await admin.request({ op: "metadata" });
    expect((before["topics"] as { topic: string }[]).map((t) => t.topic)).toEqual(["t"]);
    await admin.request({ op: "offsetCommit", groupId: "g", offsets: [{ topic: "t", partition: 1, offset: 3, metadata: "m" }] });
    const after = await admin.request({ op: "metadata", topics: [CONSUMER_OFFSETS_TOPIC] });
    const [topic] = after["topics"] as { internal: boolean; partitions: unknown[] }[];
    expect(topic).toMatchObject({ internal: true });
    expect(topic!.partitions).toHaveLength(3); // offsets.topic.num.partitions
    const configs = await admin.request({ op: "describeConfigs", resources: [{ type: "topic", name: CONSUMER_OFFSETS_TOPIC, keys: ["cleanup.policy"] }] });
    expect((configs["resources"] as { configs: { value: string }[] }[])[0]!.configs[0]!.value).toBe("compact");
  });

  it("commits survive a broker restart", async () => {
    await setup();
    const m = await member();
    await m.heartbeat();
    await m.commit([
      { topic: "t", partition: 0, offset: 11 },
      { topic: "t", partition: 1, offset: 4 },
    ]);
    const fs = h!.fs;
    await h!.broker.close();
    h = await startBroker(GROUP_BROKER, fs);
    const again = await h.connect();
    const fetched = await again.request({ op: "offsetFetch", groupId: "g" });
    expect((fetched["offsets"] as Fetched[]).map((o) => [o.partition, o.offset])).toEqual([
      [0, 11],
      [1, 4],
    ]);
    const listed = await again.request({ op: "listGroups" });
    expect(listed["groups"]).toEqual([{ groupId: "g", state: "Empty", protocolType: "consumer" }]);
  });

  it("a commit with a stale or future member epoch is rejected with FENCED_MEMBER_EPOCH and writes nothing", async () => {
    const admin = await setup();
    const m = await member();
    await m.heartbeat();
    const fenced = await m.client.request({ op: "offsetCommit", groupId: "g", memberId: m.memberId, memberEpoch: m.epoch + 1, offsets: [{ topic: "t", partition: 0, offset: 5 }] });
    expect(fenced["error"]).toMatchObject({ code: "FENCED_MEMBER_EPOCH" });
    const fetched = await admin.request({ op: "offsetFetch", groupId: "g", topics: [{ topic: "t", partitions: [0] }] });
    expect((fetched["offsets"] as Fetched[])[0]!.offset).toBe(-1);
  });

  it("a commit without a member id is refused while the group has members, and accepted once it is empty", async () => {
    const admin = await setup();
    const m = await member();
    await m.heartbeat();
    const refused = await admin.request({ op: "offsetCommit", groupId: "g", offsets: [{ topic: "t", partition: 0, offset: 1 }] });
    expect(refused["error"]).toMatchObject({ code: "UNKNOWN_MEMBER_ID" });
    await m.leave();
    const accepted = await admin.request({ op: "offsetCommit", groupId: "g", offsets: [{ topic: "t", partition: 0, offset: 1 }] });
    expect(accepted["error"]).toBeUndefined();
  });

  it("a commit naming a partition that does not exist fails as a whole", async () => {
    const admin = await setup();
    const reply = await admin.request({ op: "offsetCommit", groupId: "g", offsets: [{ topic: "t", partition: 0, offset: 1 }, { topic: "t", partition: 9, offset: 1 }] });
    expect(reply["error"]).toMatchObject({ code: "UNKNOWN_TOPIC_OR_PARTITION" });
    const fetched = await admin.request({ op: "offsetFetch", groupId: "g" });
    expect(fetched["offsets"]).toEqual([]);
  });
});

describe("where a group subscription starts", () => {
  it("a partition starts at the group's committed offset", async () => {
    const admin = await setup(1);
    await produceEach(admin, "t", ["r0", "r1", "r2", "r3"]);
    await admin.request({ op: "offsetCommit", groupId: "g", offsets: [{ topic: "t", partition: 0, offset: 2 }] });
    const m = await member();
    await m.heartbeat();
    await m.subscribe("earliest");
    await until(() => m.values.length === 2, "the records after the commit");
    expect(m.received.map((r) => r.offset)).toEqual([2, 3]);
  });

  it("autoOffsetReset latest starts a partition without a commit at the high watermark", async () => {
    const admin = await setup(1);
    await produceEach(admin, "t", ["old"]);
    const m = await member();
    await m.heartbeat();
    await m.subscribe("latest");
    await settle(10);
    await produceEach(admin, "t", ["new"]);
    await until(() => m.values.length === 1, "the new record");
    expect(m.values).toEqual(["new"]);
  });

  it("autoOffsetReset none without a commit pushes an error naming the partition, and the other partitions go on", async () => {
    const admin = await setup(2);
    await admin.request({ op: "offsetCommit", groupId: "g", offsets: [{ topic: "t", partition: 1, offset: 0 }] });
    await admin.request({ op: "produce", acks: 1, topic: "t", partitions: [{ partition: 1, records: [{ value: "one" }] }] });
    const m = await member();
    await m.heartbeat();
    await m.subscribe("none");
    await until(() => m.errors.length === 1 && m.values.length === 1, "an error for t-0 and the record of t-1");
    expect(m.errors[0]).toMatchObject({
      topic: "t",
      partition: 0,
      error: { code: "OFFSET_OUT_OF_RANGE", message: "Undefined offset with no reset policy for partitions: [t-0]" },
    });
    expect(m.received).toMatchObject([{ partition: 1, value: "one" }]);
    const credit = await m.client.request({ op: "credit", sub: m.sub, records: 1 });
    expect(credit["error"]).toBeUndefined();
  });
});

describe("resetOffsets", () => {
  async function committedGroup(admin: TestClient): Promise<void> {
    await produceEach(admin, "t", ["a", "b", "c", "d", "e", "f"]);
    await admin.request({ op: "offsetCommit", groupId: "g", offsets: [{ topic: "t", partition: 0, offset: 2 }, { topic: "t", partition: 1, offset: 1 }] });
  }

  async function offsets(admin: TestClient): Promise<number[]> {
    const fetched = await admin.request({ op: "offsetFetch", groupId: "g" });
    return (fetched["offsets"] as Fetched[]).map((o) => o.offset);
  }

  it("a dry run answers the plan and changes nothing; execute commits it", async () => {
    const admin = await setup();
    await committedGroup(admin);
    const dry = await admin.request({ op: "resetOffsets", groupId: "g", topics: [{ topic: "t" }], spec: { type: "to-earliest" } });
    expect(dry).toMatchObject({
      groupId: "g",
      executed: false,
      partitions: [
        { topic: "t", partition: 0, previousOffset: 2, newOffset: 0 },
        { topic: "t", partition: 1, previousOffset: 1, newOffset: 0 },
      ],
    });
    expect(await offsets(admin)).toEqual([2, 1]);
    const done = await admin.request({ op: "resetOffsets", groupId: "g", topics: [{ topic: "t" }], spec: { type: "to-latest" }, execute: true });
    expect(done).toMatchObject({ executed: true, partitions: [{ newOffset: 3 }, { newOffset: 3 }] });
    expect(await offsets(admin)).toEqual([3, 3]);
  });

  it("to-offset past the log is clamped with Kafka's warning; shift-by moves from the committed offset", async () => {
    const admin = await setup();
    await committedGroup(admin);
    const clamped = await admin.request({ op: "resetOffsets", groupId: "g", topics: [{ topic: "t", partitions: [0] }], spec: { type: "to-offset", offset: 99 } });
    expect((clamped["partitions"] as { newOffset: number; warning: string }[])[0]).toMatchObject({
      newOffset: 3,
      warning: "New offset (99) is higher than latest offset for topic partition t-0. Value will be set to 3",
    });
    await admin.request({ op: "resetOffsets", groupId: "g", spec: { type: "shift-by", shift: -1 }, execute: true });
    expect(await offsets(admin)).toEqual([1, 0]);
  });

  it("to-datetime finds the first offset at or after the time", async () => {
    const admin = await setup(1);
    await produceEach(admin, "t", ["early"]);
    h!.clock.advance(60_000);
    const at = h!.clock.now();
    await produceEach(admin, "t", ["late"]);
    const reply = await admin.request({ op: "resetOffsets", groupId: "g", topics: [{ topic: "t" }], spec: { type: "to-datetime", timestamp: at }, execute: true });
    expect(reply).toMatchObject({ executed: true, partitions: [{ partition: 0, previousOffset: null, newOffset: 1 }] });
  });

  it("is refused while the group has members, unless forced", async () => {
    const admin = await setup();
    await committedGroup(admin);
    const m = await member();
    await m.heartbeat();
    await stabilize(admin, [m]);
    const refused = await admin.request({ op: "resetOffsets", groupId: "g", spec: { type: "to-earliest" }, execute: true });
    expect(refused["error"]).toMatchObject({ code: "NON_EMPTY_GROUP", details: { state: "Stable" } });
    expect((refused["error"] as { message: string }).message).toBe("Assignments can only be reset if the group 'g' is inactive, but the current state is Stable.");
    const forced = await admin.request({ op: "resetOffsets", groupId: "g", spec: { type: "to-earliest" }, execute: true, force: true });
    expect(forced).toMatchObject({ executed: true });
    expect(await offsets(admin)).toEqual([0, 0]);
  });
});
