import { describe, expect, it } from "vitest";
import { creditResponse, decodeCreditRequest } from "../../../src/protocol/ops/credit.ts";
import { expectInvalid, withField } from "../invalid.ts";

const valid = { id: 14, op: "credit", sub: 1, records: 500, bytes: 524288 };

describe("decodeCreditRequest()", () => {
  it("decodeCreditRequest() reads the records and bytes to add", () => {
    expect(decodeCreditRequest(valid)).toEqual({ ...valid });
  });

  it("decodeCreditRequest() adds nothing for an absent counter", () => {
    expect(decodeCreditRequest({ id: 1, op: "credit", sub: 2, bytes: 10 })).toEqual({ id: 1, op: "credit", sub: 2, records: 0, bytes: 10 });
  });

  it.each([
    ["sub", undefined],
    ["sub", -1],
    ["sub", "1"],
    ["records", -1],
    ["bytes", 2 ** 53],
    ["bytes", "1"],
  ])("decodeCreditRequest() rejects %s = %j", (field, value) => {
    expectInvalid(decodeCreditRequest, withField(valid, field, value), field);
  });

  it("creditResponse() reports the credit available after adding", () => {
    expect(creditResponse(14, { sub: 1, records: 600, bytes: 10 })).toEqual({ id: 14, sub: 1, records: 600, bytes: 10 });
  });
});
