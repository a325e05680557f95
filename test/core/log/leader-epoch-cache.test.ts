import { describe, expect, it } from "vitest";
import { memoryFileSystem } from "../../../src/adapters/memory/file-system.ts";
import { LeaderEpochCache } from "../../../src/core/log/leader-epoch-cache.ts";

describe("LeaderEpochCache", () => {
  it("records only newer epochs and answers end offsets as OffsetsForLeaderEpoch", () => {
    const cache = new LeaderEpochCache(memoryFileSystem(), "x");
    expect(cache.latestEpoch).toBe(-1);
    expect(cache.assign(1, 0)).toBe(true);
    expect(cache.assign(1, 10)).toBe(false);
    expect(cache.assign(0, 20)).toBe(false);
    expect(cache.assign(4, 30)).toBe(true);
    expect(cache.assign(5, 20)).toBe(false);
    expect(cache.entries()).toEqual([{ epoch: 1, startOffset: 0 }, { epoch: 4, startOffset: 30 }]);
    expect(cache.endOffsetFor(0, 50)).toEqual({ epoch: -1, endOffset: -1 });
    expect(cache.endOffsetFor(1, 50)).toEqual({ epoch: 1, endOffset: 30 });
    expect(cache.endOffsetFor(3, 50)).toEqual({ epoch: 1, endOffset: 30 });
    expect(cache.endOffsetFor(4, 50)).toEqual({ epoch: 4, endOffset: 50 });
    expect(cache.endOffsetFor(9, 50)).toEqual({ epoch: 4, endOffset: 50 });
  });

  it("truncates from the end and from the start", () => {
    const cache = new LeaderEpochCache(memoryFileSystem(), "x");
    cache.assign(0, 0);
    cache.assign(1, 10);
    cache.assign(2, 20);
    expect(cache.truncateFromStart(15)).toBe(true);
    expect(cache.entries()).toEqual([{ epoch: 1, startOffset: 15 }, { epoch: 2, startOffset: 20 }]);
    expect(cache.truncateFromEnd(20)).toBe(true);
    expect(cache.entries()).toEqual([{ epoch: 1, startOffset: 15 }]);
    expect(cache.truncateFromEnd(99)).toBe(false);
  });

  it("persists in Kafka's leader-epoch-checkpoint format and loads it back", async () => {
    const fs = memoryFileSystem();
    await fs.mkdir("t-0");
    const cache = new LeaderEpochCache(fs, "t-0/leader-epoch-checkpoint");
    cache.assign(0, 0);
    cache.assign(3, 57);
    await cache.persist();
    expect(new TextDecoder().decode(await fs.readFile("t-0/leader-epoch-checkpoint"))).toBe("0\n2\n0 0\n3 57\n");
    const loaded = await LeaderEpochCache.load(fs, "t-0/leader-epoch-checkpoint");
    expect(loaded.entries()).toEqual(cache.entries());
  });

  it("loads a missing file as empty and a malformed one as empty with a warning", async () => {
    const fs = memoryFileSystem();
    await fs.mkdir("t-0");
    expect((await LeaderEpochCache.load(fs, "t-0/leader-epoch-checkpoint")).entries()).toEqual([]);
    await fs.writeFile("t-0/leader-epoch-checkpoint", new TextEncoder().encode("0\n1\nnot numbers\n"));
    const warnings: string[] = [];
    const cache = await LeaderEpochCache.load(fs, "t-0/leader-epoch-checkpoint", (m) => warnings.push(m));
    expect(cache.entries()).toEqual([]);
    expect(warnings).toHaveLength(1);
  });
});
