import { describe, expect, it } from "vitest";
import { EdgelogError } from "../../../src/core/errors.ts";
import { decodeGroupSubscribeRequest, groupSubscribeResponse } from "../../../src/protocol/ops/group-subscribe.ts";
import { partitionErrorPush } from "../../../src/protocol/push.ts";
import { expectInvalid, withField } from "../invalid.ts";

const valid = { id: 21, op: "groupSubscribe", groupId: "billing", memberId: "c-1", credit: { records: 1000, bytes: 1048576 } };

describe("decodeGroupSubscribeRequest()", () => {
  it("decodeGroupSubscribeRequest() defaults autoOffsetReset to latest, as Kafka's consumer", () => {
    expect(decodeGroupSubscribeRequest(valid)).toEqual({ ...valid, autoOffsetReset: "latest", format: "batches", valueEncoding: "bytes" });
  });

  it.each([["earliest"], ["latest"], ["none"]])("decodeGroupSubscribeRequest() accepts autoOffsetReset %s", (autoOffsetReset) => {
    expect(decodeGroupSubscribeRequest({ ...valid, autoOffsetReset }).autoOffsetReset).toBe(autoOffsetReset);
  });

  it.each([
    ["groupId", undefined, "groupId"],
    ["memberId", undefined, "memberId"],
    ["memberId", null, "memberId"],
    ["credit", undefined, "credit"],
    ["credit.records", -1, "credit.records"],
    ["credit.bytes", "1MB", "credit.bytes"],
    ["autoOffsetReset", "smallest", "autoOffsetReset"],
    ["autoOffsetReset", 0, "autoOffsetReset"],
    ["format", "json", "format"],
    ["valueEncoding", "latin1", "valueEncoding"],
  ])("decodeGroupSubscribeRequest() rejects %s = %j", (field, value, path) => {
    expectInvalid(decodeGroupSubscribeRequest, withField(valid, field, value), path);
  });
});

describe("groupSubscribeResponse() and partition error pushes", () => {
  it("groupSubscribeResponse() answers the subscription id and the current assignment", () => {
    const body = { sub: 4, groupId: "g", memberId: "c-1", assignment: [{ topic: "t", partitions: [1] }] };
    expect(groupSubscribeResponse(21, body)).toEqual({ id: 21, ...body });
  });

  it("partitionErrorPush() names the partition whose stream ended", () => {
    const error = new EdgelogError("OFFSET_OUT_OF_RANGE", "Undefined offset with no reset policy for partitions: [t-0]");
    expect(partitionErrorPush(4, "t", 0, error)).toEqual({
      push: "error",
      sub: 4,
      topic: "t",
      partition: 0,
      error: { code: "OFFSET_OUT_OF_RANGE", message: "Undefined offset with no reset policy for partitions: [t-0]", retriable: false },
    });
  });
});
