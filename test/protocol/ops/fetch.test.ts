import { describe, expect, it } from "vitest";
import { decodeFetchRequest, fetchResponse } from "../../../src/protocol/ops/fetch.ts";
import { expectInvalid, withField } from "../invalid.ts";

const valid = { id: 10, op: "fetch", topic: "orders", partition: 1, offset: 2 ** 40, maxBytes: 65536, maxWaitMs: 5000, minBytes: 100, currentLeaderEpoch: 3 };

describe("decodeFetchRequest()", () => {
  it("decodeFetchRequest() reads every field, offsets beyond 32 bits included", () => {
    expect(decodeFetchRequest(valid)).toEqual({ ...valid, format: "batches", valueEncoding: "bytes" });
  });

  it("decodeFetchRequest() reads format records with utf8 values", () => {
    expect(decodeFetchRequest({ ...valid, format: "records", valueEncoding: "utf8" })).toMatchObject({ format: "records", valueEncoding: "utf8" });
  });

  it("decodeFetchRequest() takes null format and valueEncoding as the defaults", () => {
    expect(decodeFetchRequest({ ...valid, format: null, valueEncoding: null })).toMatchObject({ format: "batches", valueEncoding: "bytes" });
  });

  it("decodeFetchRequest() names the allowed formats when given an unknown one", () => {
    const error = expectInvalid(decodeFetchRequest, { ...valid, format: "json" }, "format");
    expect(error.message).toBe('Field format must be "batches" or "records", got "json"');
  });

  it("decodeFetchRequest() fills Kafka's consumer defaults", () => {
    expect(decodeFetchRequest({ id: 1, op: "fetch", topic: "t", partition: 0, offset: 0 })).toEqual({
      id: 1,
      op: "fetch",
      topic: "t",
      partition: 0,
      offset: 0,
      maxBytes: 1048576,
      maxWaitMs: 500,
      minBytes: 1,
      currentLeaderEpoch: -1,
      format: "batches",
      valueEncoding: "bytes",
    });
  });

  it.each([
    ["topic", undefined],
    ["topic", null],
    ["partition", -1],
    ["partition", 0.5],
    ["partition", 2 ** 31],
    ["offset", undefined],
    ["offset", -1],
    ["offset", 2 ** 53],
    ["offset", "5"],
    ["maxBytes", 0],
    ["maxWaitMs", -1],
    ["minBytes", true],
    ["currentLeaderEpoch", -2],
    ["format", "Records"],
    ["format", 1],
    ["format", ["records"]],
    ["valueEncoding", "utf-8"],
    ["valueEncoding", "base64"],
    ["valueEncoding", true],
  ])("decodeFetchRequest() rejects %s = %j", (field, value) => {
    expectInvalid(decodeFetchRequest, withField(valid, field, value), field);
  });
});

describe("fetchResponse()", () => {
  it("fetchResponse() carries the batches as bytes with the watermarks", () => {
    const batches = new Uint8Array([1, 2, 3]);
    const res = fetchResponse(10, { topic: "t", partition: 0, batches, highWatermark: 5, logStartOffset: 0, lastStableOffset: 5 });
    expect(res.batches).toBe(batches);
    expect(res).toMatchObject({ id: 10, highWatermark: 5, lastStableOffset: 5 });
  });

  it("fetchResponse() carries records instead of batches for format records", () => {
    const records = [{ offset: 4, timestamp: 1700000000000, key: null, value: "hi", headers: [] }];
    const res = fetchResponse(10, { topic: "t", partition: 0, records, highWatermark: 5, logStartOffset: 0, lastStableOffset: 5 });
    expect(res).toEqual({ id: 10, topic: "t", partition: 0, records, highWatermark: 5, logStartOffset: 0, lastStableOffset: 5 });
    expect("batches" in res).toBe(false);
  });
});
