import { describe, expect, it } from "vitest";
import { decodeUnsubscribeRequest, unsubscribeResponse } from "../../../src/protocol/ops/unsubscribe.ts";
import { expectInvalid, withField } from "../invalid.ts";

describe("decodeUnsubscribeRequest()", () => {
  it("decodeUnsubscribeRequest() reads the subscription id", () => {
    expect(decodeUnsubscribeRequest({ id: 15, op: "unsubscribe", sub: 3 })).toEqual({ id: 15, op: "unsubscribe", sub: 3 });
  });

  it.each([[undefined], [null], [-1], [1.5], ["3"]])("decodeUnsubscribeRequest() rejects sub = %j", (sub) => {
    expectInvalid(decodeUnsubscribeRequest, withField({ id: 15, op: "unsubscribe", sub: 3 }, "sub", sub), "sub");
  });

  it("unsubscribeResponse() tells where to resume", () => {
    expect(unsubscribeResponse(15, { sub: 3, nextOffset: 120 })).toEqual({ id: 15, sub: 3, nextOffset: 120 });
  });
});
