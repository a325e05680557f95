import { describe, expect, it } from "vitest";
import { decodeOffsetCommitRequest, offsetCommitResponse } from "../../../src/protocol/ops/offset-commit.ts";
import { expectInvalid, withField } from "../invalid.ts";

const valid = {
  id: 22,
  op: "offsetCommit",
  groupId: "billing",
  memberId: "c-1",
  memberEpoch: 3,
  offsets: [{ topic: "orders", partition: 0, offset: 42, leaderEpoch: 1, metadata: "batch-7" }, { topic: "orders", partition: 1, offset: 0 }],
};

describe("decodeOffsetCommitRequest()", () => {
  it("decodeOffsetCommitRequest() reads the offsets with leaderEpoch -1 and empty metadata by default", () => {
    expect(decodeOffsetCommitRequest(valid).offsets).toEqual([
      { topic: "orders", partition: 0, offset: 42, leaderEpoch: 1, metadata: "batch-7" },
      { topic: "orders", partition: 1, offset: 0, leaderEpoch: -1, metadata: "" },
    ]);
  });

  it("decodeOffsetCommitRequest() reads a commit from outside group management with memberEpoch -1", () => {
    expect(decodeOffsetCommitRequest({ id: 1, op: "offsetCommit", groupId: "g", offsets: valid.offsets })).toMatchObject({ memberId: undefined, memberEpoch: -1 });
  });

  it.each([
    ["groupId", undefined, "groupId"],
    ["memberEpoch", -2, "memberEpoch"],
    ["offsets", [], "offsets"],
    ["offsets.0.topic", undefined, "offsets[0].topic"],
    ["offsets.0.partition", -1, "offsets[0].partition"],
    ["offsets.0.offset", -1, "offsets[0].offset"],
    ["offsets.0.offset", 2 ** 53, "offsets[0].offset"],
    ["offsets.0.leaderEpoch", -2, "offsets[0].leaderEpoch"],
    ["offsets.0.metadata", 1, "offsets[0].metadata"],
  ])("decodeOffsetCommitRequest() rejects %s = %j", (field, value, path) => {
    expectInvalid(decodeOffsetCommitRequest, withField(valid, field, value), path);
  });

  it("decodeOffsetCommitRequest() rejects a partition committed twice", () => {
    expectInvalid(decodeOffsetCommitRequest, withField(valid, "offsets.1.partition", 0), "offsets[1].partition");
  });
});

describe("offsetCommitResponse()", () => {
  it("offsetCommitResponse() lists the offsets stored", () => {
    expect(offsetCommitResponse(22, "g", [{ topic: "t", partition: 0, offset: 5 }])).toEqual({ id: 22, groupId: "g", offsets: [{ topic: "t", partition: 0, offset: 5 }] });
  });
});
