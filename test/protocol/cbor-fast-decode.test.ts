import { Decoder } from "cbor-x/decode";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { encodeRecordBatchSync } from "../../src/core/record/record-batch.ts";
import { COPIED_BYTES, decodeCommonCbor, MAX_DEPTH, NOT_COMMON } from "../../src/protocol/cbor-fast-decode.ts";
import { decodeFrame, encodeFrame } from "../../src/protocol/frame-codec.ts";

/** cbor-x as frame-codec.ts configures it: the reference the fast path must agree with. */
const referenceOptions = { useRecords: false, mapsAsObjects: true, int64AsNumber: true };
const reference = new Decoder(referenceOptions);

/** cbor-x's result, or the error it throws. */
function cborX(bytes: Uint8Array): { value: unknown } | { error: unknown } {
  try {
    return { value: reference.decode(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength)) };
  } catch (error) {
    return { error };
  }
}

const bytesOf = (...values: number[]) => new Uint8Array(values);

const KEYS = ["id", "op", "topic", "partitions", "partition", "batches", "acks", "credit", "records", "bytes", "constructor", "0", "10", "a".repeat(30)];

/** Values in the common subset. */
const common: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: "small" },
    fc.integer({ min: -30, max: 30 }),
    fc.integer(),
    fc.maxSafeInteger(),
    fc.constantFrom(2 ** 53 - 1, -(2 ** 53) + 1, 2 ** 32, 2 ** 32 - 1, -(2 ** 32), 255, 256, 65535, 65536),
    fc.boolean(),
    fc.constant(null),
    fc.string({ unit: fc.integer({ min: 0, max: 0x7f }).map((c) => String.fromCharCode(c)), maxLength: 40 }),
    fc.uint8Array({ maxLength: 300 }),
    fc.array(tie("value"), { maxLength: 5 }),
    fc.dictionary(fc.oneof(fc.constantFrom(...KEYS), fc.string({ unit: "grapheme-ascii", maxLength: 23 })), tie("value"), { maxKeys: 5 }),
  ),
})).value;

