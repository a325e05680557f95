import { describe, expect, it } from "vitest";
import { decodeListOffsetsRequest, listOffsetsResponse } from "../../../src/protocol/ops/list-offsets.ts";
import { expectInvalid, withField } from "../invalid.ts";

const valid = {
  id: 11,
  op: "listOffsets",
  topic: "orders",
  partitions: [
    { partition: 0, timestamp: "earliest" },
    { partition: 1, timestamp: "latest" },
    { partition: 2, timestamp: -2 },
    { partition: 3, timestamp: 1700000000000 },
  ],
};

describe("decodeListOffsetsRequest()", () => {
  it('decodeListOffsetsRequest() maps "earliest" to -2 and "latest" to -1 and keeps times', () => {
    expect(decodeListOffsetsRequest(valid).partitions.map((p) => p.timestamp)).toEqual([-2, -1, -2, 1700000000000]);
  });

  it.each([
    ["topic", undefined, "topic"],
    ["partitions", [], "partitions"],
    ["partitions.0.partition", "0", "partitions[0].partition"],
    ["partitions.0.timestamp", undefined, "partitions[0].timestamp"],
    ["partitions.0.timestamp", -3, "partitions[0].timestamp"],
    ["partitions.0.timestamp", "first", "partitions[0].timestamp"],
    ["partitions.0.timestamp", 1.5, "partitions[0].timestamp"],
  ])("decodeListOffsetsRequest() rejects %s = %j", (field, value, path) => {
    expectInvalid(decodeListOffsetsRequest, withField(valid, field, value), path);
  });

  it("decodeListOffsetsRequest() rejects a partition asked twice", () => {
    expectInvalid(decodeListOffsetsRequest, withField(valid, "partitions.1.partition", 0), "partitions[1].partition");
  });
});

describe("listOffsetsResponse()", () => {
  it("listOffsetsResponse() reports offset and timestamp per partition", () => {
    const res = listOffsetsResponse(11, "orders", [{ partition: 0, offset: -1, timestamp: -1, leaderEpoch: 0 }]);
    expect(res).toEqual({ id: 11, topic: "orders", partitions: [{ partition: 0, offset: -1, timestamp: -1, leaderEpoch: 0 }] });
  });
});
