import { afterEach, describe, expect, it } from "vitest";
import { startBroker, settle, until, type Harness, type TestClient } from "./broker-harness.ts";
import { GROUP_BROKER, Member, produceEach, SESSION_TIMEOUT_MS, stabilize } from "./groups-harness.ts";

let h: Harness | undefined;
afterEach(async () => {
  await h?.broker.close();
  h = undefined;
});

async function setup(overrides: Record<string, string> = {}, partitions = 2): Promise<TestClient> {
  h = await startBroker({ ...GROUP_BROKER, ...overrides });
  const admin = await h.connect();
  await admin.request({ op: "createTopics", topics: [{ topic: "t", numPartitions: partitions }] });
  return admin;
}

async function member(groupId = "g"): Promise<Member> {
  return new Member(await h!.connect(), groupId, ["t"]);
}

type Described = { groupId: string; state: string; assignor: string; members: Record<string, unknown>[]; error?: { code: string } };

async function describe1(admin: TestClient, groupId = "g"): Promise<Described> {
  const reply = await admin.request({ op: "describeGroups", groupIds: [groupId] });
  return (reply["groups"] as Described[])[0]!;
}

describe("describeGroups and listGroups", () => {
  it("hello announces the groups feature and the group ops", async () => {
    h = await startBroker(GROUP_BROKER);
    const reply = await h.client().request({ op: "hello", versions: [1] });
    expect(reply["features"]).toContain("groups");
    expect(reply["ops"]).toEqual(expect.arrayContaining(["groupHeartbeat", "groupSubscribe", "offsetCommit", "offsetFetch", "listGroups", "describeGroups", "describeLag", "deleteGroups", "resetOffsets"]));
  });

  it("a group goes through PreparingRebalance (initial delay), Stable, CompletingRebalance and Empty; an unknown one is Dead", async () => {
    const admin = await setup({ "group.initial.rebalance.delay.ms": "3000" });
    expect(await describe1(admin, "nope")).toMatchObject({ groupId: "nope", state: "Dead", members: [], error: { code: "GROUP_ID_NOT_FOUND" } });
    const a = await member();
    await a.heartbeat();
    expect((await describe1(admin)).state).toBe("PreparingRebalance");
    expect(a.assignment).toEqual([]);
    h!.clock.advance(3000);
    // The end of the initial delay assigns the partitions, pushed without waiting for a heartbeat.
    await until(() => a.assignmentPushes.length > 0, "the assignment pushed when the delay ends");
    a.sync();
    expect(a.owned).toEqual(["t-0", "t-1"]);
    await stabilize(admin, [a]);
    expect(await describe1(admin)).toMatchObject({ state: "Stable", assignor: "uniform" });
    const b = await member();
    await b.heartbeat();
    await settle(5);
    expect((await describe1(admin)).state).toBe("CompletingRebalance"); // a still owes a revocation
    await stabilize(admin, [a, b]);
    await a.leave();
    await b.leave();
    expect(await describe1(admin)).toMatchObject({ state: "Empty", members: [] });
  });

  it("members are described with member id, client id, host and assignment", async () => {
    const admin = await setup();
    const a = await member();
    await a.heartbeat({ clientId: "billing-app" });
    const described = await describe1(admin);
    expect(described.members).toEqual([
      {
        memberId: a.memberId,
        instanceId: null,
        clientId: "billing-app",
        host: "/127.0.0.1",
        memberEpoch: a.epoch,
        assignment: [{ topic: "t", partitions: [0, 1] }],
        targetAssignment: [{ topic: "t", partitions: [0, 1] }],
        subscribedTopics: ["t"],
        subscribedPattern: null,
      },
    ]);
  });

  it("listGroups lists every group, filtered by state when asked", async () => {
    const admin = await setup();
    await admin.request({ op: "offsetCommit", groupId: "idle", offsets: [{ topic: "t", partition: 0, offset: 0 }] });
    const a = await member("busy");
    await a.heartbeat();
    await stabilize(admin, [a]);
    const all = await admin.request({ op: "listGroups" });
    expect(all["groups"]).toEqual([
      { groupId: "busy", state: "Stable", protocolType: "consumer" },
      { groupId: "idle", state: "Empty", protocolType: "consumer" },
    ]);
    const empty = await admin.request({ op: "listGroups", states: ["Empty"] });
    expect((empty["groups"] as { groupId: string }[]).map((g) => g.groupId)).toEqual(["idle"]);
  });
});

describe("deleteGroups", () => {
  it("deleteGroups refuses a group with members, deletes an empty one with its offsets, and reports an unknown one", async () => {
    const admin = await setup();
    const a = await member();
    await a.heartbeat();
    await a.commit([{ topic: "t", partition: 0, offset: 1 }]);
    const refused = await admin.request({ op: "deleteGroups", groupIds: ["g", "ghost"] });
    expect(refused["groups"]).toMatchObject([
      { groupId: "g", error: { code: "NON_EMPTY_GROUP" } },
      { groupId: "ghost", error: { code: "GROUP_ID_NOT_FOUND" } },
    ]);
    await a.leave();
    const deleted = await admin.request({ op: "deleteGroups", groupIds: ["g"] });
    expect(deleted["groups"]).toEqual([{ groupId: "g" }]);
    expect(await describe1(admin)).toMatchObject({ state: "Dead" });
    const fetched = await admin.request({ op: "offsetFetch", groupId: "g" });
    expect(fetched["offsets"]).toEqual([]);
  });
});

