import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isEdgelogError } from "../../../src/core/errors.ts";
import {
  sizeOfVarint,
  sizeOfVarlong,
  VarintReader,
  writeVarint,
  writeVarlong,
} from "../../../src/core/record/varint.ts";

/** An independent reference: zigzag with BigInt, then 7-bit groups, low first. */
function referenceEncoding(value: number): number[] {
  const n = BigInt(value);
  let z = n >= 0n ? n * 2n : -n * 2n - 1n;
  const out: number[] = [];
  while (z >= 0x80n) {
    out.push(Number(z & 0x7fn) | 0x80);
    z >>= 7n;
  }
  out.push(Number(z));
  return out;
}

function varint(value: number): number[] {
  const buf = new Uint8Array(sizeOfVarint(value));
  expect(writeVarint(buf, 0, value)).toBe(buf.length);
  return [...buf];
}

function varlong(value: number): number[] {
  const buf = new Uint8Array(sizeOfVarlong(value));
  expect(writeVarlong(buf, 0, value)).toBe(buf.length);
  return [...buf];
}

function expectCorrupt(read: () => unknown): void {
  let error: unknown;
  try {
    read();
  } catch (e) {
    error = e;
  }
  expect(isEdgelogError(error, "CORRUPT_MESSAGE"), String(error)).toBe(true);
}

describe("varint", () => {
  it("writeVarint() writes Kafka's zigzag encodings", () => {
    expect(varint(0)).toEqual([0x00]);
    expect(varint(-1)).toEqual([0x01]);
    expect(varint(1)).toEqual([0x02]);
    expect(varint(-2)).toEqual([0x03]);
    expect(varint(63)).toEqual([0x7e]);
    expect(varint(-64)).toEqual([0x7f]);
    expect(varint(64)).toEqual([0x80, 0x01]);
    expect(varint(300)).toEqual([0xd8, 0x04]);
    expect(varint(2147483647)).toEqual([0xfe, 0xff, 0xff, 0xff, 0x0f]);
    expect(varint(-2147483648)).toEqual([0xff, 0xff, 0xff, 0xff, 0x0f]);
  });

  it("varints round-trip and match a reference encoding for every int32", () => {
    fc.assert(
      fc.property(fc.integer({ min: -2147483648, max: 2147483647 }), (n) => {
        const bytes = varint(n);
        expect(bytes).toEqual(referenceEncoding(n));
        const reader = new VarintReader(new Uint8Array(bytes));
        expect(reader.readVarint()).toBe(n);
        expect(reader.remaining).toBe(0);
      }),
    );
  });

  it("writeVarint() refuses a value that is not an int32", () => {
    expect(() => writeVarint(new Uint8Array(5), 0, 2 ** 31)).toThrow(RangeError);
    expect(() => writeVarint(new Uint8Array(5), 0, 1.5)).toThrow(RangeError);
  });

  it("readVarint() reports truncated input as CORRUPT_MESSAGE and does not move", () => {
    const reader = new VarintReader(new Uint8Array([0xd8]));
    expectCorrupt(() => reader.readVarint());
    expect(reader.pos).toBe(0);
    expectCorrupt(() => new VarintReader(new Uint8Array(0)).readVarint());
    // The end bound counts, not the array's length.
    expectCorrupt(() => new VarintReader(new Uint8Array([0xd8, 0x04]), 0, 1).readVarint());
  });

  it("readVarint() rejects more than 5 bytes and a fifth byte past 32 bits", () => {
    expectCorrupt(() => new VarintReader(new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0x01])).readVarint());
    expectCorrupt(() => new VarintReader(new Uint8Array([0xff, 0xff, 0xff, 0xff, 0x10])).readVarint());
  });

  it("readVarint() accepts a non-minimal encoding, as Kafka does", () => {
    expect(new VarintReader(new Uint8Array([0x82, 0x80, 0x00])).readVarint()).toBe(1);
  });
});

