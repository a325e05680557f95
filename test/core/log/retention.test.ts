import { describe, expect, it } from "vitest";
import { memoryFileSystem } from "../../../src/adapters/memory/file-system.ts";
import { manualClock } from "../../../src/core/ports/clock.ts";
import { segmentsToDelete } from "../../../src/core/log/retention.ts";
import { batchOf, openTestLog, readAll, recordsIn } from "./helpers.ts";

const T0 = 1_700_000_000_000;
const HOUR = 3_600_000;

/** Three closed segments of 3 batches each (timestamps T0, T0+1h, T0+2h) and an active one. */
async function fourSegments(overrides: Parameters<typeof openTestLog>[2] = {}) {
  const fs = memoryFileSystem();
  const clock = manualClock(T0);
  const log = await openTestLog(fs, clock, { retentionMs: 10 * HOUR, ...overrides });
  for (let s = 0; s < 4; s++) {
    for (let i = 0; i < 3; i++) await log.append(batchOf([`s${s}-${i}`], { timestamp: T0 + s * HOUR }));
    if (s < 3) await log.roll();
  }
  return { fs, clock, log };
}

describe("segmentsToDelete()", () => {
  const seg = (baseOffset: number, sizeInBytes: number, largestTimestamp: number) => ({ baseOffset, sizeInBytes, largestTimestamp });
  const base = { now: 1000, highWatermark: 100, logStartOffset: 0, retentionMs: -1, retentionBytes: -1, deletePolicy: true };

  it("deletes by age only a prefix of closed segments", () => {
    const segments = [seg(0, 10, 100), seg(10, 10, 900), seg(20, 10, 100), seg(30, 10, 0)];
    expect(segmentsToDelete({ ...base, segments, retentionMs: 500 })).toBe(1);
    expect(segmentsToDelete({ ...base, segments, retentionMs: 50 })).toBe(3);
  });

  it("deletes by size while the rest still reaches retention.bytes", () => {
    const segments = [seg(0, 10, 0), seg(10, 10, 0), seg(20, 10, 0), seg(30, 5, 0)];
    expect(segmentsToDelete({ ...base, segments, retentionBytes: 25 })).toBe(1);
    expect(segmentsToDelete({ ...base, segments, retentionBytes: 15 })).toBe(2);
    expect(segmentsToDelete({ ...base, segments, retentionBytes: 0 })).toBe(3);
  });

  it("never deletes the active segment or one reaching past the high watermark", () => {
    const segments = [seg(0, 10, 0), seg(10, 10, 0), seg(20, 10, 0)];
    expect(segmentsToDelete({ ...base, segments, retentionMs: 0 })).toBe(2);
    expect(segmentsToDelete({ ...base, segments, retentionMs: 0, highWatermark: 15 })).toBe(1);
    expect(segmentsToDelete({ ...base, segments: [seg(0, 10, 0)], retentionMs: 0, retentionBytes: 0 })).toBe(0);
  });

  it("without the delete policy removes only segments below the log start offset", () => {
    const segments = [seg(0, 10, 0), seg(10, 10, 0), seg(20, 10, 0)];
    expect(segmentsToDelete({ ...base, segments, retentionMs: 0, deletePolicy: false, logStartOffset: 12 })).toBe(1);
    expect(segmentsToDelete({ ...base, segments, deletePolicy: false, logStartOffset: 20 })).toBe(2);
  });
});

