import { describe, expect, it } from "vitest";
import { javaStringHashCode, partitionForGroup } from "../../../src/core/group/partition-for-group.ts";

describe("javaStringHashCode()", () => {
  it("matches Java's String.hashCode on known values", () => {
    expect(javaStringHashCode("")).toBe(0);
    expect(javaStringHashCode("a")).toBe(97);
    expect(javaStringHashCode("hello")).toBe(99162322);
    expect(javaStringHashCode("Aa")).toBe(2112);
    expect(javaStringHashCode("BB")).toBe(2112);
    expect(javaStringHashCode("polygenelubricants")).toBe(-2147483648);
  });

  it("hashes UTF-16 code units, surrogate pairs included", () => {
    // U+1F600 is the pair D83D DE00 in Java as in JavaScript: 0xD83D * 31 + 0xDE00.
    expect(javaStringHashCode("\u{1F600}")).toBe(0xd83d * 31 + 0xde00);
    expect(javaStringHashCode("é")).toBe(0xe9);
  });

  it("wraps to 32 bits as Java int arithmetic does", () => {
    // "zzzzzzz": computed with Java semantics (int overflow).
    let h = 0;
    for (const c of "zzzzzzz") h = (h * 31 + c.charCodeAt(0)) % 2 ** 32;
    const expected = h >= 2 ** 31 ? h - 2 ** 32 : h;
    expect(javaStringHashCode("zzzzzzz")).toBe(expected);
  });
});

describe("partitionForGroup()", () => {
  it("is toPositive(hashCode) % partitions, as Kafka's partitionFor", () => {
    expect(partitionForGroup("hello", 50)).toBe(99162322 % 50);
    // The hash -2^31 has no Math.abs; Kafka's toPositive makes it 0.
    expect(partitionForGroup("polygenelubricants", 50)).toBe(0);
    // Values worked out independently with Java's int arithmetic.
    expect(javaStringHashCode("test-consumer-group")).toBe(-1793216381);
    expect(partitionForGroup("test-consumer-group", 50)).toBe(17);
    expect(partitionForGroup("my-group", 50)).toBe(36);
    expect(partitionForGroup("console-consumer-12345", 50)).toBe(6);
  });

  it("refuses a partition count below one", () => {
    expect(() => partitionForGroup("g", 0)).toThrow(RangeError);
  });
});
