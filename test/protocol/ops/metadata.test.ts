import { describe, expect, it } from "vitest";
import { decodeMetadataRequest, metadataResponse } from "../../../src/protocol/ops/metadata.ts";
import { expectInvalid } from "../invalid.ts";

describe("decodeMetadataRequest()", () => {
  it("decodeMetadataRequest() asks for every topic when topics is absent or null", () => {
    expect(decodeMetadataRequest({ id: 1, op: "metadata" })).toEqual({ id: 1, op: "metadata", topics: null });
    expect(decodeMetadataRequest({ id: 1, op: "metadata", topics: null }).topics).toBeNull();
  });

  it("decodeMetadataRequest() keeps a list of topics, including an empty one", () => {
    expect(decodeMetadataRequest({ id: 1, op: "metadata", topics: ["a", "b"] }).topics).toEqual(["a", "b"]);
    expect(decodeMetadataRequest({ id: 1, op: "metadata", topics: [] }).topics).toEqual([]);
  });

  it("decodeMetadataRequest() rejects topics that are not a list of strings", () => {
    expectInvalid(decodeMetadataRequest, { id: 1, op: "metadata", topics: "a" }, "topics");
    expectInvalid(decodeMetadataRequest, { id: 1, op: "metadata", topics: ["a", 2] }, "topics[1]");
  });
});

describe("metadataResponse()", () => {
  it("metadataResponse() carries brokers and partitions with leader, replicas and isr", () => {
    const res = metadataResponse(4, {
      clusterId: "c",
      controllerId: 1,
      brokers: [{ brokerId: 1, url: "ws://a:9092/", rack: null }],
      topics: [{ topic: "t", internal: false, partitions: [{ partition: 0, leader: 1, leaderEpoch: 0, replicas: [1], isr: [1], offlineReplicas: [] }] }],
    });
    expect(res.id).toBe(4);
    expect(res.topics[0]!.partitions[0]!.isr).toEqual([1]);
  });
});
