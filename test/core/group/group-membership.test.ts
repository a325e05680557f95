import { describe, expect, it } from "vitest";
import { isEdgelogError, type ErrorCode } from "../../../src/core/errors.ts";
import { createGroupCoordinator } from "../../../src/core/group/group-coordinator.ts";
import { memoryOffsetsStore } from "../../../src/core/group/offsets-store.ts";
import { manualClock } from "../../../src/core/ports/clock.ts";
import { names, startCoordinator, type TestMember, topicsView } from "./helpers.ts";

function codeOf(f: () => unknown): ErrorCode | undefined {
  try {
    f();
  } catch (e) {
    if (isEdgelogError(e)) return e.code;
    throw e;
  }
  return undefined;
}

/** Heartbeats every member a few rounds, so that revocations and hand-overs complete. */
function settle(...members: TestMember[]): void {
  for (let round = 0; round < 3; round++) for (const m of members) m.beat();
}

/** Fails when two members hold the same partition. */
function expectDisjoint(...members: TestMember[]): void {
  const all = members.flatMap((m) => m.partitions);
  expect(new Set(all).size).toBe(all.length);
}

describe("group membership", () => {
  it("the reference demo: three members of one group each own one of three partitions, a fourth stays idle", async () => {
    const env = await startCoordinator({ topics: { "test-topic": 3 }, config: { initialRebalanceDelayMs: 3000 } });
    const group = "test-consumer-group";
    const [a, b, c] = ["console-consumer", "console-consumer", "console-consumer"].map((id) => env.member(group, id, ["test-topic"]));
    for (const m of [a!, b!, c!]) expect(m.join().assignment).toEqual([]);
    env.clock.advance(1000);
    for (const m of [a!, b!, c!]) expect(m.beat().assignment).toEqual([]);
    expect(env.coordinator.describeGroups([group])[0]!.state).toBe("PreparingRebalance");
    env.clock.advance(2000);
    for (const m of [a!, b!, c!]) m.beat();
    for (const m of [a!, b!, c!]) expect(m.partitions).toHaveLength(1);
    expect([...a!.partitions, ...b!.partitions, ...c!.partitions].sort()).toEqual(["test-topic-0", "test-topic-1", "test-topic-2"]);
    expect(env.coordinator.describeGroups([group])[0]!.state).toBe("Stable");
    // Joining together, each got exactly one assignment.
    expect(env.changes.map((c) => c.memberId).sort()).toEqual([a!.memberId, b!.memberId, c!.memberId].sort());

    const before = [a!.partitions, b!.partitions, c!.partitions];
    const d = env.member(group, "console-consumer", ["test-topic"]);
    d.join();
    for (let round = 0; round < 3; round++) for (const m of [a!, b!, c!, d]) m.beat();
    expect(d.partitions).toEqual([]);
    expect([a!.partitions, b!.partitions, c!.partitions]).toEqual(before);
    const described = env.coordinator.describeGroups([group])[0]!;
    expect(described.state).toBe("Stable");
    expect(described.members).toHaveLength(4);
    expect(described.members.find((m) => m.memberId === d.memberId)!.assignment).toEqual([]);
    expect(a!.memberId).toMatch(/^console-consumer-/);
  });

  it("a member that stops heartbeating loses its partitions once session.timeout.ms passes, not before", async () => {
    const env = await startCoordinator({ topics: { t: 3 }, config: { sessionTimeoutMs: 10_000, minSessionTimeoutMs: 1000 } });
    const [a, b, c] = ["a", "b", "c"].map((id) => env.member("g", id, ["t"]));
    for (const m of [a!, b!, c!]) m.join();
    settle(a!, b!, c!);
    const lost = c!.partitions;
    expect(lost).toHaveLength(1);
    // c goes silent; a and b keep heartbeating.
    for (let t = 3000; t < 10_000; t += 3000) {
      env.clock.advance(3000);
      a!.beat();
      b!.beat();
      expect([...a!.partitions, ...b!.partitions]).not.toContain(lost[0]);
      expectDisjoint(a!, b!, c!);
    }
    expect(env.coordinator.describeGroups(["g"])[0]!.members).toHaveLength(3);
    env.clock.advance(1000); // 10 s after c's last heartbeat
    expect(env.coordinator.describeGroups(["g"])[0]!.members).toHaveLength(2);
    a!.beat();
    b!.beat();
    expect([...a!.partitions, ...b!.partitions].sort()).toEqual(["t-0", "t-1", "t-2"]);
    expectDisjoint(a!, b!);
    expect(codeOf(() => c!.beat())).toBe("UNKNOWN_MEMBER_ID");
  });

  it("two groups on one topic each get all partitions", async () => {
    const env = await startCoordinator({ topics: { t: 3 } });
    const [x, y] = ["x", "y"].map((id) => env.member("g1", id, ["t"]));
    const z = env.member("g2", "z", ["t"]);
    for (const m of [x!, y!, z]) m.join();
    for (let i = 0; i < 2; i++) for (const m of [x!, y!, z]) m.beat();
    expect(z.partitions).toEqual(["t-0", "t-1", "t-2"]);
    expect([...x!.partitions, ...y!.partitions].sort()).toEqual(["t-0", "t-1", "t-2"]);
  });

  it("a partition moves only after its previous owner acknowledged releasing it", async () => {
    const env = await startCoordinator({ topics: { t: 2 } });
    const a = env.member("g", "a", ["t"]);
    a.join();
    expect(a.partitions).toEqual(["t-0", "t-1"]);
    const epochBefore = a.epoch;
    const b = env.member("g", "b", ["t"]);
    expect(b.join().assignment).toEqual([]); // t-1 is still a's
    expect(env.coordinator.describeGroups(["g"])[0]!.state).toBe("CompletingRebalance");
    a.beat(); // told to revoke; stays at its epoch
    expect(a.partitions).toHaveLength(1);
    expect(a.epoch).toBe(epochBefore);
    b.beat();
    expect(b.partitions).toEqual([]); // a has not acknowledged yet
    a.beat(); // reports owning one partition: the revocation is done
    expect(a.epoch).toBeGreaterThan(epochBefore);
    b.beat();
    expect(b.partitions).toHaveLength(1);
    expectDisjoint(a, b);
    expect(env.coordinator.describeGroups(["g"])[0]!.state).toBe("Stable");
  });

  it("a member that never releases a revoked partition is removed after its rebalance timeout", async () => {
    const env = await startCoordinator({ topics: { t: 2 }, config: { sessionTimeoutMs: 10_000, minSessionTimeoutMs: 1000 } });
    const a = env.member("g", "a", ["t"], { rebalanceTimeoutMs: 5000 });
    a.join();
    const b = env.member("g", "b", ["t"]);
    b.join();
    const stubborn = () =>
      env.coordinator.heartbeat({ groupId: "g", memberId: a.memberId!, memberEpoch: a.epoch, clientId: "a", host: "h", ownedPartitions: [{ topic: "t", partitions: [0, 1] }] });
    for (let i = 0; i < 2; i++) {
      stubborn();
      b.beat();
      expect(b.partitions).toEqual([]);
      env.clock.advance(2000);
    }
    env.clock.advance(1500);
    expect(codeOf(stubborn)).toBe("UNKNOWN_MEMBER_ID");
    b.beat();
    expect(b.partitions).toEqual(["t-0", "t-1"]);
  });

  it("leaving with epoch -1 hands the partitions to the others at once", async () => {
    const env = await startCoordinator({ topics: { t: 2 } });
    const [a, b] = ["a", "b"].map((id) => env.member("g", id, ["t"]));
    a!.join();
    b!.join();
    settle(a!, b!);
    expect(b!.partitions).toHaveLength(1);
    expect(env.coordinator.leave({ groupId: "g", memberId: a!.memberId! }).memberEpoch).toBe(-1);
    b!.beat();
    expect(b!.partitions).toEqual(["t-0", "t-1"]);
    expect(env.changes.filter((c) => c.memberId === a!.memberId).at(-1)!.assignment).toEqual([]);
  });

  it("static membership: a quick rejoin with the same instance id keeps the partitions without a group epoch bump", async () => {
    const env = await startCoordinator({ topics: { t: 4 }, config: { sessionTimeoutMs: 10_000, minSessionTimeoutMs: 1000 } });
    const a = env.member("g", "a", ["t"], { instanceId: "host-a" });
    const b = env.member("g", "b", ["t"], { instanceId: "host-b" });
    a.join();
    b.join();
    settle(a, b);
    const described = env.coordinator.describeGroups(["g"])[0]!;
    expect(described.state).toBe("Stable");
    const epoch = described.groupEpoch;
    const owned = a.partitions;
    expect(owned).toHaveLength(2);

    // The process restarts without leaving: a new member id, the same instance id.
    env.clock.advance(4000);
    const again = env.member("g", "a", ["t"], { instanceId: "host-a" });
    expect(names(again.join().assignment)).toEqual(owned);
    expect(again.memberId).not.toBe(a.memberId);
    b.beat();
    expect(env.coordinator.describeGroups(["g"])[0]!.groupEpoch).toBe(epoch);
    expect(env.coordinator.describeGroups(["g"])[0]!.state).toBe("Stable");
    expect(codeOf(() => a.beat())).toBe("FENCED_INSTANCE_ID");

    // Leaving for a moment with -2 keeps the partitions reserved; coming back gets them again.
    expect(env.coordinator.heartbeat({ groupId: "g", memberId: again.memberId!, instanceId: "host-a", memberEpoch: -2, clientId: "a", host: "h" }).memberEpoch).toBe(-2);
    b.beat();
    expect(b.partitions).toHaveLength(2);
    expect(env.coordinator.describeGroups(["g"])[0]!.state).toBe("CompletingRebalance");
    env.clock.advance(5000);
    b.beat();
    const third = env.member("g", "a", ["t"], { instanceId: "host-a" });
    expect(names(third.join().assignment)).toEqual(owned);
    expect(env.coordinator.describeGroups(["g"])[0]!.groupEpoch).toBe(epoch);
  });

  it("a static member that does not come back within its session timeout loses its partitions", async () => {
    const env = await startCoordinator({ topics: { t: 2 }, config: { sessionTimeoutMs: 10_000, minSessionTimeoutMs: 1000 } });
    const a = env.member("g", "a", ["t"], { instanceId: "host-a" });
    const b = env.member("g", "b", ["t"]);
    a.join();
    b.join();
    a.beat();
    b.beat();
    env.coordinator.heartbeat({ groupId: "g", memberId: a.memberId!, instanceId: "host-a", memberEpoch: -2, clientId: "a", host: "h" });
    for (let i = 0; i < 3; i++) {
      env.clock.advance(3000);
      b.beat();
      expect(b.partitions).toHaveLength(1);
    }
    env.clock.advance(1000);
    b.beat();
    expect(b.partitions).toEqual(["t-0", "t-1"]);
  });

  it("fences heartbeats with a wrong epoch but accepts the previous one when a response was lost", async () => {
    const env = await startCoordinator({ topics: { t: 2 } });
    const a = env.member("g", "a", ["t"]);
    a.join();
    const first = a.epoch;
    const b = env.member("g", "b", ["t"]);
    b.join();
    a.beat();
    a.beat(); // a reaches a new epoch with one partition
    expect(a.epoch).toBeGreaterThan(first);
    const base = { groupId: "g", memberId: a.memberId!, clientId: "a", host: "h" };
    // The previous epoch with a subset of the assignment: the response with the new epoch was lost.
    expect(env.coordinator.heartbeat({ ...base, memberEpoch: first, ownedPartitions: a.owned }).memberEpoch).toBe(a.epoch);
    expect(codeOf(() => env.coordinator.heartbeat({ ...base, memberEpoch: first, ownedPartitions: [{ topic: "t", partitions: [0, 1] }] }))).toBe("FENCED_MEMBER_EPOCH");
    expect(codeOf(() => env.coordinator.heartbeat({ ...base, memberEpoch: a.epoch + 1 }))).toBe("FENCED_MEMBER_EPOCH");
    expect(codeOf(() => env.coordinator.heartbeat({ ...base, memberId: "nobody", memberEpoch: 1 }))).toBe("UNKNOWN_MEMBER_ID");
    expect(codeOf(() => env.coordinator.heartbeat({ ...base, groupId: "other", memberEpoch: 1 }))).toBe("UNKNOWN_MEMBER_ID");
  });

  it("resolves pattern subscriptions and follows topic creation and growth", async () => {
    const topics = topicsView({ "orders-eu": 1, payments: 1, __consumer_offsets: 4 });
    const env = await startCoordinator({ topicsView: topics });
    const alternatives = env.coordinator.heartbeat({ groupId: "other", memberEpoch: 0, clientId: "m", host: "h", subscribedPattern: "orders-eu|nope" });
    expect(names(alternatives.assignment)).toEqual(["orders-eu-0"]); // the pattern matches whole names only
    const m = env.member("g", "m", []);
    const r = env.coordinator.heartbeat({ groupId: "g", memberEpoch: 0, clientId: "m", host: "h", subscribedPattern: ".*" });
    expect(names(r.assignment)).toEqual(["orders-eu-0", "payments-0"]); // never __consumer_offsets
    m.memberId = r.memberId;
    m.epoch = r.memberEpoch;
    m.owned = r.assignment;
    topics.partitions["orders-us"] = 2;
    topics.partitions["orders-eu"] = 2;
    m.beat();
    expect(m.partitions).toEqual(["orders-eu-0", "orders-eu-1", "orders-us-0", "orders-us-1", "payments-0"]);
    delete topics.partitions.payments;
    m.beat();
    m.beat();
    expect(m.partitions).not.toContain("payments-0");
  });

  it("uses the assignor the members ask for", async () => {
    const env = await startCoordinator({ topics: { t: 3 } });
    const [a, b] = ["a", "b"].map((id) => env.member("g", id, ["t"], { assignor: "range" }));
    a!.join();
    b!.join();
    for (let i = 0; i < 3; i++) for (const m of [a!, b!]) m.beat();
    expect(env.coordinator.describeGroups(["g"])[0]!.assignor).toBe("range");
    expect(a!.partitions).toEqual(["t-0", "t-1"]);
    expect(b!.partitions).toEqual(["t-2"]);
  });

  it("rejects bad heartbeats with Kafka's errors", async () => {
    const env = await startCoordinator({ topics: { t: 1 } });
    const join = { groupId: "g", memberEpoch: 0, clientId: "c", host: "h", subscribedTopics: ["t"] };
    expect(codeOf(() => env.coordinator.heartbeat({ ...join, groupId: "" }))).toBe("INVALID_GROUP_ID");
    expect(codeOf(() => env.coordinator.heartbeat({ ...join, sessionTimeoutMs: 10 }))).toBe("INVALID_SESSION_TIMEOUT");
    expect(codeOf(() => env.coordinator.heartbeat({ ...join, assignor: "magic" }))).toBe("UNSUPPORTED_ASSIGNOR");
    expect(codeOf(() => env.coordinator.heartbeat({ ...join, subscribedTopics: undefined, subscribedPattern: "(" }))).toBe("INVALID_REGULAR_EXPRESSION");
    expect(codeOf(() => env.coordinator.heartbeat({ groupId: "g", memberEpoch: 0, clientId: "c", host: "h" }))).toBe("INVALID_REQUEST");
    expect(codeOf(() => env.coordinator.heartbeat({ ...join, ownedPartitions: [{ topic: "t", partitions: [0] }] }))).toBe("INVALID_REQUEST");
    expect(codeOf(() => env.coordinator.heartbeat({ ...join, memberEpoch: 1.5 }))).toBe("INVALID_REQUEST");
    expect(codeOf(() => env.coordinator.heartbeat({ ...join, memberEpoch: -3 }))).toBe("INVALID_REQUEST");
    expect(codeOf(() => env.coordinator.heartbeat({ ...join, memberEpoch: 1 }))).toBe("INVALID_REQUEST");
    expect(env.coordinator.listGroups()).toEqual([]); // nothing was created by the rejected joins
  });

  it("refuses members past group.max.size", async () => {
    const env = await startCoordinator({ topics: { t: 1 }, config: { maxGroupSize: 1 } });
    env.member("g", "a", ["t"]).join();
    expect(codeOf(() => env.member("g", "b", ["t"]).join())).toBe("GROUP_MAX_SIZE_REACHED");
  });

  it("answers COORDINATOR_LOAD_IN_PROGRESS before load() and COORDINATOR_NOT_AVAILABLE after close()", async () => {
    const coordinator = createGroupCoordinator({ clock: manualClock(), offsetsLog: memoryOffsetsStore(), topics: topicsView({ t: 1 }) });
    const join = { groupId: "g", memberEpoch: 0, clientId: "c", host: "h", subscribedTopics: ["t"] };
    expect(codeOf(() => coordinator.heartbeat(join))).toBe("COORDINATOR_LOAD_IN_PROGRESS");
    await coordinator.load();
    expect(coordinator.heartbeat(join).memberEpoch).toBeGreaterThan(0);
    await coordinator.close();
    expect(codeOf(() => coordinator.listGroups())).toBe("COORDINATOR_NOT_AVAILABLE");
  });
});
