import { describe, expect, it } from "vitest";
import { decodeSubscribeRequest, subscribeResponse } from "../../../src/protocol/ops/subscribe.ts";
import { expectInvalid, withField } from "../invalid.ts";

const valid = { id: 13, op: "subscribe", topic: "orders", partition: 0, from: { offset: 42 }, credit: { records: 1000, bytes: 1048576 } };

describe("decodeSubscribeRequest()", () => {
  it("decodeSubscribeRequest() reads topic, partition, start and initial credit", () => {
    expect(decodeSubscribeRequest(valid)).toEqual({ ...valid, format: "batches", valueEncoding: "bytes" });
  });

  it.each([
    ["records", "utf8"],
    ["records", "bytes"],
    ["batches", "utf8"],
  ])("decodeSubscribeRequest() accepts format %s with valueEncoding %s", (format, valueEncoding) => {
    expect(decodeSubscribeRequest({ ...valid, format, valueEncoding })).toMatchObject({ format, valueEncoding });
  });

  it.each([["earliest"], ["latest"], [{ timestamp: 1700000000000 }], [{ offset: 0 }]])("decodeSubscribeRequest() accepts from = %j", (from) => {
    expect(decodeSubscribeRequest({ ...valid, from }).from).toEqual(from);
  });

  it.each([
    ["topic", undefined, "topic"],
    ["partition", -1, "partition"],
    ["from", undefined, "from"],
    ["from", "oldest", "from"],
    ["from", 42, "from"],
    ["from", [42], "from"],
    ["from", {}, "from"],
    ["from", { offset: 1, timestamp: 2 }, "from"],
    ["from", { offset: -1 }, "from.offset"],
    ["from", { timestamp: "now" }, "from.timestamp"],
    ["credit", undefined, "credit"],
    ["credit", 5, "credit"],
    ["credit.records", undefined, "credit.records"],
    ["credit.records", -1, "credit.records"],
    ["credit.bytes", 1.5, "credit.bytes"],
    ["format", "record", "format"],
    ["format", {}, "format"],
    ["valueEncoding", "latin1", "valueEncoding"],
    ["valueEncoding", 8, "valueEncoding"],
  ])("decodeSubscribeRequest() rejects %s = %j", (field, value, path) => {
    expectInvalid(decodeSubscribeRequest, withField(valid, field, value), path);
  });
});

describe("subscribeResponse()", () => {
  it("subscribeResponse() returns the subscription id and resolved offset", () => {
    expect(subscribeResponse(13, { sub: 1, topic: "t", partition: 0, offset: 42, highWatermark: 50, logStartOffset: 0 })).toEqual({
      id: 13, sub: 1, topic: "t", partition: 0, offset: 42, highWatermark: 50, logStartOffset: 0,
    });
  });
});
