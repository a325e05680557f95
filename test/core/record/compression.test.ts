import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isEdgelogError } from "../../../src/core/errors.ts";
import { COMPRESSION } from "../../../src/core/record/batch-header.ts";
import {
  assertSupportedCompression,
  compress,
  compressionName,
  decompress,
} from "../../../src/core/record/compression.ts";

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error("Expected a rejection");
}

describe("compression", () => {
  it("gzip round-trips any bytes and writes the gzip format", async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 5000 }), async (data) => {
        const packed = await compress(COMPRESSION.gzip, data);
        expect([packed[0], packed[1]]).toEqual([0x1f, 0x8b]);
        expect(await decompress(COMPRESSION.gzip, packed, data.length)).toEqual(data);
      }),
      { numRuns: 30 },
    );
  });

  it("compress() leaves its input intact and usable", async () => {
    const data = new TextEncoder().encode("keep me ".repeat(100));
    const copy = data.slice();
    await compress(COMPRESSION.gzip, data);
    expect(data.byteLength).toBe(copy.byteLength);
    expect(data).toEqual(copy);
  });

  it("none passes bytes through, subject to the size limit", async () => {
    const data = new Uint8Array([1, 2, 3]);
    expect(await compress(COMPRESSION.none, data)).toBe(data);
    expect(await decompress(COMPRESSION.none, data, 3)).toBe(data);
    expect(isEdgelogError(await rejection(decompress(COMPRESSION.none, data, 2)), "MESSAGE_TOO_LARGE")).toBe(true);
  });

  it("snappy, lz4 and zstd are UNSUPPORTED_COMPRESSION_TYPE; codecs 5-7 are CORRUPT_MESSAGE", async () => {
    for (const codec of [COMPRESSION.snappy, COMPRESSION.lz4, COMPRESSION.zstd]) {
      expect(isEdgelogError(await rejection(compress(codec, new Uint8Array(1))), "UNSUPPORTED_COMPRESSION_TYPE")).toBe(true);
      expect(isEdgelogError(await rejection(decompress(codec, new Uint8Array(1), 10)), "UNSUPPORTED_COMPRESSION_TYPE")).toBe(true);
    }
    for (const codec of [5, 6, 7]) {
      expect(() => assertSupportedCompression(codec)).toThrow(expect.objectContaining({ code: "CORRUPT_MESSAGE" }));
    }
    expect(() => assertSupportedCompression(COMPRESSION.gzip)).not.toThrow();
    expect([0, 1, 2, 3, 4, 5].map(compressionName)).toEqual(["none", "gzip", "snappy", "lz4", "zstd", undefined]);
  });

  it("garbage, truncated and empty gzip input are CORRUPT_MESSAGE", async () => {
    const packed = await compress(COMPRESSION.gzip, new TextEncoder().encode("hello ".repeat(50)));
    for (const bad of [new Uint8Array([1, 2, 3, 4, 5]), packed.subarray(0, packed.length - 6), new Uint8Array(0)]) {
      const e = await rejection(decompress(COMPRESSION.gzip, bad, 1 << 20));
      expect(isEdgelogError(e, "CORRUPT_MESSAGE"), String(e)).toBe(true);
    }
  });

  it("decompress() stops a decompression bomb at the limit with MESSAGE_TOO_LARGE", async () => {
    const size = 16 << 20;
    const bomb = await compress(COMPRESSION.gzip, new Uint8Array(size));
    expect(bomb.length).toBeLessThan(size / 500);
    const e = await rejection(decompress(COMPRESSION.gzip, bomb, 1 << 20));
    expect(isEdgelogError(e, "MESSAGE_TOO_LARGE"), String(e)).toBe(true);
    expect((await decompress(COMPRESSION.gzip, bomb, size)).length).toBe(size);
    const over = await rejection(decompress(COMPRESSION.gzip, bomb, size - 1));
    expect(isEdgelogError(over, "MESSAGE_TOO_LARGE")).toBe(true);
  });
});
