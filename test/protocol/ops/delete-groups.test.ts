import { describe, expect, it } from "vitest";
import { decodeDeleteGroupsRequest, deleteGroupsResponse } from "../../../src/protocol/ops/delete-groups.ts";
import { expectInvalid } from "../invalid.ts";

describe("decodeDeleteGroupsRequest()", () => {
  it("decodeDeleteGroupsRequest() reads the group ids", () => {
    expect(decodeDeleteGroupsRequest({ id: 26, op: "deleteGroups", groupIds: ["g", "h"] }).groupIds).toEqual(["g", "h"]);
  });

  it.each([
    [undefined, "groupIds"],
    [[], "groupIds"],
    [["g", "g"], "groupIds[1]"],
    [[{}], "groupIds[0]"],
  ])("decodeDeleteGroupsRequest() rejects groupIds = %j", (groupIds, path) => {
    expectInvalid(decodeDeleteGroupsRequest, { id: 26, op: "deleteGroups", groupIds }, path);
  });
});

describe("deleteGroupsResponse()", () => {
  it("deleteGroupsResponse() reports each group", () => {
    const groups = [{ groupId: "g" }, { groupId: "h", error: { code: "NON_EMPTY_GROUP" as const, message: "busy", retriable: false } }];
    expect(deleteGroupsResponse(26, groups)).toEqual({ id: 26, groups });
  });
});
