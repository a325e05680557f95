import { describe, expect, it } from "vitest";
import { EdgelogError } from "../../../src/core/errors.ts";
import { withError } from "../../../src/protocol/envelope.ts";
import { decodeProduceRequest, produceResponse } from "../../../src/protocol/ops/produce.ts";
import { expectInvalid, withField } from "../invalid.ts";

const batch = Uint8Array.from({ length: 70 }, (_, i) => i);
const valid = { id: 8, op: "produce", acks: 1, timeoutMs: 1000, topic: "orders", partitions: [{ partition: 0, batches: batch }] };
const text = (s: string) => new TextEncoder().encode(s);

describe("decodeProduceRequest() with batches", () => {
  it("decodeProduceRequest() keeps batch bytes per partition", () => {
    const req = decodeProduceRequest(valid);
    expect(req).toMatchObject({ id: 8, op: "produce", acks: 1, timeoutMs: 1000, topic: "orders" });
    expect(req.partitions![0]!.batches).toEqual(batch);
  });

  it("decodeProduceRequest() defaults acks to -1 (all) and timeoutMs to 30000", () => {
    const req = decodeProduceRequest({ id: 1, op: "produce", topic: "t", partitions: [{ partition: 0, batches: batch }] });
    expect(req.acks).toBe(-1);
    expect(req.timeoutMs).toBe(30000);
  });

  it('decodeProduceRequest() takes acks "all" as -1 and keeps 0', () => {
    expect(decodeProduceRequest({ ...valid, acks: "all" }).acks).toBe(-1);
    expect(decodeProduceRequest({ ...valid, acks: 0 }).acks).toBe(0);
  });

  it("decodeProduceRequest() takes batches as base64 from JSON frames", () => {
    const req = decodeProduceRequest({ ...valid, partitions: [{ partition: 2, batches: "AAECAw==" }] });
    expect(req.partitions![0]).toEqual({ partition: 2, batches: new Uint8Array([0, 1, 2, 3]) });
  });

  it.each([
    ["acks", 2, "acks"],
    ["acks", "1", "acks"],
    ["timeoutMs", -5, "timeoutMs"],
    ["topic", undefined, "topic"],
    ["topic", 3, "topic"],
    ["partitions", [], "partitions"],
    ["partitions", {}, "partitions"],
    ["partitions.0.partition", -1, "partitions[0].partition"],
    ["partitions.0.partition", undefined, "partitions[0].partition"],
    ["partitions.0.batches", "not base64!", "partitions[0].batches"],
    ["partitions.0.batches", new Uint8Array(0), "partitions[0].batches"],
    ["partitions.0.batches", [1, 2, 3], "partitions[0].batches"],
  ])("decodeProduceRequest() rejects %s = %j", (field, value, path) => {
    expectInvalid(decodeProduceRequest, withField(valid, field, value), path);
  });

  it("decodeProduceRequest() rejects a partition given twice", () => {
    const p = { partition: 1, batches: batch };
    expectInvalid(decodeProduceRequest, { ...valid, partitions: [p, { partition: 0, batches: batch }, p] }, "partitions[2].partition");
  });

  it("decodeProduceRequest() wants exactly one of partitions and records", () => {
    expectInvalid(decodeProduceRequest, withField(valid, "partitions", undefined), "partitions");
    expectInvalid(decodeProduceRequest, { ...valid, records: [{ value: "x" }] }, "partitions");
  });

  it("decodeProduceRequest() wants exactly one of batches and records per partition", () => {
    expectInvalid(decodeProduceRequest, { ...valid, partitions: [{ partition: 0 }] }, "partitions[0].batches");
    expectInvalid(decodeProduceRequest, { ...valid, partitions: [{ partition: 0, batches: batch, records: [{ value: "x" }] }] }, "partitions[0].batches");
  });
});

describe("decodeProduceRequest() with records", () => {
  it("decodeProduceRequest() reads keyed records for the broker to partition", () => {
    const req = decodeProduceRequest({
      id: 9,
      op: "produce",
      topic: "orders",
      records: [
        { key: "u1", value: "{\"n\":1}", timestamp: 1700000000000, headers: [{ key: "trace", value: "t1" }, { key: "trace", value: null }] },
        { value: null },
      ],
    });
    expect(req.partitions).toBeUndefined();
    expect(req.records).toEqual([
      { key: text("u1"), value: text('{"n":1}'), timestamp: 1700000000000, headers: [{ key: "trace", value: text("t1") }, { key: "trace", value: null }] },
      { key: null, value: null, headers: [], timestamp: undefined },
    ]);
  });

  it("decodeProduceRequest() takes record bytes as byte strings or {base64}, and headers as a map", () => {
    const req = decodeProduceRequest({
      ...withField(valid, "partitions", undefined),
      partitions: [{ partition: 3, records: [{ key: new Uint8Array([9]), value: { base64: "AAE=" }, headers: { a: "b" } }] }],
    });
    expect(req.partitions![0]).toEqual({
      partition: 3,
      records: [{ key: new Uint8Array([9]), value: new Uint8Array([0, 1]), headers: [{ key: "a", value: text("b") }], timestamp: undefined }],
    });
  });

  const byKey = { id: 9, op: "produce", topic: "t", records: [{ key: "k", value: "v", headers: [{ key: "h", value: "x" }], timestamp: 1 }] };
  it.each([
    ["records", [], "records"],
    ["records.0", "v", "records[0]"],
    ["records.0.value", undefined, "records[0].value"],
    ["records.0.value", 5, "records[0].value"],
    ["records.0.value", { base64: "@@" }, "records[0].value.base64"],
    ["records.0.value", { text: "x" }, "records[0].value.base64"],
    ["records.0.key", true, "records[0].key"],
    ["records.0.timestamp", -1, "records[0].timestamp"],
    ["records.0.timestamp", "now", "records[0].timestamp"],
    ["records.0.headers", "h", "records[0].headers"],
    ["records.0.headers", [{ value: "x" }], "records[0].headers[0].key"],
    ["records.0.headers", [{ key: "h", value: 1 }], "records[0].headers[0].value"],
    ["records.0.headers", { h: [1] }, "records[0].headers.h"],
  ])("decodeProduceRequest() rejects %s = %j", (field, value, path) => {
    expectInvalid(decodeProduceRequest, withField(byKey, field, value), path);
  });
});

describe("produceResponse()", () => {
  it("produceResponse() mixes appended partitions and per-partition errors", () => {
    const res = produceResponse(8, "orders", [
      { partition: 0, baseOffset: 42, logAppendTime: -1, logStartOffset: 0, recordIndexes: [0, 2] },
      withError({ partition: 1, recordIndexes: [1] }, new EdgelogError("NOT_LEADER_OR_FOLLOWER", "Partition 1 moved")),
    ]);
    expect(res).toEqual({
      id: 8,
      topic: "orders",
      partitions: [
        { partition: 0, baseOffset: 42, logAppendTime: -1, logStartOffset: 0, recordIndexes: [0, 2] },
        { partition: 1, recordIndexes: [1], error: { code: "NOT_LEADER_OR_FOLLOWER", message: "Partition 1 moved", retriable: true } },
      ],
    });
  });
});
