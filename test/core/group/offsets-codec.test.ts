import { describe, expect, it } from "vitest";
import { isEdgelogError } from "../../../src/core/errors.ts";
import {
  decodeOffsetCommitValue,
  decodeOffsetsKey,
  encodeOffsetCommitKey,
  encodeOffsetCommitValue,
} from "../../../src/core/group/offsets-codec.ts";

const hex = (b: Uint8Array): string => [...b].map((x) => x.toString(16).padStart(2, "0")).join(" ");
const bytes = (s: string): Uint8Array => new Uint8Array(s.split(" ").map((x) => parseInt(x, 16)));

describe("offsets codec", () => {
  it("encodeOffsetCommitKey() writes Kafka's version 1 key layout", () => {
    expect(hex(encodeOffsetCommitKey({ group: "g", topic: "t", partition: 2 }))).toBe("00 01 00 01 67 00 01 74 00 00 00 02");
  });

  it("encodeOffsetCommitValue() writes Kafka's version 3 value layout", () => {
    const v = encodeOffsetCommitValue({ offset: 42, leaderEpoch: -1, metadata: "m", commitTimestamp: 1_700_000_000_000 });
    expect(hex(v)).toBe("00 03 00 00 00 00 00 00 00 2a ff ff ff ff 00 01 6d 00 00 01 8b cf e5 68 00");
  });

  it("round-trips keys and values, UTF-8 included", () => {
    const key = { group: "grüppe", topic: "orders.v1", partition: 7 };
    expect(decodeOffsetsKey(encodeOffsetCommitKey(key))).toEqual({ type: "offsetCommit", ...key });
    const value = { offset: 2 ** 40, leaderEpoch: 5, metadata: "ß-metadata", commitTimestamp: 123 };
    expect(decodeOffsetCommitValue(encodeOffsetCommitValue(value))).toEqual(value);
  });

  it("decodes version 0 and 1 keys and the group metadata key", () => {
    expect(decodeOffsetsKey(bytes("00 00 00 01 67 00 01 74 00 00 00 00"))).toEqual({ type: "offsetCommit", group: "g", topic: "t", partition: 0 });
    expect(decodeOffsetsKey(bytes("00 02 00 01 67"))).toEqual({ type: "groupMetadata", group: "g" });
    expect(decodeOffsetsKey(bytes("00 05 00 01 67"))).toEqual({ type: "other", version: 5 });
  });

  it("decodes values of versions 0, 1 and 4", () => {
    // v0: offset, metadata, commitTimestamp
    expect(decodeOffsetCommitValue(bytes("00 00 00 00 00 00 00 00 00 07 00 00 00 00 00 00 00 00 00 09"))).toEqual({
      offset: 7,
      leaderEpoch: -1,
      metadata: "",
      commitTimestamp: 9,
    });
    // v1 adds an expire timestamp
    expect(decodeOffsetCommitValue(bytes("00 01 00 00 00 00 00 00 00 07 00 00 00 00 00 00 00 00 00 09 00 00 00 00 00 00 00 0b"))).toEqual({
      offset: 7,
      leaderEpoch: -1,
      metadata: "",
      commitTimestamp: 9,
      expireTimestamp: 11,
    });
    // v4 is flexible: compact string (length + 1) and an empty tagged field section
    expect(decodeOffsetCommitValue(bytes("00 04 00 00 00 00 00 00 00 07 00 00 00 03 02 6d 00 00 00 00 00 00 00 09 00"))).toEqual({
      offset: 7,
      leaderEpoch: 3,
      metadata: "m",
      commitTimestamp: 9,
    });
  });

  it("rejects truncated or overlong bytes with CORRUPT_MESSAGE", () => {
    const key = encodeOffsetCommitKey({ group: "g", topic: "t", partition: 0 });
    for (const bad of [key.subarray(0, key.length - 1), new Uint8Array([...key, 0]), bytes("00 01 00 09 67")]) {
      let error: unknown;
      try {
        decodeOffsetsKey(bad);
      } catch (e) {
        error = e;
      }
      expect(isEdgelogError(error, "CORRUPT_MESSAGE")).toBe(true);
    }
    expect(() => decodeOffsetCommitValue(bytes("00 09 00"))).toThrow(/Unknown offset commit value version 9/);
  });

  it("refuses strings that do not fit a Kafka string", () => {
    expect(() => encodeOffsetCommitKey({ group: "g".repeat(0x8000), topic: "t", partition: 0 })).toThrow(RangeError);
  });
});
