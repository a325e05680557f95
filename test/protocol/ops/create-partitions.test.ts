import { describe, expect, it } from "vitest";
import { createPartitionsResponse, decodeCreatePartitionsRequest } from "../../../src/protocol/ops/create-partitions.ts";
import { expectInvalid, withField } from "../invalid.ts";

const valid = { id: 5, op: "createPartitions", topics: [{ topic: "orders", count: 12 }], validateOnly: false, timeoutMs: 100 };

describe("decodeCreatePartitionsRequest()", () => {
  it("decodeCreatePartitionsRequest() reads the new total count per topic", () => {
    expect(decodeCreatePartitionsRequest(valid)).toEqual({ ...valid });
  });

  it.each([
    ["topics", undefined, "topics"],
    ["topics", [], "topics"],
    ["validateOnly", 1, "validateOnly"],
    ["topics.0.topic", undefined, "topics[0].topic"],
    ["topics.0.count", 0, "topics[0].count"],
    ["topics.0.count", undefined, "topics[0].count"],
    ["topics.0.count", "12", "topics[0].count"],
  ])("decodeCreatePartitionsRequest() rejects %s = %j", (field, value, path) => {
    expectInvalid(decodeCreatePartitionsRequest, withField(valid, field, value), path);
  });

  it("decodeCreatePartitionsRequest() rejects the same topic twice", () => {
    expectInvalid(decodeCreatePartitionsRequest, { ...valid, topics: [{ topic: "a", count: 2 }, { topic: "a", count: 3 }] }, "topics[1].topic");
  });
});

describe("createPartitionsResponse()", () => {
  it("createPartitionsResponse() lists each topic", () => {
    expect(createPartitionsResponse(5, [{ topic: "orders" }])).toEqual({ id: 5, topics: [{ topic: "orders" }] });
  });
});
