import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { newTopicId, topicIdFromBytes, topicIdToBytes, ZERO_TOPIC_ID } from "../../../src/core/topic/topic-id.ts";

describe("topic ids", () => {
  it("newTopicId() makes 22 base64url characters that never start with '-'", () => {
    const ids = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const id = newTopicId();
      expect(id).toMatch(/^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/);
      ids.add(id);
    }
    expect(ids.size).toBe(200);
  });

  it("newTopicId() sets the version 4 UUID bits, as Java's randomUUID does", () => {
    const bytes = topicIdToBytes(newTopicId((b) => b.fill(0xff)));
    expect(bytes[6]! >> 4).toBe(4);
    expect(bytes[8]! >> 6).toBe(2);
  });

  it("newTopicId() draws again when an id would start with '-'", () => {
    let calls = 0;
    const id = newTopicId((b) => {
      calls++;
      b.fill(calls === 1 ? 0xf8 : 0x01); // 0xf8 starts with 62, which base64url prints as '-'
    });
    expect(calls).toBe(2);
    expect(id.startsWith("-")).toBe(false);
  });

  it("topicIdFromBytes() prints Kafka's zero id and Uuid examples", () => {
    expect(topicIdFromBytes(new Uint8Array(16))).toBe(ZERO_TOPIC_ID);
    // Kafka's Uuid.METADATA_TOPIC_ID is new Uuid(0, 1), printed "AAAAAAAAAAAAAAAAAAAAAQ".
    const one = new Uint8Array(16);
    one[15] = 1;
    expect(topicIdFromBytes(one)).toBe("AAAAAAAAAAAAAAAAAAAAAQ");
  });

  it("topicIdToBytes() reads back what topicIdFromBytes() prints", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), (bytes) => {
        expect(topicIdToBytes(topicIdFromBytes(bytes))).toEqual(bytes);
      }),
    );
  });

  it("topicIdToBytes() refuses text that is not a topic id", () => {
    for (const text of ["", "abc", "AAAAAAAAAAAAAAAAAAAAAB", "AAAAAAAAAAAAAAAAAAAAA=", `${ZERO_TOPIC_ID}A`]) {
      expect(() => topicIdToBytes(text), text).toThrow(RangeError);
    }
  });
});
