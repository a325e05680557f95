import { describe, expect, it } from "vitest";
import { decodeGroupHeartbeatRequest, groupHeartbeatResponse } from "../../../src/protocol/ops/group-heartbeat.ts";
import { assignmentPush, isPushFrame } from "../../../src/protocol/push.ts";
import { expectInvalid, withField } from "../invalid.ts";

const join = { id: 20, op: "groupHeartbeat", groupId: "billing", memberEpoch: 0, subscribedTopics: ["orders"] };
const full = {
  id: 21,
  op: "groupHeartbeat",
  groupId: "billing",
  memberId: "c-1",
  memberEpoch: 4,
  instanceId: "i-1",
  clientId: "app",
  subscribedPattern: "orders-.*",
  assignor: "range",
  ownedPartitions: [{ topic: "orders", partitions: [0, 2] }],
  sessionTimeoutMs: 10000,
  rebalanceTimeoutMs: 60000,
};

describe("decodeGroupHeartbeatRequest()", () => {
  it("decodeGroupHeartbeatRequest() reads a join, leaving the optional fields undefined", () => {
    expect(decodeGroupHeartbeatRequest(join)).toEqual({
      ...join,
      memberId: undefined,
      instanceId: undefined,
      clientId: undefined,
      subscribedPattern: undefined,
      assignor: undefined,
      ownedPartitions: undefined,
      sessionTimeoutMs: undefined,
      rebalanceTimeoutMs: undefined,
    });
  });

  it("decodeGroupHeartbeatRequest() reads every field of a heartbeat", () => {
    expect(decodeGroupHeartbeatRequest(full)).toEqual({ ...full, subscribedTopics: undefined });
  });

  it.each([[-1], [-2]])("decodeGroupHeartbeatRequest() accepts the leave epoch %d", (memberEpoch) => {
    expect(decodeGroupHeartbeatRequest({ ...full, memberEpoch }).memberEpoch).toBe(memberEpoch);
  });

  it.each([
    ["groupId", undefined, "groupId"],
    ["groupId", 7, "groupId"],
    ["memberEpoch", undefined, "memberEpoch"],
    ["memberEpoch", -3, "memberEpoch"],
    ["memberEpoch", 2 ** 31, "memberEpoch"],
    ["memberId", 5, "memberId"],
    ["subscribedPattern", [], "subscribedPattern"],
    ["ownedPartitions", {}, "ownedPartitions"],
    ["ownedPartitions.0.topic", undefined, "ownedPartitions[0].topic"],
    ["ownedPartitions.0.partitions", [0, -1], "ownedPartitions[0].partitions[1]"],
    ["ownedPartitions.0.partitions", [2, 2], "ownedPartitions[0].partitions[1]"],
    ["sessionTimeoutMs", 0, "sessionTimeoutMs"],
    ["rebalanceTimeoutMs", "60s", "rebalanceTimeoutMs"],
  ])("decodeGroupHeartbeatRequest() rejects %s = %j", (field, value, path) => {
    expectInvalid(decodeGroupHeartbeatRequest, withField(full, field, value), path);
  });

  it("decodeGroupHeartbeatRequest() rejects a subscribed topic that is not a string and a topic owned twice", () => {
    expectInvalid(decodeGroupHeartbeatRequest, { ...join, subscribedTopics: ["a", 1] }, "subscribedTopics[1]");
    const twice = { ...full, ownedPartitions: [{ topic: "t", partitions: [0] }, { topic: "t", partitions: [1] }] };
    expectInvalid(decodeGroupHeartbeatRequest, twice, "ownedPartitions[1].topic");
  });
});

describe("groupHeartbeatResponse() and the assignment push", () => {
  it("groupHeartbeatResponse() carries the member id, epoch, interval and assignment", () => {
    const body = { groupId: "g", memberId: "c-1", memberEpoch: 3, heartbeatIntervalMs: 3000, assignment: [{ topic: "t", partitions: [0] }] };
    expect(groupHeartbeatResponse(21, body)).toEqual({ id: 21, ...body });
  });

  it("assignmentPush() is a push without a subscription id", () => {
    const push = assignmentPush({ groupId: "g", memberId: "c-1", memberEpoch: 5, assignment: [] });
    expect(push).toEqual({ push: "assignment", groupId: "g", memberId: "c-1", memberEpoch: 5, assignment: [] });
    expect(isPushFrame(push)).toBe(true);
  });
});
