import { describe, expect, it } from "vitest";
import { alterConfigsResponse, decodeAlterConfigsRequest } from "../../../src/protocol/ops/alter-configs.ts";
import { expectInvalid, withField } from "../invalid.ts";

const valid = {
  id: 7,
  op: "alterConfigs",
  resources: [{ type: "topic", name: "orders", set: { "retention.ms": "3600000" }, delete: ["cleanup.policy"] }],
  validateOnly: true,
};

describe("decodeAlterConfigsRequest()", () => {
  it("decodeAlterConfigsRequest() reads keys to set and keys to delete", () => {
    expect(decodeAlterConfigsRequest(valid)).toEqual({
      id: 7,
      op: "alterConfigs",
      resources: [{ type: "topic", name: "orders", set: { "retention.ms": "3600000" }, delete: ["cleanup.policy"] }],
      validateOnly: true,
    });
  });

  it("decodeAlterConfigsRequest() treats absent set and delete as empty", () => {
    const req = decodeAlterConfigsRequest({ id: 7, op: "alterConfigs", resources: [{ type: "broker", name: "1" }] });
    expect(req.resources[0]).toEqual({ type: "broker", name: "1", set: {}, delete: [] });
    expect(req.validateOnly).toBe(false);
  });

  it.each([
    ["resources", undefined, "resources"],
    ["resources", [], "resources"],
    ["validateOnly", "no", "validateOnly"],
    ["resources.0.type", "TOPIC", "resources[0].type"],
    ["resources.0.name", undefined, "resources[0].name"],
    ["resources.0.set", ["a"], "resources[0].set"],
    ["resources.0.set", { a: {} }, "resources[0].set.a"],
    ["resources.0.delete", "cleanup.policy", "resources[0].delete"],
    ["resources.0.delete", ["a", 1], "resources[0].delete[1]"],
    ["resources.0.delete", ["a", "a"], "resources[0].delete[1]"],
  ])("decodeAlterConfigsRequest() rejects %s = %j", (field, value, path) => {
    expectInvalid(decodeAlterConfigsRequest, withField(valid, field, value), path);
  });

  it("decodeAlterConfigsRequest() rejects a key both set and deleted", () => {
    const frame = withField(valid, "resources.0.delete", ["x", "retention.ms"]);
    expectInvalid(decodeAlterConfigsRequest, frame, "resources[0].delete[1]");
  });

  it("decodeAlterConfigsRequest() rejects the same resource twice", () => {
    const r = { type: "topic", name: "a" };
    expectInvalid(decodeAlterConfigsRequest, { id: 1, op: "alterConfigs", resources: [r, { type: "broker", name: "a" }, r] }, "resources[2]");
  });
});

describe("alterConfigsResponse()", () => {
  it("alterConfigsResponse() lists each resource", () => {
    expect(alterConfigsResponse(7, [{ type: "topic", name: "a" }])).toEqual({ id: 7, resources: [{ type: "topic", name: "a" }] });
  });
});
