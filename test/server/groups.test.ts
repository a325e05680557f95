import { afterEach, describe, expect, it } from "vitest";
import { startBroker, settle, until, type Harness, type TestClient } from "./broker-harness.ts";
import { GROUP_BROKER, Member, produceEach, SESSION_TIMEOUT_MS, stabilize } from "./groups-harness.ts";

let h: Harness | undefined;
afterEach(async () => {
  await h?.broker.close();
  h = undefined;
});

async function setup(partitions = 3, topic = "test-topic"): Promise<TestClient> {
  h = await startBroker(GROUP_BROKER);
  const admin = await h.connect();
  const created = await admin.request({ op: "createTopics", topics: [{ topic, numPartitions: partitions }] });
  expect((created["topics"] as { error?: unknown }[])[0]!.error).toBeUndefined();
  return admin;
}

async function member(groupId = "test-consumer-group", topics = ["test-topic"]): Promise<Member> {
  return new Member(await h!.connect(), groupId, topics);
}

describe("consumer groups: the reference demo", () => {
  it("three members of one group split a 3-partition topic; each of a..g reaches exactly one member; a fourth stays idle", async () => {
    const admin = await setup();
    const members = [await member(), await member(), await member()];
    for (const m of members) await m.heartbeat();
    await stabilize(admin, members);
    for (const m of members) await m.subscribe("earliest");
    const owned = members.map((m) => m.owned);
    expect(owned.map((o) => o.length)).toEqual([1, 1, 1]);
    expect(owned.flat().sort()).toEqual(["test-topic-0", "test-topic-1", "test-topic-2"]);

    const fourth = await member();
    await fourth.heartbeat();
    await fourth.subscribe("earliest");
    await stabilize(admin, [...members, fourth]);
    expect(fourth.assignment).toEqual([]);
    expect(members.map((m) => m.owned)).toEqual(owned);

    const values = ["a", "b", "c", "d", "e", "f", "g"];
    const partitionOf = await produceEach(admin, "test-topic", values);
    await until(() => members.reduce((n, m) => n + m.values.length, 0) === 7, "seven records delivered");
    await settle(10);

    // Round robin: consecutive messages go to consecutive partitions, as in the demo (a d g / b e / c f).
    const byPartition = new Map<number, string[]>();
    values.forEach((v, i) => byPartition.set(partitionOf[i]!, [...(byPartition.get(partitionOf[i]!) ?? []), v]));
    expect([...byPartition.values()].map((v) => v.join("")).sort()).toEqual(["adg", "be", "cf"]);
    for (const m of members) {
      const [name] = m.owned;
      const partition = Number(name!.slice("test-topic-".length));
      expect(m.values).toEqual(byPartition.get(partition));
    }
    expect(members.flatMap((m) => m.values).sort()).toEqual(values);
    expect(fourth.values).toEqual([]);
  });

  it("groupHeartbeat answers a member id, an epoch, the heartbeat interval and the assignment", async () => {
    const admin = await setup(2);
    const m = await member();
    const reply = await m.heartbeat();
    expect(reply).toMatchObject({ groupId: "test-consumer-group", heartbeatIntervalMs: 3000 });
    expect(reply["memberId"]).toMatch(/^test-/);
    expect(reply["memberEpoch"]).toBeGreaterThan(0);
    expect(reply["assignment"]).toEqual([{ topic: "test-topic", partitions: [0, 1] }]);
    const described = await admin.request({ op: "describeGroups", groupIds: ["test-consumer-group"] });
    const [group] = described["groups"] as { members: Record<string, unknown>[] }[];
    expect(group!.members[0]).toMatchObject({ memberId: m.memberId, clientId: "test", host: "/127.0.0.1" });
  });
});

