import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createRoundRobin, murmur2, partitionForKey, toPositive } from "../../../src/core/topic/partitioner.ts";

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

/** Kafka's UtilsTest.testMurmur2 cases, and librdkafka's rdmurmur2 cases for Java compatibility. */
const VECTORS: Array<[string, number]> = [
  ["21", -973932308],
  ["foobar", -790332482],
  ["a-little-bit-long-string", -985981536],
  ["a-little-bit-longer-string", -1486304829],
  ["lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", -58897971],
  ["abc", 479470107],
  ["", 275646681],
  ["kafka", -798503068],
  ["giberish123456789", -1890243828],
  ["1234", -1614185708],
  ["234", -406844982],
  ["34", -2026295078],
];

describe("murmur2()", () => {
  it.each(VECTORS)("murmur2(%j) is %i, as Kafka's Utils.murmur2", (input, expected) => {
    expect(murmur2(utf8(input))).toBe(expected);
  });

  it("murmur2() returns a signed 32-bit integer for any bytes", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        const h = murmur2(bytes);
        expect(Number.isInteger(h) && h >= -(2 ** 31) && h < 2 ** 31).toBe(true);
      }),
    );
  });
});

describe("toPositive()", () => {
  it("toPositive() clears the sign bit as Kafka's Utils.toPositive", () => {
    expect(toPositive(0)).toBe(0);
    expect(toPositive(5)).toBe(5);
    expect(toPositive(-1)).toBe(0x7fffffff);
    expect(toPositive(-(2 ** 31))).toBe(0);
    expect(toPositive(-790332482)).toBe(1357151166);
  });
});

describe("partitionForKey()", () => {
  it("partitionForKey() picks the partition Kafka's default partitioner picks", () => {
    // toPositive(hash) % n, worked out from the published hashes above.
    const cases: Array<[string, number, number]> = [
      ["21", 3, 0], ["21", 6, 0],
      ["foobar", 3, 0], ["foobar", 6, 0], ["foobar", 50, 16],
      ["a-little-bit-long-string", 3, 2], ["a-little-bit-long-string", 6, 2],
      ["a-little-bit-longer-string", 3, 2], ["a-little-bit-longer-string", 6, 5],
      ["lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", 6, 5],
      ["abc", 3, 0], ["abc", 6, 3],
      ["", 6, 3],
    ];
    for (const [key, n, partition] of cases) expect(partitionForKey(utf8(key), n), `${key} of ${n}`).toBe(partition);
  });

  it("partitionForKey() stays in range and depends only on the key", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 32 }), fc.integer({ min: 1, max: 1000 }), (key, n) => {
        const p = partitionForKey(key, n);
        expect(p >= 0 && p < n).toBe(true);
        expect(partitionForKey(key.slice(), n)).toBe(p);
      }),
    );
  });

  it("partitionForKey() refuses a partition count that is not a positive integer", () => {
    for (const n of [0, -1, 1.5, Number.NaN]) expect(() => partitionForKey(utf8("k"), n)).toThrow(RangeError);
  });
});

describe("createRoundRobin()", () => {
  it("createRoundRobin() hands out partitions in turn", () => {
    const spread = createRoundRobin();
    expect(Array.from({ length: 7 }, () => spread.next(3))).toEqual([0, 1, 2, 0, 1, 2, 0]);
    const from2 = createRoundRobin(2);
    expect([from2.next(4), from2.next(4), from2.next(4)]).toEqual([2, 3, 0]);
  });

  it("createRoundRobin() follows a change in the partition count", () => {
    const spread = createRoundRobin();
    spread.next(2);
    spread.next(2);
    expect([spread.next(4), spread.next(4)]).toEqual([2, 3]);
  });

  it("createRoundRobin() refuses a bad start or partition count", () => {
    expect(() => createRoundRobin(-1)).toThrow(RangeError);
    expect(() => createRoundRobin().next(0)).toThrow(RangeError);
  });
});
