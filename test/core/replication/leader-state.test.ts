import { describe, expect, it } from "vitest";
import { memoryFileSystem } from "../../../src/adapters/memory/file-system.ts";
import { openPartitionLog } from "../../../src/core/log/partition-log.ts";
import { manualClock } from "../../../src/core/ports/clock.ts";
import { LeaderState } from "../../../src/core/replication/leader-state.ts";
import { replicationConfig } from "../../../src/core/replication/replication-config.ts";
import { batchOf, testConfig } from "../log/helpers.ts";

describe("LeaderState", () => {
  it("start() moves a stale high watermark of a leader alone in its ISR to the log end before it writes the epoch cache", async () => {
    const clock = manualClock(1_700_000_000_000);
    const log = await openPartitionLog({ fs: memoryFileSystem(), clock, dir: "data/t-0", topic: "t", partition: 0, config: testConfig({ minInsyncReplicas: 1 }) });
    await log.append(batchOf(["a", "b", "c"], { timestamp: clock.now() }), { leaderEpoch: 0 });
    log.setHighWatermark(0); // as restored from a checkpoint written before the records
    const state = { topic: "t", partition: 0, replicas: [1, 2], leader: 1, leaderEpoch: 1, isr: [1], version: 1 };
    const leader = new LeaderState({
      log,
      state,
      localBrokerId: 1,
      clock,
      config: replicationConfig(),
      alterIsr: () => Promise.reject(new Error("no ISR change expected")),
      currentState: () => state,
    });
    const started = leader.start();
    // nothing awaited yet: a reader at this moment (the admin API, a describe) sees the log end
    expect(log.highWatermark).toBe(3);
    await started;
    expect(log.leaderEpochCache.entries()).toEqual([
      { epoch: 0, startOffset: 0 },
      { epoch: 1, startOffset: 3 },
    ]);
    expect(log.highWatermark).toBe(3);
    leader.stop();
    await log.close();
  });
});
