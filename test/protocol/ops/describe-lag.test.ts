import { describe, expect, it } from "vitest";
import { decodeDescribeLagRequest, describeLagResponse } from "../../../src/protocol/ops/describe-lag.ts";
import { expectInvalid } from "../invalid.ts";

describe("decodeDescribeLagRequest()", () => {
  it("decodeDescribeLagRequest() reads the group ids", () => {
    expect(decodeDescribeLagRequest({ id: 28, op: "describeLag", groupIds: ["g"] })).toEqual({ id: 28, op: "describeLag", groupIds: ["g"] });
  });

  it.each([
    [undefined, "groupIds"],
    [[], "groupIds"],
    [[null], "groupIds[0]"],
    [["g", "g"], "groupIds[1]"],
  ])("decodeDescribeLagRequest() rejects groupIds = %j", (groupIds, path) => {
    expectInvalid(decodeDescribeLagRequest, { id: 28, op: "describeLag", groupIds }, path);
  });
});

describe("describeLagResponse()", () => {
  it("describeLagResponse() keeps null where kafka-consumer-groups prints -", () => {
    const rows = [
      { topic: "t", partition: 0, currentOffset: 35, logEndOffset: 35, lag: 0, consumerId: "c-1", host: "/172.20.0.1", clientId: "console-consumer" },
      { topic: "u", partition: 0, currentOffset: 0, logEndOffset: 0, lag: 0, consumerId: null, host: null, clientId: null },
    ];
    expect(describeLagResponse(28, [{ groupId: "g", state: "Stable", rows }])).toEqual({ id: 28, groups: [{ groupId: "g", state: "Stable", rows }] });
  });
});
