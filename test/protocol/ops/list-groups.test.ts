import { describe, expect, it } from "vitest";
import { decodeListGroupsRequest, GROUP_STATE_NAMES, listGroupsResponse } from "../../../src/protocol/ops/list-groups.ts";
import { expectInvalid } from "../invalid.ts";

describe("decodeListGroupsRequest()", () => {
  it("decodeListGroupsRequest() reads an optional state filter", () => {
    expect(decodeListGroupsRequest({ id: 24, op: "listGroups" }).states).toBeUndefined();
    expect(decodeListGroupsRequest({ id: 24, op: "listGroups", states: [...GROUP_STATE_NAMES] }).states).toEqual([
      "Empty",
      "PreparingRebalance",
      "CompletingRebalance",
      "Stable",
      "Dead",
    ]);
  });

  it.each([[["Rebalancing"]], [["stable"]], [[1]]])("decodeListGroupsRequest() rejects the states %j", (states) => {
    expectInvalid(decodeListGroupsRequest, { id: 24, op: "listGroups", states }, "states[0]");
  });

  it("decodeListGroupsRequest() rejects states that are not a list", () => {
    expectInvalid(decodeListGroupsRequest, { id: 24, op: "listGroups", states: "Stable" }, "states");
  });
});

describe("listGroupsResponse()", () => {
  it("listGroupsResponse() lists groups with their state", () => {
    const groups = [{ groupId: "g", state: "Stable" as const, protocolType: "consumer" as const }];
    expect(listGroupsResponse(24, groups)).toEqual({ id: 24, groups });
  });
});
