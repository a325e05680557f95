import { describe, expect, it } from "vitest";
import { EdgelogError } from "../../../src/core/errors.ts";
import { withError } from "../../../src/protocol/envelope.ts";
import { createTopicsResponse, decodeCreateTopicsRequest } from "../../../src/protocol/ops/create-topics.ts";
import { expectInvalid, withField } from "../invalid.ts";

const valid = {
  id: 3,
  op: "createTopics",
  topics: [{ topic: "orders", numPartitions: 6, replicationFactor: 3, configs: { "retention.ms": "60000" } }],
  validateOnly: true,
  timeoutMs: 5000,
};

describe("decodeCreateTopicsRequest()", () => {
  it("decodeCreateTopicsRequest() reads every field", () => {
    const req = decodeCreateTopicsRequest(valid);
    expect(req).toMatchObject({ id: 3, op: "createTopics", validateOnly: true, timeoutMs: 5000 });
    expect(req.topics).toEqual([{ topic: "orders", numPartitions: 6, replicationFactor: 3, configs: { "retention.ms": "60000" } }]);
  });

  it("decodeCreateTopicsRequest() defaults partitions and replication to the broker's (-1)", () => {
    const req = decodeCreateTopicsRequest({ id: 3, op: "createTopics", topics: [{ topic: "t" }] });
    expect(req.topics[0]).toEqual({ topic: "t", numPartitions: -1, replicationFactor: -1, configs: {} });
    expect(req.validateOnly).toBe(false);
    expect(req.timeoutMs).toBe(30000);
  });

  it("decodeCreateTopicsRequest() takes numbers and booleans in configs as their text", () => {
    const req = decodeCreateTopicsRequest({ id: 3, op: "createTopics", topics: [{ topic: "t", configs: { "retention.ms": 60000, "preallocate": false } }] });
    expect(req.topics[0]!.configs).toEqual({ "retention.ms": "60000", preallocate: "false" });
  });

  it("decodeCreateTopicsRequest() keeps a config named __proto__ as a plain key", () => {
    const frame = JSON.parse('{"id":1,"op":"createTopics","topics":[{"topic":"t","configs":{"__proto__":"x"}}]}') as unknown;
    const configs = decodeCreateTopicsRequest(frame).topics[0]!.configs;
    expect(Object.keys(configs)).toEqual(["__proto__"]);
    expect(configs["__proto__"]).toBe("x");
  });

  it.each([
    ["topics", undefined],
    ["topics", []],
    ["topics", { topic: "t" }],
    ["validateOnly", "yes"],
    ["timeoutMs", -1],
  ])("decodeCreateTopicsRequest() rejects %s = %j", (field, value) => {
    expectInvalid(decodeCreateTopicsRequest, withField(valid, field, value), field);
  });

  it.each([
    ["topic", undefined, "topics[0].topic"],
    ["topic", 1, "topics[0].topic"],
    ["numPartitions", -2, "topics[0].numPartitions"],
    ["numPartitions", 2 ** 31, "topics[0].numPartitions"],
    ["replicationFactor", 40000, "topics[0].replicationFactor"],
    ["configs", "x", "topics[0].configs"],
    ["configs", { "retention.ms": null }, "topics[0].configs.retention.ms"],
    ["configs", { a: [1] }, "topics[0].configs.a"],
  ])("decodeCreateTopicsRequest() rejects topics[0].%s = %j", (field, value, path) => {
    expectInvalid(decodeCreateTopicsRequest, withField(valid, `topics.0.${field}`, value), path);
  });

  it("decodeCreateTopicsRequest() rejects the same topic twice", () => {
    expectInvalid(decodeCreateTopicsRequest, { id: 1, op: "createTopics", topics: [{ topic: "a" }, { topic: "a" }] }, "topics[1].topic");
  });
});

describe("createTopicsResponse()", () => {
  it("createTopicsResponse() mixes created topics and per-topic errors", () => {
    const res = createTopicsResponse(3, [
      { topic: "a", numPartitions: 1, replicationFactor: 1 },
      withError({ topic: "b" }, new EdgelogError("TOPIC_ALREADY_EXISTS", "Topic b already exists")),
    ]);
    expect(res.topics[1]).toEqual({ topic: "b", error: { code: "TOPIC_ALREADY_EXISTS", message: "Topic b already exists", retriable: false } });
  });
});
