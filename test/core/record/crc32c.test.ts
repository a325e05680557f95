import fc from "fast-check";
import { describe, expect, it, vi } from "vitest";
import { crc32c } from "../../../src/core/record/crc32c.ts";

/** Bytes 0..n-1 from a function of the index. */
function bytesOf(n: number, f: (i: number) => number): Uint8Array {
  return Uint8Array.from({ length: n }, (_, i) => f(i));
}

describe("crc32c()", () => {
  it("crc32c() matches the published check value for '123456789'", () => {
    expect(crc32c(new TextEncoder().encode("123456789"))).toBe(0xe3069283);
  });

  it("crc32c() matches the RFC 3720 (iSCSI) test vectors", () => {
    expect(crc32c(new Uint8Array(32))).toBe(0x8a9136aa);
    expect(crc32c(bytesOf(32, () => 0xff))).toBe(0x62a8ab43);
    expect(crc32c(bytesOf(32, (i) => i))).toBe(0x46dd794e);
    expect(crc32c(bytesOf(32, (i) => 31 - i))).toBe(0x113fdb5c);
  });

  it("crc32c() is right on its first call in a fresh module, for short and long inputs alike", async () => {
    // The tables are filled on the first call: a first call of under 8 bytes uses only one of them.
    for (const [input, expected] of [
      [new TextEncoder().encode("1234567"), 0x124297ea], // as the bit-by-bit reference below computes it
      [new TextEncoder().encode("123456789"), 0xe3069283],
      [new Uint8Array(0), 0],
    ] as const) {
      vi.resetModules();
      const fresh = (await import("../../../src/core/record/crc32c.ts")).crc32c;
      expect(fresh(input)).toBe(expected);
      expect(fresh(new Uint8Array(32))).toBe(0x8a9136aa);
    }
  });

  it("crc32c() of nothing is 0 and results are unsigned", () => {
    expect(crc32c(new Uint8Array(0))).toBe(0);
    expect(crc32c(new Uint8Array(32))).toBeGreaterThan(0x7fffffff); // 0x8a9136aa, not negative
  });

  it("crc32c() checksums only bytes[start, end)", () => {
    const padded = new Uint8Array([9, 9, ...new TextEncoder().encode("123456789"), 9]);
    expect(crc32c(padded, 2, 11)).toBe(0xe3069283);
  });

  it("crc32c() continued from a seed equals the checksum of the whole", () => {
    const text = new TextEncoder().encode("123456789");
    expect(crc32c(text, 4, 9, crc32c(text, 0, 4))).toBe(0xe3069283);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.nat(), fc.nat(), (bytes, a, b) => {
        const cuts = [a % (bytes.length + 1), b % (bytes.length + 1)].sort((x, y) => x - y) as [number, number];
        const chained = crc32c(bytes, cuts[1], bytes.length, crc32c(bytes, cuts[0], cuts[1], crc32c(bytes, 0, cuts[0])));
        expect(chained).toBe(crc32c(bytes));
      }),
    );
  });

  it("crc32c() agrees with a bit-by-bit reference on every length and alignment", () => {
    const reference = (bytes: Uint8Array): number => {
      let crc = 0xffffffff;
      for (const b of bytes) {
        crc ^= b;
        for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0x82f63b78 : crc >>> 1;
      }
      return ~crc >>> 0;
    };
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), fc.nat(7), (bytes, skip) => {
        const start = Math.min(skip, bytes.length);
        expect(crc32c(bytes, start)).toBe(reference(bytes.subarray(start)));
      }),
    );
  });
});
