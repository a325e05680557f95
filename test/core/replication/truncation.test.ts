import { describe, expect, it } from "vitest";
import { memoryFileSystem } from "../../../src/adapters/memory/file-system.ts";
import { LeaderEpochCache } from "../../../src/core/log/leader-epoch-cache.ts";
import { manualClock } from "../../../src/core/ports/clock.ts";
import { truncateLog, truncationPoint } from "../../../src/core/replication/truncation.ts";
import { batchOf, openTestLog } from "../log/helpers.ts";

function cache(entries: Array<[number, number]>): LeaderEpochCache {
  const c = new LeaderEpochCache(memoryFileSystem(), "epochs");
  for (const [epoch, start] of entries) c.assign(epoch, start);
  return c;
}

describe("truncationPoint()", () => {
  it("cuts at the smaller end offset of an epoch both replicas have", () => {
    const follower = cache([
      [0, 0],
      [2, 50],
    ]);
    expect(truncationPoint({ epoch: 2, endOffset: 70 }, follower, 80)).toEqual({ offset: 70, complete: true });
    expect(truncationPoint({ epoch: 2, endOffset: 90 }, follower, 80)).toEqual({ offset: 80, complete: true });
    expect(truncationPoint({ epoch: 0, endOffset: 40 }, follower, 80)).toEqual({ offset: 40, complete: true });
  });

  it("cuts where the follower's largest older epoch ends and asks again when it lacks the leader's epoch (KIP-279)", () => {
    const follower = cache([
      [0, 0],
      [2, 50],
    ]);
    // The leader has epoch 1 (ending at 60), the follower went from 0 straight to 2.
    expect(truncationPoint({ epoch: 1, endOffset: 60 }, follower, 80)).toEqual({ offset: 50, complete: false });
  });

  it("drops every epoch the leader cannot vouch for", () => {
    const follower = cache([
      [3, 10],
      [4, 30],
    ]);
    expect(truncationPoint({ epoch: -1, endOffset: -1 }, follower, 40)).toEqual({ offset: 10, complete: true });
    // The leader's answer is older than every epoch the follower has.
    expect(truncationPoint({ epoch: 1, endOffset: 35 }, follower, 40)).toEqual({ offset: 10, complete: true });
    expect(truncationPoint({ epoch: 1, endOffset: 5 }, follower, 40)).toEqual({ offset: 5, complete: true });
  });

  it("never points past the follower's log end", () => {
    expect(truncationPoint({ epoch: 0, endOffset: 100 }, cache([[0, 0]]), 7)).toEqual({ offset: 7, complete: true });
  });
});

describe("truncateLog()", () => {
  it("cuts the log and its leader epoch cache", async () => {
    const fs = memoryFileSystem();
    const log = await openTestLog(fs, manualClock());
    await log.append(batchOf(["a", "b"]), { leaderEpoch: 0 });
    await log.append(batchOf(["c"]), { leaderEpoch: 1 });
    await truncateLog(log, 2);
    expect(log.logEndOffset).toBe(2);
    expect(log.leaderEpochCache.entries()).toEqual([{ epoch: 0, startOffset: 0 }]);
    await log.close();
  });

  it("drops an epoch a former leader recorded without writing in it, even with nothing to cut", async () => {
    const fs = memoryFileSystem();
    const log = await openTestLog(fs, manualClock());
    await log.append(batchOf(["a"]), { leaderEpoch: 0 });
    log.leaderEpochCache.assign(1, 1);
    await truncateLog(log, 5);
    expect(log.logEndOffset).toBe(1);
    expect(log.leaderEpochCache.latestEpoch).toBe(0);
    const reloaded = await LeaderEpochCache.load(fs, log.leaderEpochCache.path);
    expect(reloaded.entries()).toEqual([{ epoch: 0, startOffset: 0 }]);
    await log.close();
  });
});
