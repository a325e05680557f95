import { describe, expect, it } from "vitest";
import { decodeHelloRequest, helloResponse } from "../../../src/protocol/ops/hello.ts";
import { expectInvalid, withField } from "../invalid.ts";

const valid = { id: 0, op: "hello", versions: [1, 2], clientId: "sensor-7", software: "edgelog-js/0.1.0" };

describe("decodeHelloRequest()", () => {
  it("decodeHelloRequest() reads versions, clientId and software", () => {
    expect(decodeHelloRequest(valid)).toEqual({ ...valid });
  });

  it("decodeHelloRequest() leaves clientId and software undefined when absent or null", () => {
    const req = decodeHelloRequest({ id: 3, op: "hello", versions: [1], clientId: null });
    expect(req.clientId).toBeUndefined();
    expect(req.software).toBeUndefined();
  });

  it.each([
    ["versions", undefined],
    ["versions", []],
    ["versions", 1],
    ["clientId", 7],
    ["software", ["x"]],
  ])("decodeHelloRequest() rejects %s = %j", (field, value) => {
    expectInvalid(decodeHelloRequest, withField(valid, field, value), field);
  });

  it("decodeHelloRequest() names the bad version by its index", () => {
    expectInvalid(decodeHelloRequest, { ...valid, versions: [1, -1] }, "versions[1]");
    expectInvalid(decodeHelloRequest, { ...valid, versions: [1.5] }, "versions[0]");
  });

  it("decodeHelloRequest() rejects a frame of another op", () => {
    expectInvalid(decodeHelloRequest, { ...valid, op: "metadata" }, "op");
  });
});

describe("helloResponse()", () => {
  it("helloResponse() puts the id first and keeps every field", () => {
    const limits = { maxFrameBytes: 104857600, maxMessageBytes: 1048588, maxInFlight: 100, maxSubscriptions: 64, maxWaitMs: 30000 };
    const res = helloResponse(0, { version: 1, brokerId: 1, clusterId: "c", limits, features: ["json"], ops: ["hello"] });
    expect(res).toEqual({ id: 0, version: 1, brokerId: 1, clusterId: "c", limits, features: ["json"], ops: ["hello"] });
  });
});
