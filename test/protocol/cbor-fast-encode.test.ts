import { Encoder } from "cbor-x/encode";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { encodeRecordBatchSync } from "../../src/core/record/record-batch.ts";
import { MAX_DEPTH, NOT_COMMON } from "../../src/protocol/cbor-fast-decode.ts";
import { encodeCommonCbor } from "../../src/protocol/cbor-fast-encode.ts";
import { decodeFrame, encodeFrame } from "../../src/protocol/frame-codec.ts";

/** cbor-x as frame-codec.ts configures it, integers beyond 32 bits given as BigInt as frame-codec.ts does. */
const reference = new Encoder({ useRecords: false, mapsAsObjects: true, tagUint8Array: false, variableMapSize: true });

function widen(value: unknown): unknown {
  if (typeof value === "number") return Number.isInteger(value) && (value >= 2 ** 32 || value < -(2 ** 32)) && Math.abs(value) < 2 ** 64 ? BigInt(value) : value;
  if (Array.isArray(value)) return value.map(widen);
  if (value instanceof Uint8Array || typeof value !== "object" || value === null) return value;
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined).map(([k, v]) => [k, widen(v)]));
}

function cborX(value: unknown): Uint8Array {
  return new Uint8Array(reference.encode(widen(value)));
}

const KEYS = ["id", "op", "topic", "partitions", "batches", "highWatermark", "0", "10", "ключ", "a".repeat(30)];

/** Values in the common subset, strings well-formed (cbor-x writes lone surrogates differently by length). */
const common: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: "small" },
    fc.integer({ min: -30, max: 30 }),
    fc.integer(),
    fc.maxSafeInteger(),
    fc.constantFrom(2 ** 53 - 1, -(2 ** 53) + 1, 2 ** 53, -(2 ** 53), 2 ** 60, -(2 ** 60), 2 ** 64 - 2048, -(2 ** 64) + 2048, 2 ** 64, -(2 ** 64), 2 ** 32, 2 ** 32 - 1, -(2 ** 32), -(2 ** 32) - 1, 23, 24, 255, 256, 65535, 65536, -24, -25, -0),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.string({ maxLength: 300 }),
    fc.string({ unit: "grapheme", maxLength: 40 }),
    fc.uint8Array({ maxLength: 300 }),
    fc.array(fc.oneof(tie("value"), fc.constant(undefined)), { maxLength: 5 }),
    fc.dictionary(fc.oneof(fc.constantFrom(...KEYS), fc.string({ maxLength: 30 })), fc.oneof(tie("value"), fc.constant(undefined)), { maxKeys: 5 }),
  ),
})).value;

describe("encodeCommonCbor()", () => {
  it("encodeCommonCbor() writes the bytes cbor-x writes for a fetch reply", () => {
    const batches = encodeRecordBatchSync({ records: [{ key: null, value: new Uint8Array(70_000).fill(9) }], now: 1_700_000_000_000 });
    const reply = { id: 2 ** 31 + 5, partitions: [{ partition: 0, highWatermark: 2 ** 40, logStartOffset: 0, batches }], error: undefined };
    const bytes = encodeCommonCbor(reply);
    expect(bytes).toBeInstanceOf(Uint8Array);
    expect(bytes).toEqual(cborX(reply));
    expect((bytes as Uint8Array).buffer.byteLength).toBe((bytes as Uint8Array).length);
  });

  it("encodeCommonCbor() writes the bytes cbor-x writes for any common value", () => {
    fc.assert(
      fc.property(common, (value) => {
        expect(encodeCommonCbor(value)).toEqual(cborX(value));
      }),
      { numRuns: 2000 },
    );
  });

  it("encodeCommonCbor() gives values that decodeFrame() reads back", () => {
    fc.assert(
      fc.property(common, (value) => {
        const bytes = encodeCommonCbor(value);
        expect(bytes).not.toBe(NOT_COMMON);
        expect(decodeFrame(bytes as Uint8Array)).toEqual(decodeFrame(cborX(value)));
      }),
      { numRuns: 500 },
    );
  });

  it("encodeCommonCbor() writes a lone surrogate as U+FFFD", () => {
    const bytes = encodeCommonCbor("a\ud800b\udc00") as Uint8Array;
    expect(Array.from(bytes)).toEqual([0x68, 0x61, 0xef, 0xbf, 0xbd, 0x62, 0xef, 0xbf, 0xbd]);
    expect(decodeFrame(bytes)).toBe("a\ufffdb\ufffd");
  });

  it("encodeCommonCbor() leaves values outside the subset to cbor-x", () => {
    class Point {
      x = 1;
    }
    let deep: unknown = 0;
    for (let i = 0; i <= MAX_DEPTH; i++) deep = [deep];
    for (const value of [2n, new Date(0), new Map([["a", 1]]), new Set([1]), new Point(), new Uint16Array(2), { f: () => 1 }, [Symbol("s")], deep]) {
      expect(encodeCommonCbor(value)).toBe(NOT_COMMON);
    }
  });

  it("encodeCommonCbor() gives NOT_COMMON when a getter throws or changes its value between passes", () => {
    expect(
      encodeCommonCbor({
        get boom() {
          throw new Error("no");
        },
      }),
    ).toBe(NOT_COMMON);
    let calls = 0;
    const shifty = {
      get v() {
        return calls++ === 0 ? 1 : "a much longer string than before";
      },
    };
    expect(encodeCommonCbor(shifty)).toBe(NOT_COMMON);
  });

  it("encodeFrame() still encodes values outside the subset through cbor-x", () => {
    expect(decodeFrame(encodeFrame({ big: 2 ** 60, at: -(2 ** 60) }, "cbor"))).toEqual({ big: 2 ** 60, at: -(2 ** 60) });
    expect(encodeFrame({ d: new Date(0) }, "cbor")).toEqual(new Uint8Array(reference.encode({ d: new Date(0) })));
  });
});