describe("varlong", () => {
  it("writeVarlong() writes Kafka's zigzag encodings, small and large", () => {
    expect(varlong(0)).toEqual([0x00]);
    expect(varlong(-1)).toEqual([0x01]);
    expect(varlong(300)).toEqual([0xd8, 0x04]);
    expect(varlong(2 ** 31)).toEqual([0x80, 0x80, 0x80, 0x80, 0x10]);
    expect(varlong(-(2 ** 31) - 1)).toEqual([0x81, 0x80, 0x80, 0x80, 0x10]);
    expect(varlong(Number.MAX_SAFE_INTEGER)).toEqual([0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x1f]);
    expect(varlong(-Number.MAX_SAFE_INTEGER)).toEqual([0xfd, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x1f]);
  });

  it("varlongs round-trip and match a reference encoding for every safe integer", () => {
    const safe = fc.oneof(
      fc.maxSafeInteger(),
      fc.integer({ min: -(2 ** 40), max: 2 ** 40 }),
      fc.constantFrom(Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, 2 ** 31, -(2 ** 31) - 1, 2 ** 53 - 2),
    );
    fc.assert(
      fc.property(safe, (n) => {
        const bytes = varlong(n);
        expect(bytes).toEqual(referenceEncoding(n));
        const reader = new VarintReader(new Uint8Array(bytes));
        expect(reader.readVarlong()).toBe(n);
        expect(reader.remaining).toBe(0);
      }),
    );
  });

  it("a varint reads back as the same varlong", () => {
    fc.assert(
      fc.property(fc.integer({ min: -2147483648, max: 2147483647 }), (n) => {
        expect(new VarintReader(new Uint8Array(varint(n))).readVarlong()).toBe(n);
      }),
    );
  });

  it("writeVarlong() refuses a value that is not a safe integer", () => {
    expect(() => writeVarlong(new Uint8Array(10), 0, 2 ** 53)).toThrow(RangeError);
    expect(() => writeVarlong(new Uint8Array(10), 0, Number.NaN)).toThrow(RangeError);
    expect(() => writeVarlong(new Uint8Array(10), 0, 2 ** 40 + 0.5)).toThrow(RangeError);
  });

  it("readVarlong() rejects a value outside the safe integer range instead of rounding it", () => {
    // Kafka's encoding of Long.MAX_VALUE: zigzag 2^64 - 2.
    expectCorrupt(() => new VarintReader(new Uint8Array([0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01])).readVarlong());
    expectCorrupt(() => new VarintReader(new Uint8Array(referenceEncoding(2 ** 53))).readVarlong());
    expectCorrupt(() => new VarintReader(new Uint8Array(referenceEncoding(-(2 ** 53)))).readVarlong());
  });

  it("readVarlong() reports truncated and overlong input as CORRUPT_MESSAGE", () => {
    const reader = new VarintReader(new Uint8Array([0x80, 0x80, 0x80]));
    expectCorrupt(() => reader.readVarlong());
    expect(reader.pos).toBe(0);
    expectCorrupt(() => new VarintReader(new Uint8Array(11).fill(0x80)).readVarlong());
  });
});

describe("VarintReader", () => {
  it("VarintReader reads fields in sequence within its bounds", () => {
    const bytes = new Uint8Array([0xaa, 0xd8, 0x04, 0x01, 0xff, 0x61, 0x62, 0xbb]);
    const reader = new VarintReader(bytes, 1, 7);
    expect(reader.readVarint()).toBe(300);
    expect(reader.readVarlong()).toBe(-1);
    expect(reader.readInt8()).toBe(-1);
    const view = reader.readBytes(2);
    expect([...view]).toEqual([0x61, 0x62]);
    expect(view.buffer).toBe(bytes.buffer);
    expect(reader.remaining).toBe(0);
    expectCorrupt(() => reader.readInt8());
    expectCorrupt(() => reader.readBytes(1));
  });

  it("VarintReader.readBytes() refuses a negative or overlong length", () => {
    expectCorrupt(() => new VarintReader(new Uint8Array(4)).readBytes(-1));
    expectCorrupt(() => new VarintReader(new Uint8Array(4)).readBytes(5));
  });

  it("VarintReader refuses bounds outside its bytes", () => {
    expect(() => new VarintReader(new Uint8Array(4), 0, 5)).toThrow(RangeError);
    expect(() => new VarintReader(new Uint8Array(4), 3, 2)).toThrow(RangeError);
  });
});
