import { describe, expect, it } from "vitest";
import { isEdgelogError } from "../../../src/core/errors.ts";
import { resolveStartOffset, resolveStartOffsets } from "../../../src/core/group/offset-reset-policy.ts";

const q = (committed: number, partition = 0) => ({ topic: "t", partition, committed, logStartOffset: 3, logEndOffset: 9 });

describe("resolveStartOffsets()", () => {
  it("starts at the committed offset when there is one inside the log", () => {
    expect(resolveStartOffset(q(5), "none")).toBe(5);
    expect(resolveStartOffset(q(9), "earliest")).toBe(9);
  });

  it("applies earliest and latest when there is no committed offset or it fell out of the log", () => {
    expect(resolveStartOffset(q(-1), "earliest")).toBe(3);
    expect(resolveStartOffset(q(-1), "latest")).toBe(9);
    expect(resolveStartOffset(q(1), "earliest")).toBe(3);
    expect(resolveStartOffset(q(12), "latest")).toBe(9);
  });

  it("with none, fails naming every partition without an offset, as Kafka's NoOffsetForPartitionException", () => {
    let error: unknown;
    try {
      resolveStartOffsets([q(-1, 0), q(4, 1), q(-1, 2)], "none");
    } catch (e) {
      error = e;
    }
    expect(isEdgelogError(error, "OFFSET_OUT_OF_RANGE")).toBe(true);
    expect((error as Error).message).toBe("Undefined offset with no reset policy for partitions: [t-0, t-2]");
    expect(() => resolveStartOffset(q(-1), "none")).toThrow("Undefined offset with no reset policy for partitions: [t-0]");
  });

  it("with none, fails on a committed offset outside the log", () => {
    expect(() => resolveStartOffset(q(1), "none")).toThrow("Offsets out of range with no configured reset policy for partitions: {t-0=1}");
  });

  it("rejects an unknown policy", () => {
    expect(() => resolveStartOffset(q(1), "smallest" as never)).toThrow(/auto.offset.reset/);
  });
});