describe("decodeCommonCbor()", () => {
  it("decodeCommonCbor() decodes a produce frame as cbor-x does", () => {
    const batches = encodeRecordBatchSync({ records: [{ key: null, value: new Uint8Array(100).fill(9) }], now: 1_700_000_000_000 });
    const frame = encodeFrame({ id: 2 ** 31 + 5, op: "produce", acks: 1, topic: "orders", partitions: [{ partition: 0, batches }] }, "cbor");
    const decoded = decodeCommonCbor(frame);
    expect({ value: decoded }).toEqual(cborX(frame));
    expect(decoded).toEqual({ id: 2 ** 31 + 5, op: "produce", acks: 1, topic: "orders", partitions: [{ partition: 0, batches }] });
  });

  it("decodeCommonCbor() copies byte strings up to COPIED_BYTES and gives views of the input above", () => {
    const small = new Uint8Array(COPIED_BYTES).fill(1);
    const large = new Uint8Array(COPIED_BYTES + 1).fill(2);
    const frame = encodeFrame({ small, large }, "cbor");
    const decoded = decodeCommonCbor(frame) as { small: Uint8Array; large: Uint8Array };
    expect(decoded.small).toEqual(small);
    expect(decoded.small.constructor).toBe(Uint8Array);
    expect(decoded.small.buffer).not.toBe(frame.buffer);
    expect(decoded.large).toEqual(large);
    expect(decoded.large.constructor).toBe(Uint8Array);
    expect(decoded.large.buffer).toBe(frame.buffer);
    expect(decoded.large.byteOffset).toBe(frame.byteOffset + frame.length - large.length);
  });

  it("decodeCommonCbor() agrees with cbor-x on every value of the common subset", () => {
    fc.assert(
      fc.property(common, (value) => {
        const bytes = encodeFrame(value, "cbor");
        const fast = decodeCommonCbor(bytes);
        expect(fast).not.toBe(NOT_COMMON);
        expect({ value: fast }).toEqual(cborX(bytes));
      }),
      { numRuns: 500 },
    );
  });

  it("decodeCommonCbor() either gives up or agrees with cbor-x on damaged frames, and never throws", () => {
    const damaged = fc.tuple(common, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }), fc.nat()).map(([value, edits, cut]) => {
      const bytes = encodeFrame(value, "cbor").slice();
      for (const [at, byte] of edits) bytes[at % bytes.length] = byte;
      return cut % 5 === 0 ? bytes.subarray(0, cut % (bytes.length + 1)) : bytes;
    });
    fc.assert(
      fc.property(fc.oneof(damaged, fc.uint8Array({ maxLength: 64 })), (bytes) => {
        const fast = decodeCommonCbor(bytes);
        if (fast !== NOT_COMMON) expect({ value: fast }).toEqual(cborX(bytes));
      }),
      { numRuns: 2000 },
    );
  });

  it("decodeCommonCbor() leaves floats, tags, indefinite lengths, non-ASCII text and odd keys to cbor-x", () => {
    const outside = [
      bytesOf(0xf9, 0x3c, 0x00), // float16 1.0
      bytesOf(0xfb, 0x3f, 0xf8, 0, 0, 0, 0, 0, 0), // float64 1.5
      bytesOf(0xc1, 0x01), // tag 1
      bytesOf(0xbf, 0x61, 0x61, 0x01, 0xff), // indefinite map
      bytesOf(0x9f, 0x01, 0xff), // indefinite array
      bytesOf(0x62, 0xc3, 0xa9), // "é"
      bytesOf(0xa1, 0x01, 0x02), // integer key
      bytesOf(0xa1, 0x69, ...new TextEncoder().encode("__proto__"), 0x01), // renamed by cbor-x
      bytesOf(0xf8, 0x20), // simple value 32
      bytesOf(0x01, 0x02), // a second item after the first
      bytesOf(0x82, 0x01), // truncated array
      bytesOf(0x45, 0x01, 0x02), // truncated byte string
      bytesOf(0x1c), // reserved additional info
    ];
    for (const bytes of outside) expect(decodeCommonCbor(bytes)).toBe(NOT_COMMON);
  });

  it("decodeCommonCbor() gives up past MAX_DEPTH levels of nesting", () => {
    const nested = (depth: number) => bytesOf(...new Array<number>(depth).fill(0x81), 0x00);
    expect(decodeCommonCbor(nested(MAX_DEPTH))).not.toBe(NOT_COMMON);
    expect(decodeCommonCbor(nested(MAX_DEPTH + 1))).toBe(NOT_COMMON);
  });

  it("decodeCommonCbor() keeps cached short strings apart when many different ones pass through", () => {
    const keys = Array.from({ length: 5000 }, (_, i) => `k${i.toString(36)}`);
    for (let round = 0; round < 2; round++) {
      for (const key of keys) expect(decodeCommonCbor(encodeFrame({ [key]: key }, "cbor"))).toEqual({ [key]: key });
    }
  });
});

describe("decodeFrame() with the fast path", () => {
  it("decodeFrame() still reports frames cbor-x rejects as INVALID_REQUEST", () => {
    for (const bytes of [bytesOf(0x82, 0x01), bytesOf(0x01, 0x02), bytesOf(0xff)]) {
      expect(() => decodeFrame(bytes)).toThrow(expect.objectContaining({ code: "INVALID_REQUEST" }) as Error);
    }
  });

  it("decodeFrame() adds nothing to the caller's array when it falls back to cbor-x", () => {
    const bytes = encodeFrame({ ratio: 1.5 }, "cbor");
    expect(decodeFrame(bytes)).toEqual({ ratio: 1.5 });
    expect(Object.keys(bytes)).toHaveLength(bytes.length);
    expect("dataView" in bytes).toBe(false);
  });
});
