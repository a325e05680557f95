import { describe, expect, it } from "vitest";
import { decodeDescribeConfigsRequest, describeConfigsResponse } from "../../../src/protocol/ops/describe-configs.ts";
import { expectInvalid, withField } from "../invalid.ts";

const valid = { id: 6, op: "describeConfigs", resources: [{ type: "topic", name: "orders", keys: ["retention.ms"] }, { type: "broker", name: "1" }] };

describe("decodeDescribeConfigsRequest()", () => {
  it("decodeDescribeConfigsRequest() reads resources; absent keys mean every key", () => {
    expect(decodeDescribeConfigsRequest(valid).resources).toEqual([
      { type: "topic", name: "orders", keys: ["retention.ms"] },
      { type: "broker", name: "1", keys: null },
    ]);
  });

  it.each([
    ["resources", undefined, "resources"],
    ["resources", [], "resources"],
    ["resources.0.type", "group", "resources[0].type"],
    ["resources.0.type", undefined, "resources[0].type"],
    ["resources.0.name", 1, "resources[0].name"],
    ["resources.0.keys", "retention.ms", "resources[0].keys"],
    ["resources.0.keys", [1], "resources[0].keys[0]"],
  ])("decodeDescribeConfigsRequest() rejects %s = %j", (field, value, path) => {
    expectInvalid(decodeDescribeConfigsRequest, withField(valid, field, value), path);
  });
});

describe("describeConfigsResponse()", () => {
  it("describeConfigsResponse() carries entries with their source", () => {
    const configs = [{ key: "retention.ms", value: "1", source: "DYNAMIC_TOPIC_CONFIG" as const, readOnly: false, sensitive: false }];
    expect(describeConfigsResponse(6, [{ type: "topic", name: "t", configs }]).resources[0]!.configs).toEqual(configs);
  });
});
