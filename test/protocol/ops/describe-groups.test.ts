import { describe, expect, it } from "vitest";
import { decodeDescribeGroupsRequest, describeGroupsResponse } from "../../../src/protocol/ops/describe-groups.ts";
import { expectInvalid } from "../invalid.ts";

describe("decodeDescribeGroupsRequest()", () => {
  it("decodeDescribeGroupsRequest() reads the group ids", () => {
    expect(decodeDescribeGroupsRequest({ id: 25, op: "describeGroups", groupIds: ["a", "b"] })).toEqual({ id: 25, op: "describeGroups", groupIds: ["a", "b"] });
  });

  it.each([
    [undefined, "groupIds"],
    [[], "groupIds"],
    ["a", "groupIds"],
    [["a", 2], "groupIds[1]"],
    [["a", "a"], "groupIds[1]"],
  ])("decodeDescribeGroupsRequest() rejects groupIds = %j", (groupIds, path) => {
    expectInvalid(decodeDescribeGroupsRequest, { id: 25, op: "describeGroups", groupIds }, path);
  });
});

describe("describeGroupsResponse()", () => {
  it("describeGroupsResponse() carries each group with its members", () => {
    const group = {
      groupId: "g",
      state: "Stable" as const,
      protocolType: "consumer" as const,
      assignor: "uniform",
      groupEpoch: 2,
      assignmentEpoch: 2,
      members: [
        {
          memberId: "c-1",
          instanceId: null,
          clientId: "c",
          host: "/10.0.0.7",
          memberEpoch: 2,
          assignment: [{ topic: "t", partitions: [0] }],
          targetAssignment: [{ topic: "t", partitions: [0] }],
          subscribedTopics: ["t"],
          subscribedPattern: null,
        },
      ],
    };
    expect(describeGroupsResponse(25, [group])).toEqual({ id: 25, groups: [group] });
  });
});