describe("PartitionLog retention", () => {
  it("retention.ms deletes closed segments older than the limit and moves the log start", async () => {
    const { fs, clock, log } = await fourSegments();
    clock.set(T0 + 11.5 * HOUR);
    expect(await log.applyRetention()).toEqual({ deletedSegments: 2, deletedBytes: 6 * batchOf(["s0-0"]).length });
    expect(log.logStartOffset).toBe(6);
    expect(log.segmentCount).toBe(2);
    expect((await fs.list("data/t-0")).filter((n) => /^0+[0-5]\./.test(n))).toEqual([]);
    await expect(log.read(5)).rejects.toMatchObject({ code: "OFFSET_OUT_OF_RANGE", details: { logStartOffset: 6, logEndOffset: 12 } });
    expect((await readAll(log)).map((r) => r.value)[0]).toBe("s2-0");
  });

  it("retention.ms never deletes the active segment, however old", async () => {
    const { clock, log } = await fourSegments();
    clock.set(T0 + 1000 * HOUR);
    expect((await log.applyRetention()).deletedSegments).toBe(3);
    expect(log.segmentCount).toBe(1);
    expect(log.logStartOffset).toBe(9);
    expect((await readAll(log)).map((r) => r.value)).toEqual(["s3-0", "s3-1", "s3-2"]);
  });

  it("retention.bytes deletes the oldest closed segments while the rest stays above the limit", async () => {
    const size = batchOf(["s0-0"]).length * 3;
    const { log } = await fourSegments({ retentionMs: -1, retentionBytes: 2 * size });
    expect(log.sizeInBytes).toBe(4 * size);
    expect(await log.applyRetention()).toEqual({ deletedSegments: 2, deletedBytes: 2 * size });
    expect(log.sizeInBytes).toBe(2 * size);
    expect(log.logStartOffset).toBe(6);
    expect((await log.applyRetention()).deletedSegments).toBe(0);
  });

  it("does nothing by time or size when cleanup.policy is compact", async () => {
    const { clock, log } = await fourSegments({ cleanupPolicy: ["compact"], retentionBytes: 0 });
    clock.set(T0 + 1000 * HOUR);
    expect((await log.applyRetention()).deletedSegments).toBe(0);
  });

  it("keeps segments above the high watermark", async () => {
    const { clock, log } = await fourSegments();
    log.setHighWatermark(4);
    clock.set(T0 + 1000 * HOUR);
    expect((await log.applyRetention()).deletedSegments).toBe(1);
    expect(log.logStartOffset).toBe(3);
  });

  it("a read in flight finishes on a segment that retention deletes", async () => {
    const { clock, log } = await fourSegments();
    const reading = log.read(0);
    clock.set(T0 + 1000 * HOUR);
    const retention = log.applyRetention();
    expect(recordsIn((await reading).bytes).map((r) => r.value)).toEqual(["s0-0", "s0-1", "s0-2"]);
    expect((await retention).deletedSegments).toBe(3);
  });
});

describe("PartitionLog.deleteRecordsBefore()", () => {
  it("moves the log start, deletes whole segments below it, and never moves back", async () => {
    const { log } = await fourSegments();
    expect(await log.deleteRecordsBefore(4)).toBe(4);
    expect(log.segmentCount).toBe(3);
    await expect(log.read(3)).rejects.toMatchObject({ code: "OFFSET_OUT_OF_RANGE" });
    const read = await log.read(4);
    expect(read.firstOffset).toBe(4);
    expect(recordsIn(read.bytes).map((r) => r.offset)).toEqual([4, 5]);
    expect(await log.deleteRecordsBefore(2)).toBe(4);
    expect(log.logStartOffset).toBe(4);
  });

  it("may stop inside a batch: a read at the new log start returns that whole batch", async () => {
    const log = await openTestLog(memoryFileSystem(), manualClock(T0));
    await log.append(batchOf(["a", "b", "c"]));
    await log.append(batchOf(["d"]));
    expect(await log.deleteRecordsBefore(1)).toBe(1);
    await expect(log.read(0)).rejects.toMatchObject({ code: "OFFSET_OUT_OF_RANGE" });
    const read = await log.read(1);
    expect(read.firstOffset).toBe(0);
    expect(read.logStartOffset).toBe(1);
    expect(recordsIn(read.bytes).map((r) => r.value)).toEqual(["a", "b", "c", "d"]);
  });

  it("is OFFSET_OUT_OF_RANGE past the high watermark and takes -1 as the high watermark", async () => {
    const { log } = await fourSegments();
    log.setHighWatermark(10);
    await expect(log.deleteRecordsBefore(11)).rejects.toMatchObject({ code: "OFFSET_OUT_OF_RANGE" });
    expect(await log.deleteRecordsBefore(-1)).toBe(10);
    expect(log.segmentCount).toBe(1);
  });

  it("lets the log start reach the log end; the active segment stays", async () => {
    const { log } = await fourSegments();
    expect(await log.deleteRecordsBefore(12)).toBe(12);
    expect(log.segmentCount).toBe(1);
    expect((await log.read(12)).bytes.length).toBe(0);
    await log.append(batchOf(["next"]));
    expect(recordsIn((await log.read(12)).bytes).map((r) => r.value)).toEqual(["next"]);
  });
});

