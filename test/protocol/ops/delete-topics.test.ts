import { describe, expect, it } from "vitest";
import { decodeDeleteTopicsRequest, deleteTopicsResponse } from "../../../src/protocol/ops/delete-topics.ts";
import { expectInvalid, withField } from "../invalid.ts";

const valid = { id: 4, op: "deleteTopics", topics: ["a", "b"], timeoutMs: 1000 };

describe("decodeDeleteTopicsRequest()", () => {
  it("decodeDeleteTopicsRequest() reads topics and timeoutMs", () => {
    expect(decodeDeleteTopicsRequest(valid)).toEqual({ id: 4, op: "deleteTopics", topics: ["a", "b"], timeoutMs: 1000 });
  });

  it("decodeDeleteTopicsRequest() defaults timeoutMs to 30000", () => {
    expect(decodeDeleteTopicsRequest({ id: 4, op: "deleteTopics", topics: ["a"] }).timeoutMs).toBe(30000);
  });

  it.each([
    ["topics", undefined],
    ["topics", []],
    ["topics", "a"],
    ["timeoutMs", 1.5],
  ])("decodeDeleteTopicsRequest() rejects %s = %j", (field, value) => {
    expectInvalid(decodeDeleteTopicsRequest, withField(valid, field, value), field);
  });

  it("decodeDeleteTopicsRequest() names a non-string topic and a repeated one by index", () => {
    expectInvalid(decodeDeleteTopicsRequest, { ...valid, topics: ["a", null] }, "topics[1]");
    expectInvalid(decodeDeleteTopicsRequest, { ...valid, topics: ["a", "b", "a"] }, "topics[2]");
  });
});

describe("deleteTopicsResponse()", () => {
  it("deleteTopicsResponse() lists each topic", () => {
    expect(deleteTopicsResponse(4, [{ topic: "a" }])).toEqual({ id: 4, topics: [{ topic: "a" }] });
  });
});
