import { describe, expect, it } from "vitest";
import { decodeResetOffsetsRequest, resetOffsetsResponse } from "../../../src/protocol/ops/reset-offsets.ts";
import { expectInvalid, withField } from "../invalid.ts";

const valid = { id: 27, op: "resetOffsets", groupId: "billing", topics: [{ topic: "orders", partitions: [0] }], spec: { type: "to-offset", offset: 5 } };

describe("decodeResetOffsetsRequest()", () => {
  it("decodeResetOffsetsRequest() is a dry run without force by default", () => {
    expect(decodeResetOffsetsRequest(valid)).toEqual({ ...valid, execute: false, force: false });
  });

  it.each([
    [{ type: "to-earliest" }],
    [{ type: "to-latest" }],
    [{ type: "to-current" }],
    [{ type: "to-offset", offset: 0 }],
    [{ type: "shift-by", shift: -3 }],
    [{ type: "to-datetime", timestamp: 1714521600000 }],
    [{ type: "by-duration", durationMs: 3600000 }],
  ])("decodeResetOffsetsRequest() reads the spec %j", (spec) => {
    expect(decodeResetOffsetsRequest({ ...valid, spec }).spec).toEqual(spec);
  });

  it("decodeResetOffsetsRequest() reads execute and force, and no topics for --all-topics", () => {
    const request = decodeResetOffsetsRequest({ id: 1, op: "resetOffsets", groupId: "g", spec: { type: "to-latest" }, execute: true, force: true });
    expect(request).toMatchObject({ topics: undefined, execute: true, force: true });
  });

  it.each([
    ["groupId", undefined, "groupId"],
    ["spec", undefined, "spec"],
    ["spec", "to-earliest", "spec"],
    ["spec.type", "to-beginning", "spec.type"],
    ["spec.offset", undefined, "spec.offset"],
    ["spec.offset", -1, "spec.offset"],
    ["topics", [], "topics"],
    ["topics.0.partitions", [-1], "topics[0].partitions[0]"],
    ["execute", "yes", "execute"],
  ])("decodeResetOffsetsRequest() rejects %s = %j", (field, value, path) => {
    expectInvalid(decodeResetOffsetsRequest, withField(valid, field, value), path);
  });

  it("decodeResetOffsetsRequest() rejects a shift that is not an integer and a negative duration", () => {
    expectInvalid(decodeResetOffsetsRequest, { ...valid, spec: { type: "shift-by", shift: 1.5 } }, "spec.shift");
    expectInvalid(decodeResetOffsetsRequest, { ...valid, spec: { type: "by-duration", durationMs: -1 } }, "spec.durationMs");
  });
});

describe("resetOffsetsResponse()", () => {
  it("resetOffsetsResponse() carries the plan with previous offsets and warnings", () => {
    const partitions = [{ topic: "t", partition: 0, previousOffset: null, newOffset: 3, warning: "Partition 0 from topic t is empty. Falling back to latest known offset." }];
    expect(resetOffsetsResponse(27, { groupId: "g", executed: false, partitions })).toEqual({ id: 27, groupId: "g", executed: false, partitions });
  });
});