describe("PartitionLog.truncateTo()", () => {
  it("drops everything from the batch holding the offset on and lets the offsets be reused", async () => {
    const log = await openTestLog(memoryFileSystem(), manualClock(T0), { indexIntervalBytes: 1 });
    await log.append(batchOf(["a", "b"]));
    await log.append(batchOf(["c", "d"]));
    await log.append(batchOf(["e"]));
    await log.truncateTo(3);
    expect(log.logEndOffset).toBe(2);
    expect(log.highWatermark).toBe(2);
    await log.append(batchOf(["C", "D", "E"]));
    expect((await readAll(log)).map((r) => [r.offset, r.value])).toEqual([[0, "a"], [1, "b"], [2, "C"], [3, "D"], [4, "E"]]);
  });

  it("removes later segments and truncates the one holding the offset", async () => {
    const { fs, log } = await fourSegments();
    await log.truncateTo(4);
    expect(log.segmentCount).toBe(2);
    expect(log.logEndOffset).toBe(4);
    expect(log.recoveryPoint).toBeLessThanOrEqual(4);
    expect((await fs.list("data/t-0")).filter((n) => n.endsWith(".log")).sort()).toEqual(["00000000000000000000.log", "00000000000000000003.log"]);
    await log.append(batchOf(["new"], { timestamp: T0 }));
    expect((await readAll(log)).map((r) => r.value)).toEqual(["s0-0", "s0-1", "s0-2", "s1-0", "new"]);
  });

  it("to a segment's base offset empties that segment", async () => {
    const { log } = await fourSegments();
    await log.truncateTo(6);
    expect(log.logEndOffset).toBe(6);
    expect(log.segmentCount).toBe(3);
  });

  it("below the first segment starts the log afresh at that offset", async () => {
    const { log } = await fourSegments();
    await log.deleteRecordsBefore(9);
    await log.truncateTo(2);
    expect(log.segmentCount).toBe(1);
    expect([log.logStartOffset, log.logEndOffset]).toEqual([2, 2]);
    await log.append(batchOf(["x"]));
    expect((await readAll(log)).map((r) => [r.offset, r.value])).toEqual([[2, "x"]]);
  });

  it("past the log end changes nothing", async () => {
    const { log } = await fourSegments();
    await log.truncateTo(50);
    expect(log.logEndOffset).toBe(12);
  });

  it("survives a crash and reopen with the new data", async () => {
    const fs = memoryFileSystem();
    const log = await openTestLog(fs, manualClock(T0));
    for (let i = 0; i < 5; i++) await log.append(batchOf([`old-${i}`]));
    await log.flush();
    await log.truncateTo(2);
    await log.append(batchOf(["new-2"]));
    await log.flush();
    fs.crash({ keepUnsynced: "none" });
    const reopened = await openTestLog(fs, manualClock(T0), {}, { recoveryPoint: log.recoveryPoint, cleanShutdown: false });
    expect((await readAll(reopened)).map((r) => r.value)).toEqual(["old-0", "old-1", "new-2"]);
  });
});
