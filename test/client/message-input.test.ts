import { describe, expect, it } from "vitest";
import { explicitPartition, toRecordInput } from "../../src/client/message-input.ts";

const utf8 = (s: string) => new TextEncoder().encode(s);

describe("toRecordInput()", () => {
  it("encodes text as UTF-8, keeps bytes and nulls", () => {
    const bytes = new Uint8Array([1, 2]);
    expect(toRecordInput({ key: "ключ", value: bytes }, 0)).toEqual({ key: utf8("ключ"), value: bytes, headers: [] });
    expect(toRecordInput({ value: null }, 0)).toEqual({ key: null, value: null, headers: [] });
  });

  it("takes headers as a map (a list value repeats the key) or as an ordered list", () => {
    expect(toRecordInput({ value: "v", headers: { a: "1", b: ["2", null], skip: undefined } }, 0).headers).toEqual([
      { key: "a", value: utf8("1") },
      { key: "b", value: utf8("2") },
      { key: "b", value: null },
    ]);
    expect(toRecordInput({ value: "v", headers: [{ key: "z", value: "1" }, { key: "a", value: new Uint8Array([7]) }] }, 0).headers).toEqual([
      { key: "z", value: utf8("1") },
      { key: "a", value: new Uint8Array([7]) },
    ]);
  });

  it("takes a timestamp as a number or a decimal string", () => {
    expect(toRecordInput({ value: "v", timestamp: 1_700_000_000_000 }, 0).timestamp).toBe(1_700_000_000_000);
    expect(toRecordInput({ value: "v", timestamp: "1700000000000" }, 0).timestamp).toBe(1_700_000_000_000);
    expect(toRecordInput({ value: "v" }, 0).timestamp).toBeUndefined();
  });

  it("names the message and the field of a malformed input", () => {
    expect(() => toRecordInput({} as never, 4)).toThrow(/Message 4 needs a value/);
    expect(() => toRecordInput({ value: {} as never }, 1)).toThrow(/Message 1 value must be a string, a Uint8Array or null/);
    expect(() => toRecordInput({ value: "v", headers: [{ value: "x" }] as never }, 2)).toThrow(/Message 2 header 0/);
    expect(() => toRecordInput({ value: "v", timestamp: "soon" }, 3)).toThrow(/Message 3 timestamp/);
    expect(() => toRecordInput({ value: "v", timestamp: -5 }, 3)).toThrow(RangeError);
  });
});

describe("explicitPartition()", () => {
  it("reads a partition and refuses one that is not an integer ≥ 0", () => {
    expect(explicitPartition({ value: "v" }, 0)).toBeUndefined();
    expect(explicitPartition({ value: "v", partition: 3 }, 0)).toBe(3);
    expect(() => explicitPartition({ value: "v", partition: 1.5 }, 7)).toThrow(/Message 7 partition/);
  });
});