describe("consumer groups: rebalancing", () => {
  it("a joining member takes partitions only after the owner acknowledges their revocation, which is pushed to the owner", async () => {
    const admin = await setup(2);
    const first = await member();
    await first.heartbeat();
    await first.subscribe("earliest");
    expect(first.owned).toEqual(["test-topic-0", "test-topic-1"]);
    const second = await member();
    await second.heartbeat();
    expect(second.assignment).toEqual([]);
    // The coordinator revoked one partition from the first member between its heartbeats: pushed.
    await until(() => first.assignmentPushes.length > 0, "an assignment push to the first member");
    first.sync();
    expect(first.owned).toHaveLength(1);
    const described = await admin.request({ op: "describeGroups", groupIds: ["test-consumer-group"] });
    expect((described["groups"] as { state: string }[])[0]!.state).toBe("CompletingRebalance");
    await first.heartbeat(); // acknowledges: it no longer lists the revoked partition
    await stabilize(admin, [first, second]);
    expect([...first.owned, ...second.owned].sort()).toEqual(["test-topic-0", "test-topic-1"]);
    expect(second.owned).toHaveLength(1);
  });

  it("no records of a revoked partition are pushed after the assignment push that revokes it", async () => {
    const admin = await setup(2);
    const first = await member();
    await first.heartbeat();
    await first.subscribe("earliest");
    const second = await member();
    await second.heartbeat();
    await until(() => first.assignmentPushes.length > 0, "the revocation push");
    first.sync();
    const revoked = [0, 1].find((p) => !first.assignment[0]!.partitions.includes(p))!;
    await admin.request({ op: "produce", acks: 1, topic: "test-topic", partitions: [{ partition: revoked, records: [{ value: "late" }] }] });
    await settle(20);
    const pushIndex = first.client.pushes.findIndex((p) => p["push"] === "assignment");
    const after = first.client.pushes.slice(pushIndex).filter((p) => p["push"] === "records" && p["partition"] === revoked);
    expect(after).toEqual([]);
  });

  it("a member killed without leaving loses its partitions within session.timeout.ms; the others continue from its committed offsets with nothing skipped", async () => {
    const admin = await setup();
    const members = [await member(), await member(), await member()];
    for (const m of members) await m.heartbeat();
    await stabilize(admin, members);
    for (const m of members) await m.subscribe("earliest");
    await produceEach(admin, "test-topic", ["m0", "m1", "m2", "m3", "m4", "m5"]);
    await until(() => members.every((m) => m.values.length === 2), "two records per member");

    const [victim, ...survivors] = members as [Member, Member, Member];
    const [victimPartition] = victim.owned;
    const partition = Number(victimPartition!.slice("test-topic-".length));
    const first = victim.received[0]!;
    // The victim commits only its first record, then dies without leaving.
    expect((await victim.commit([{ topic: "test-topic", partition, offset: first.offset + 1 }]))["error"]).toBeUndefined();
    const uncommitted = victim.received[1]!.value;
    victim.client.handlers.onClose(1006);
    await admin.request({ op: "produce", acks: 1, topic: "test-topic", partitions: [{ partition, records: [{ value: "after-death" }] }] });

    // Before the session timeout the dead member still owns its partition.
    h!.clock.advance(SESSION_TIMEOUT_MS - 2000);
    for (const m of survivors) await m.heartbeat();
    let described = await admin.request({ op: "describeGroups", groupIds: ["test-consumer-group"] });
    expect((described["groups"] as { members: unknown[] }[])[0]!.members).toHaveLength(3);

    h!.clock.advance(2000);
    await stabilize(admin, survivors);
    described = await admin.request({ op: "describeGroups", groupIds: ["test-consumer-group"] });
    expect((described["groups"] as { members: unknown[] }[])[0]!.members).toHaveLength(2);
    const heir = survivors.find((m) => m.owned.includes(victimPartition!))!;
    expect(heir).toBeDefined();
    await until(() => heir.received.filter((r) => r.partition === partition).length === 2, "the dead member's partition from its committed offset");
    expect(heir.received.filter((r) => r.partition === partition).map((r) => r.value)).toEqual([uncommitted, "after-death"]);
  });

  it("a member that leaves hands its partitions over at once, and its group subscription ends without a push", async () => {
    const admin = await setup(2);
    const a = await member();
    const b = await member();
    await a.heartbeat();
    await b.heartbeat();
    await stabilize(admin, [a, b]);
    await a.subscribe("earliest");
    const left = await a.leave();
    expect(left).toMatchObject({ memberEpoch: -1, assignment: [] });
    await stabilize(admin, [b]);
    expect(b.owned).toEqual(["test-topic-0", "test-topic-1"]);
    const credit = await a.client.request({ op: "credit", sub: a.sub, records: 1 });
    expect(credit["error"]).toMatchObject({ code: "INVALID_REQUEST" });
    expect(a.errors).toEqual([]);
  });

  it("two groups on one topic each receive every record", async () => {
    const admin = await setup(2);
    const blue = await member("blue");
    const green = await member("green");
    for (const m of [blue, green]) {
      await m.heartbeat();
      await m.subscribe("earliest");
    }
    await produceEach(admin, "test-topic", ["x", "y", "z"]);
    await until(() => blue.values.length === 3 && green.values.length === 3, "every record in both groups");
    expect(blue.values.sort()).toEqual(["x", "y", "z"]);
    expect(green.values.sort()).toEqual(["x", "y", "z"]);
  });
});

describe("consumer groups: group subscriptions", () => {
  it("groupSubscribe needs a member that heartbeats on the same connection", async () => {
    await setup(1);
    const m = await member();
    await m.heartbeat();
    const other = await h!.connect();
    const reply = await other.request({ op: "groupSubscribe", groupId: "test-consumer-group", memberId: m.memberId, credit: { records: 1, bytes: 100 } });
    expect(reply["error"]).toMatchObject({ code: "UNKNOWN_MEMBER_ID" });
    await m.subscribe();
    const twice = await m.client.request({ op: "groupSubscribe", groupId: "test-consumer-group", memberId: m.memberId, credit: { records: 1, bytes: 100 } });
    expect(twice["error"]).toMatchObject({ code: "INVALID_REQUEST" });
  });

  it("all partitions of a group subscription share one credit pool, topped up by credit", async () => {
    const admin = await setup(2);
    const m = await member();
    await m.heartbeat();
    await produceEach(admin, "test-topic", ["1", "2", "3", "4", "5", "6"]);
    await m.subscribe("earliest", { records: 3, bytes: 1 << 20 });
    await until(() => m.values.length === 3, "three records");
    await settle(20);
    expect(m.values).toHaveLength(3);
    const granted = await m.client.request({ op: "credit", sub: m.sub, records: 3 });
    expect(granted).toMatchObject({ sub: m.sub, records: 3 });
    await until(() => m.values.length === 6, "all six records");
    expect(new Set(m.received.map((r) => r.partition))).toEqual(new Set([0, 1]));
  });
});
