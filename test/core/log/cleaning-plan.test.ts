import { describe, expect, it } from "vitest";
import { planCleaning, type CleaningPlanInput } from "../../../src/core/log/cleaning-plan.ts";

const seg = (baseOffset: number, sizeInBytes: number, largestTimestamp = 0) => ({ baseOffset, sizeInBytes, largestTimestamp });

function input(overrides: Partial<CleaningPlanInput> = {}): CleaningPlanInput {
  return {
    segments: [seg(0, 100), seg(10, 100), seg(20, 100), seg(30, 0)],
    logStartOffset: 0,
    logEndOffset: 30,
    highWatermark: 30,
    checkpoint: undefined,
    now: 1000,
    minCompactionLagMs: 0,
    ...overrides,
  };
}

describe("planCleaning()", () => {
  it("treats every closed segment as dirty without a checkpoint and never includes the active segment", () => {
    expect(planCleaning(input())).toEqual({ firstDirtyOffset: 0, firstUncleanableOffset: 30, cleanableSegments: 3, cleanBytes: 0, dirtyBytes: 300, dirtyRatio: 1 });
  });

  it("splits clean and dirty bytes at the checkpoint, counting a segment that holds it as dirty", () => {
    expect(planCleaning(input({ checkpoint: 20 }))).toMatchObject({ firstDirtyOffset: 20, cleanBytes: 200, dirtyBytes: 100, dirtyRatio: 1 / 3 });
    expect(planCleaning(input({ checkpoint: 15 }))).toMatchObject({ cleanBytes: 100, dirtyBytes: 200 });
  });

  it("falls back to the log start when the checkpoint is below it or past the log end", () => {
    expect(planCleaning(input({ checkpoint: 5, logStartOffset: 10 })).firstDirtyOffset).toBe(10);
    expect(planCleaning(input({ checkpoint: 31 })).firstDirtyOffset).toBe(0);
  });

  it("stops at the high watermark and at the first dirty segment younger than min.compaction.lag.ms", () => {
    expect(planCleaning(input({ highWatermark: 25 }))).toMatchObject({ cleanableSegments: 2, firstUncleanableOffset: 20 });
    const aged = [seg(0, 100, 100), seg(10, 100, 950), seg(20, 100, 100), seg(30, 0)];
    expect(planCleaning(input({ segments: aged, minCompactionLagMs: 100 }))).toMatchObject({ cleanableSegments: 1, firstUncleanableOffset: 10, dirtyRatio: 1 });
    // A clean segment with recent records does not hold compaction back.
    expect(planCleaning(input({ segments: aged, minCompactionLagMs: 100, checkpoint: 20 }))).toMatchObject({ cleanableSegments: 3 });
  });

  it("has nothing to clean in a log of one segment", () => {
    expect(planCleaning(input({ segments: [seg(0, 500)] }))).toEqual({ firstDirtyOffset: 0, firstUncleanableOffset: 0, cleanableSegments: 0, cleanBytes: 0, dirtyBytes: 0, dirtyRatio: 0 });
  });
});
