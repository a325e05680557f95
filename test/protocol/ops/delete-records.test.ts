import { describe, expect, it } from "vitest";
import { decodeDeleteRecordsRequest, deleteRecordsResponse } from "../../../src/protocol/ops/delete-records.ts";
import { expectInvalid, withField } from "../invalid.ts";

const valid = { id: 12, op: "deleteRecords", topic: "orders", partitions: [{ partition: 0, offset: 100 }, { partition: 1, offset: -1 }], timeoutMs: 5 };

describe("decodeDeleteRecordsRequest()", () => {
  it("decodeDeleteRecordsRequest() reads offsets, -1 meaning the high watermark", () => {
    expect(decodeDeleteRecordsRequest(valid)).toEqual({ ...valid });
  });

  it("decodeDeleteRecordsRequest() defaults timeoutMs to 30000", () => {
    expect(decodeDeleteRecordsRequest(withField(valid, "timeoutMs", undefined)).timeoutMs).toBe(30000);
  });

  it.each([
    ["topic", 1, "topic"],
    ["partitions", undefined, "partitions"],
    ["partitions", [], "partitions"],
    ["partitions.0", 5, "partitions[0]"],
    ["partitions.0.offset", -2, "partitions[0].offset"],
    ["partitions.0.offset", undefined, "partitions[0].offset"],
    ["partitions.1.partition", 0, "partitions[1].partition"],
    ["timeoutMs", "5", "timeoutMs"],
  ])("decodeDeleteRecordsRequest() rejects %s = %j", (field, value, path) => {
    expectInvalid(decodeDeleteRecordsRequest, withField(valid, field, value), path);
  });
});

describe("deleteRecordsResponse()", () => {
  it("deleteRecordsResponse() reports the low watermark per partition", () => {
    expect(deleteRecordsResponse(12, "orders", [{ partition: 0, lowWatermark: 100 }]).partitions).toEqual([{ partition: 0, lowWatermark: 100 }]);
  });
});