describe("lag", () => {
  it("describeLag gives the columns of kafka-consumer-groups --describe, and /metrics exports committed offset and lag", async () => {
    const admin = await setup();
    const a = await member();
    await a.heartbeat();
    await a.subscribe("earliest");
    const idle = await member();
    await idle.heartbeat();
    await stabilize(admin, [a, idle]);
    await produceEach(admin, "t", ["1", "2", "3", "4", "5"]);
    const aPartition = Number(a.owned[0]!.slice(2));
    const idlePartition = 1 - aPartition;
    const ends = await admin.request({ op: "listOffsets", topic: "t", partitions: [{ partition: 0, timestamp: "latest" }, { partition: 1, timestamp: "latest" }] });
    const endOf = (p: number): number => (ends["partitions"] as { partition: number; offset: number }[]).find((e) => e.partition === p)!.offset;
    await a.commit([{ topic: "t", partition: aPartition, offset: 1 }]);

    const reply = await admin.request({ op: "describeLag", groupIds: ["g", "ghost"] });
    const [lag, ghost] = reply["groups"] as { groupId: string; state: string; rows: Record<string, unknown>[]; error?: unknown }[];
    expect(ghost).toMatchObject({ groupId: "ghost", state: "Dead", rows: [], error: { code: "GROUP_ID_NOT_FOUND" } });
    expect(lag!.state).toBe("Stable");
    const row = (p: number) => lag!.rows.find((r) => r["partition"] === p);
    expect(row(aPartition)).toEqual({
      topic: "t",
      partition: aPartition,
      currentOffset: 1,
      logEndOffset: endOf(aPartition),
      lag: endOf(aPartition) - 1,
      consumerId: a.memberId,
      host: "/127.0.0.1",
      clientId: "test",
    });
    expect(row(idlePartition)).toMatchObject({ currentOffset: null, logEndOffset: endOf(idlePartition), lag: null, consumerId: idle.memberId });

    const metrics = await (await h!.broker.app.request("/metrics")).text();
    expect(metrics).toContain(`edgelog_consumer_group_committed_offset{group="g",topic="t",partition="${aPartition}"} 1`);
    expect(metrics).toContain(`edgelog_consumer_group_lag{group="g",topic="t",partition="${aPartition}"} ${endOf(aPartition) - 1}`);
    expect(metrics).not.toContain(`edgelog_consumer_group_lag{group="g",topic="t",partition="${idlePartition}"}`);
    expect(metrics).toContain("# TYPE edgelog_consumer_group_lag gauge");
  });
});

describe("members and connections", () => {
  it("a member whose epoch moves without a new assignment hears of it by push and is not fenced", async () => {
    await setup({}, 1);
    const a = await member();
    await a.heartbeat();
    const epoch = a.epoch;
    for (const joiner of [await member(), await member()]) await joiner.heartbeat();
    await until(() => a.assignmentPushes.length >= 2, "two epoch pushes");
    a.sync();
    expect(a.epoch).toBeGreaterThan(epoch);
    expect(a.owned).toEqual(["t-0"]);
    const reply = await a.heartbeat();
    expect(reply["error"]).toBeUndefined();
  });

  it("a closed connection keeps its member until its session times out; then the others take its partitions by push", async () => {
    const admin = await setup();
    const a = await member();
    const b = await member();
    await a.heartbeat();
    await b.heartbeat();
    await stabilize(admin, [a, b]);
    a.client.handlers.onClose(1006);
    await settle(5);
    expect((await describe1(admin)).members).toHaveLength(2);
    h!.clock.advance(SESSION_TIMEOUT_MS - 1000);
    await b.heartbeat();
    expect((await describe1(admin)).members).toHaveLength(2);
    expect(b.owned).toHaveLength(1);
    const pushes = b.assignmentPushes.length;
    h!.clock.advance(1000);
    await until(() => b.assignmentPushes.length > pushes, "the push giving b the dead member's partition");
    b.sync();
    expect(b.owned).toEqual(["t-0", "t-1"]);
    expect((await describe1(admin)).members).toHaveLength(1);
  });

  it("a member still connected but silent is told by push that it left the group (memberEpoch -1), and may rejoin under its id", async () => {
    const admin = await setup();
    const a = await member();
    await a.heartbeat();
    await a.subscribe("earliest");
    h!.clock.advance(SESSION_TIMEOUT_MS);
    await until(() => a.assignmentPushes.length > 0, "the removal push");
    expect(a.assignmentPushes.at(-1)).toMatchObject({ groupId: "g", memberId: a.memberId, memberEpoch: -1, assignment: [] });
    expect(await describe1(admin)).toMatchObject({ state: "Empty" });
    // Rejoining with the same member id brings the partitions back to its group subscription.
    a.sync();
    const rejoined = await a.heartbeat();
    expect(rejoined).toMatchObject({ memberId: a.memberId, assignment: [{ topic: "t", partitions: [0, 1] }] });
    await produceEach(admin, "t", ["back"]);
    await until(() => a.values.includes("back"), "a record after the rejoin");
  });

  it("a heartbeat from another connection moves the member there and ends the group subscription left behind", async () => {
    await setup();
    const a = await member();
    await a.heartbeat();
    await a.subscribe("earliest");
    const other = await h!.connect();
    const moved = await other.request({ op: "groupHeartbeat", groupId: "g", memberId: a.memberId, memberEpoch: a.epoch, ownedPartitions: a.assignment });
    expect(moved["error"]).toBeUndefined();
    await until(() => a.errors.length === 1, "the error push on the old connection");
    expect(a.errors[0]).toMatchObject({ sub: a.sub, error: { code: "UNKNOWN_MEMBER_ID" } });
    expect(a.errors[0]!["topic"]).toBeUndefined();
    const subscribed = await other.request({ op: "groupSubscribe", groupId: "g", memberId: a.memberId, credit: { records: 10, bytes: 1 << 20 } });
    expect(subscribed["error"]).toBeUndefined();
  });
});
