import { describe, expect, it } from "vitest";
import { memoryFileSystem } from "../../../src/adapters/memory/file-system.ts";
import { EdgelogError } from "../../../src/core/errors.ts";
import { manualClock } from "../../../src/core/ports/clock.ts";
import { BatchHeader } from "../../../src/core/record/batch-header.ts";
import { batchOf, concat, countingFileSystem, openTestLog, readAll, recordsIn, segmentFiles, wrapFileSystem, wrapHandle } from "./helpers.ts";

const T0 = 1_700_000_000_000;

describe("PartitionLog append and read", () => {
  it("append() assigns consecutive offsets across batches and appends", async () => {
    const log = await openTestLog(memoryFileSystem(), manualClock(T0));
    const a = await log.append(batchOf(["a", "b", "c"]));
    const b = await log.append(concat(batchOf(["d"]), batchOf(["e", "f"])));
    expect(a).toEqual({ baseOffset: 0, lastOffset: 2, logAppendTime: -1, recordCount: 3, batchCount: 1 });
    expect(b).toEqual({ baseOffset: 3, lastOffset: 5, logAppendTime: -1, recordCount: 3, batchCount: 2 });
    expect(log.logEndOffset).toBe(6);
    expect(log.highWatermark).toBe(6);
    expect((await readAll(log)).map((r) => [r.offset, r.value])).toEqual([
      [0, "a"], [1, "b"], [2, "c"], [3, "d"], [4, "e"], [5, "f"],
    ]);
  });

  it("read() returns whole batches byte-identical to what was stored", async () => {
    const fs = memoryFileSystem();
    const log = await openTestLog(fs, manualClock(T0));
    const first = batchOf(["x", "y"]);
    const second = batchOf(["z"]);
    await log.append(first);
    await log.append(second);
    const read = await log.read(0);
    // append() patched the base offsets in place, so the inputs now equal the stored bytes.
    expect(read.bytes).toEqual(concat(first, second));
    expect(read.bytes).toEqual(fs.snapshot().get("data/t-0/00000000000000000000.log"));
    expect(read).toMatchObject({ firstOffset: 0, nextOffset: 3, highWatermark: 3, logStartOffset: 0, logEndOffset: 3 });
  });

  it("read() from the middle of a batch returns that whole batch", async () => {
    const log = await openTestLog(memoryFileSystem(), manualClock(T0));
    await log.append(batchOf(["a", "b"]));
    await log.append(batchOf(["c", "d", "e"]));
    const read = await log.read(3);
    expect(read.firstOffset).toBe(2);
    expect(read.nextOffset).toBe(5);
    expect(recordsIn(read.bytes).map((r) => r.value)).toEqual(["c", "d", "e"]);
  });

  it("read() honours maxBytes and returns the first batch even when larger, unless minOneBatch is false", async () => {
    const log = await openTestLog(memoryFileSystem(), manualClock(T0));
    const big = batchOf(["x".repeat(500)]);
    await log.append(big);
    await log.append(batchOf(["small"]));
    const one = await log.read(0, { maxBytes: 10 });
    expect(one.bytes.length).toBe(big.length);
    expect(one.nextOffset).toBe(1);
    const none = await log.read(0, { maxBytes: 10, minOneBatch: false });
    expect(none.bytes.length).toBe(0);
    expect(none.nextOffset).toBe(0);
    const both = await log.read(0, { maxBytes: 100_000 });
    expect(recordsIn(both.bytes)).toHaveLength(2);
    const exact = await log.read(0, { maxBytes: big.length });
    expect(exact.bytes.length).toBe(big.length);
  });

  it("read() at the log end is empty and outside [logStartOffset, logEndOffset] is OFFSET_OUT_OF_RANGE", async () => {
    const log = await openTestLog(memoryFileSystem(), manualClock(T0));
    await log.append(batchOf(["a", "b"]));
    const atEnd = await log.read(2);
    expect(atEnd.bytes.length).toBe(0);
    expect(atEnd.nextOffset).toBe(2);
    for (const bad of [3, -1, 1.5]) {
      const error = await log.read(bad).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(EdgelogError);
      expect((error as EdgelogError).code).toBe("OFFSET_OUT_OF_RANGE");
      expect((error as EdgelogError).details).toMatchObject({ logStartOffset: 0, logEndOffset: 2 });
    }
  });

  it("read() stops at maxOffset: only batches that end below it", async () => {
    const log = await openTestLog(memoryFileSystem(), manualClock(T0));
    await log.append(batchOf(["a", "b"]));
    await log.append(batchOf(["c", "d"]));
    expect(recordsIn((await log.read(0, { maxOffset: 3 })).bytes).map((r) => r.offset)).toEqual([0, 1]);
    expect((await log.read(2, { maxOffset: 3 })).bytes.length).toBe(0);
    log.setHighWatermark(2);
    expect(recordsIn((await log.read(0)).bytes).map((r) => r.offset)).toEqual([0, 1]);
    expect(recordsIn((await log.read(0, { maxOffset: 4 })).bytes).map((r) => r.offset)).toEqual([0, 1, 2, 3]);
  });

  it("setHighWatermark() clamps to the log and stops the high watermark following appends", async () => {
    const log = await openTestLog(memoryFileSystem(), manualClock(T0));
    await log.append(batchOf(["a", "b"]));
    log.setHighWatermark(99);
    expect(log.highWatermark).toBe(2);
    log.setHighWatermark(-5);
    expect(log.highWatermark).toBe(0);
    await log.append(batchOf(["c"]));
    expect(log.highWatermark).toBe(0);
    log.setHighWatermark(3);
    expect(log.highWatermark).toBe(3);
  });

  it("concurrent appends are serialized and never share offsets", async () => {
    const log = await openTestLog(memoryFileSystem(), manualClock(T0), { segmentBytes: 2048 });
    const infos = await Promise.all(Array.from({ length: 50 }, (_, i) => log.append(batchOf([`v${i}`, `w${i}`]))));
    const ranges = infos.map((i) => [i.baseOffset, i.lastOffset]).sort((a, b) => a[0]! - b[0]!);
    ranges.forEach(([base, last], i) => expect([base, last]).toEqual([i * 2, i * 2 + 1]));
    const all = await readAll(log);
    expect(all.map((r) => r.offset)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(log.segmentCount).toBeGreaterThan(1);
  });

  it("reads run while an append is in flight and never see it half written", async () => {
    const inner = memoryFileSystem();
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => (release = r));
    let hold = false;
    const fs = wrapFileSystem(inner, (h) =>
      wrapHandle(h, {
        append: async (data) => {
          const n = await h.append(data);
          if (hold) await gate;
          return n;
        },
      }),
    );
    const log = await openTestLog(fs, manualClock(T0));
    await log.append(batchOf(["a"]));
    hold = true;
    const pending = log.append(batchOf(["b"]));
    await new Promise((r) => setTimeout(r, 5));
    const read = await log.read(0);
    expect(recordsIn(read.bytes).map((r) => r.value)).toEqual(["a"]);
    expect(log.logEndOffset).toBe(1);
    release();
    await pending;
    expect(log.logEndOffset).toBe(2);
  });
});

describe("PartitionLog append validation", () => {
  it("a corrupt batch is CORRUPT_MESSAGE and leaves the segment unchanged", async () => {
    const fs = memoryFileSystem();
    const log = await openTestLog(fs, manualClock(T0));
    await log.append(batchOf(["ok"]));
    const before = fs.snapshot().get("data/t-0/00000000000000000000.log");
    const good = batchOf(["fine"]);
    const bad = batchOf(["bad"]);
    bad[bad.length - 1]! ^= 0xff;
    for (const input of [concat(good, bad), bad.subarray(0, 40), new Uint8Array([1, 2, 3])]) {
      await expect(log.append(input)).rejects.toMatchObject({ code: "CORRUPT_MESSAGE" });
    }
    expect(fs.snapshot().get("data/t-0/00000000000000000000.log")).toEqual(before);
    expect(log.logEndOffset).toBe(1);
  });

  it("a batch over max.message.bytes is MESSAGE_TOO_LARGE and leaves the segment unchanged", async () => {
    const fs = memoryFileSystem();
    const log = await openTestLog(fs, manualClock(T0), { maxMessageBytes: 200 });
    await log.append(batchOf(["ok"]));
    const before = fs.snapshot().get("data/t-0/00000000000000000000.log");
    await expect(log.append(concat(batchOf(["fine"]), batchOf(["x".repeat(300)])))).rejects.toMatchObject({ code: "MESSAGE_TOO_LARGE" });
    expect(fs.snapshot().get("data/t-0/00000000000000000000.log")).toEqual(before);
    expect(log.logEndOffset).toBe(1);
  });

  it("a replica append keeps a batch over max.message.bytes that its leader accepted", async () => {
    const log = await openTestLog(memoryFileSystem(), manualClock(T0), { maxMessageBytes: 200 });
    const big = batchOf(["x".repeat(300)]);
    await log.append(big, { assignOffsets: false });
    expect(log.logEndOffset).toBe(1);
  });

  it("an append larger than segment.bytes is RECORD_LIST_TOO_LARGE", async () => {
    const log = await openTestLog(memoryFileSystem(), manualClock(T0), { segmentBytes: 200 });
    await expect(log.append(batchOf(["x".repeat(300)]))).rejects.toMatchObject({ code: "RECORD_LIST_TOO_LARGE" });
  });

  it("a producer batch whose record count disagrees with its offset delta is CORRUPT_MESSAGE", async () => {
    const log = await openTestLog(memoryFileSystem(), manualClock(T0));
    const batch = batchOf(["a", "b"]);
    // recordsCount is covered by the CRC: rewrite it and fix the CRC.
    batch[60] = 3;
    new BatchHeader(batch).updateCrc();
    await expect(log.append(batch)).rejects.toMatchObject({ code: "CORRUPT_MESSAGE" });
  });

  it("a failed write is undone and reported as KAFKA_STORAGE_ERROR", async () => {
    const inner = memoryFileSystem();
    let fail = false;
    const fs = wrapFileSystem(inner, (h) =>
      wrapHandle(h, {
        append: async (data) => {
          if (!fail) return h.append(data);
          await h.append(data.subarray(0, 10));
          throw new Error("ENOSPC: no space left on device");
        },
      }),
    );
    const log = await openTestLog(fs, manualClock(T0));
    await log.append(batchOf(["a"]));
    const before = inner.snapshot().get("data/t-0/00000000000000000000.log");
    fail = true;
    await expect(log.append(batchOf(["b"]))).rejects.toMatchObject({ code: "KAFKA_STORAGE_ERROR" });
    expect(inner.snapshot().get("data/t-0/00000000000000000000.log")).toEqual(before);
    fail = false;
    expect(await log.append(batchOf(["c"]))).toMatchObject({ baseOffset: 1 });
    expect((await readAll(log)).map((r) => r.value)).toEqual(["a", "c"]);
  });
});

describe("PartitionLog replica appends and leader epochs", () => {
  it("assignOffsets false keeps the leader's offsets, allows gaps and rejects offsets below the log end", async () => {
    const log = await openTestLog(memoryFileSystem(), manualClock(T0));
    await log.append(batchOf(["a", "b"], { baseOffset: 0 }), { assignOffsets: false });
    await log.append(batchOf(["c"], { baseOffset: 5 }), { assignOffsets: false });
    expect(log.logEndOffset).toBe(6);
    expect((await readAll(log)).map((r) => r.offset)).toEqual([0, 1, 5]);
    await expect(log.append(batchOf(["d"], { baseOffset: 5 }), { assignOffsets: false })).rejects.toMatchObject({ code: "INVALID_REQUEST" });
    expect(log.logEndOffset).toBe(6);
  });

  it("leaderEpoch stamps every batch and the leader epoch cache records each new epoch's start", async () => {
    const fs = memoryFileSystem();
    const log = await openTestLog(fs, manualClock(T0));
    await log.append(batchOf(["a"]), { leaderEpoch: 0 });
    await log.append(batchOf(["b"]), { leaderEpoch: 0 });
    await log.append(batchOf(["c", "d"]), { leaderEpoch: 3 });
    const read = await log.read(3);
    expect(new BatchHeader(read.bytes).partitionLeaderEpoch).toBe(3);
    expect(new BatchHeader(read.bytes).isCrcValid()).toBe(true);
    expect(log.leaderEpochCache.entries()).toEqual([{ epoch: 0, startOffset: 0 }, { epoch: 3, startOffset: 2 }]);
    expect(new TextDecoder().decode(await fs.readFile("data/t-0/leader-epoch-checkpoint"))).toBe("0\n2\n0 0\n3 2\n");
    expect(log.leaderEpochCache.endOffsetFor(0, log.logEndOffset)).toEqual({ epoch: 0, endOffset: 2 });
    await log.truncateTo(2);
    expect(log.leaderEpochCache.entries()).toEqual([{ epoch: 0, startOffset: 0 }]);
  });
});

describe("PartitionLog timestamps", () => {
  it("LogAppendTime stamps the broker's time on each batch, with a valid CRC", async () => {
    const clock = manualClock(T0 + 5000);
    const log = await openTestLog(memoryFileSystem(), clock, { messageTimestampType: "LogAppendTime" });
    const info = await log.append(batchOf(["a", "b"], { timestamp: 1 }));
    expect(info.logAppendTime).toBe(T0 + 5000);
    const read = await log.read(0);
    const h = new BatchHeader(read.bytes);
    expect(h.timestampType).toBe("LogAppendTime");
    expect(h.maxTimestamp).toBe(T0 + 5000);
    expect(h.isCrcValid()).toBe(true);
    expect(recordsIn(read.bytes).map((r) => r.timestamp)).toEqual([T0 + 5000, T0 + 5000]);
  });

  it("offsetForTimestamp() finds the first record at or after a timestamp, across segments", async () => {
    const log = await openTestLog(memoryFileSystem(), manualClock(T0), { indexIntervalBytes: 1 });
    for (let i = 0; i < 30; i++) await log.append(batchOf([`a${i}`, `b${i}`], { timestamps: [T0 + i * 100, T0 + i * 100 + 50] }));
    await log.roll();
    for (let i = 30; i < 40; i++) await log.append(batchOf([`a${i}`, `b${i}`], { timestamps: [T0 + i * 100, T0 + i * 100 + 50] }));
    expect(await log.offsetForTimestamp(0)).toEqual({ offset: 0, timestamp: T0 });
    expect(await log.offsetForTimestamp(T0 + 1010)).toEqual({ offset: 21, timestamp: T0 + 1050 });
    expect(await log.offsetForTimestamp(T0 + 1050)).toEqual({ offset: 21, timestamp: T0 + 1050 });
    expect(await log.offsetForTimestamp(T0 + 3420)).toEqual({ offset: 69, timestamp: T0 + 3450 });
    expect(await log.offsetForTimestamp(T0 + 3951)).toBeNull();
  });

  it("offsetForTimestamp() handles timestamps that go backwards", async () => {
    const log = await openTestLog(memoryFileSystem(), manualClock(T0), { indexIntervalBytes: 1 });
    await log.append(batchOf(["a"], { timestamp: T0 + 500 }));
    await log.append(batchOf(["b"], { timestamp: T0 + 100 }));
    await log.append(batchOf(["c"], { timestamp: T0 + 900 }));
    expect(await log.offsetForTimestamp(T0 + 200)).toEqual({ offset: 0, timestamp: T0 + 500 });
    expect(await log.offsetForTimestamp(T0 + 600)).toEqual({ offset: 2, timestamp: T0 + 900 });
  });
});

describe("PartitionLog rolling", () => {
  it("rolls before an append that would push the active segment past segment.bytes", async () => {
    const fs = memoryFileSystem();
    const log = await openTestLog(fs, manualClock(T0), { segmentBytes: 300 });
    const size = batchOf(["0123456789"]).length;
    const perSegment = Math.floor(300 / size);
    for (let i = 0; i < perSegment * 3; i++) await log.append(batchOf(["0123456789"]));
    expect(log.segmentCount).toBe(3);
    const logs = (await segmentFiles(fs)).filter((n) => n.endsWith(".log"));
    expect(logs).toEqual([0, perSegment, perSegment * 2].map((b) => `${String(b).padStart(20, "0")}.log`));
    for (const name of logs) expect((await fs.stat(`data/t-0/${name}`))!.size).toBeLessThanOrEqual(300);
    expect((await readAll(log)).length).toBe(perSegment * 3);
    expect(log.recoveryPoint).toBe(perSegment * 2);
  });

  it("rolls when the new batches are more than segment.ms newer than the segment's first batch", async () => {
    const clock = manualClock(T0);
    const log = await openTestLog(memoryFileSystem(), clock, { segmentMs: 1000 });
    await log.append(batchOf(["a"], { timestamp: T0 }));
    await log.append(batchOf(["b"], { timestamp: T0 + 1000 }));
    expect(log.segmentCount).toBe(1);
    await log.append(batchOf(["c"], { timestamp: T0 + 1001 }));
    expect(log.segmentCount).toBe(2);
    expect((await readAll(log)).map((r) => r.value)).toEqual(["a", "b", "c"]);
  });

  it("rolls when the offset index is full, and trims index files to their entries", async () => {
    const fs = memoryFileSystem();
    // 96 bytes of index: 12 offset entries, 8 time entries; the time index fills first, after
    // 9 batches (the first batch of a segment gets no entry).
    const log = await openTestLog(fs, manualClock(T0), { segmentIndexBytes: 96, indexIntervalBytes: 1 });
    for (let i = 0; i < 20; i++) await log.append(batchOf([`v${i}`], { timestamp: T0 + i }));
    expect(log.segmentCount).toBe(3);
    expect((await fs.stat("data/t-0/00000000000000000000.index"))!.size).toBe(8 * 8);
    expect((await fs.stat("data/t-0/00000000000000000000.timeindex"))!.size).toBe(8 * 12);
    expect((await readAll(log)).length).toBe(20);
  });

  it("roll() starts a new segment at the log end and does nothing on an empty active segment", async () => {
    const log = await openTestLog(memoryFileSystem(), manualClock(T0));
    await log.roll();
    expect(log.segmentCount).toBe(1);
    await log.append(batchOf(["a", "b"]));
    await log.roll();
    await log.roll();
    expect(log.segmentCount).toBe(2);
    await log.append(batchOf(["c"]));
    expect((await log.read(2)).firstOffset).toBe(2);
    expect((await readAll(log)).map((r) => r.value)).toEqual(["a", "b", "c"]);
  });
});

describe("PartitionLog index use", () => {
  it("read() starts from the offset index entry instead of scanning the segment", async () => {
    const counting = countingFileSystem(memoryFileSystem());
    const log = await openTestLog(counting.fs, manualClock(T0), { indexIntervalBytes: 1024 });
    for (let i = 0; i < 400; i++) await log.append(batchOf([`value-${i}`.padEnd(100, ".")]));
    counting.reads.length = 0;
    const read = await log.read(390, { maxBytes: 1 });
    expect(recordsIn(read.bytes)[0]!.offset).toBe(390);
    const logReads = counting.reads.filter((r) => r.path.endsWith(".log"));
    expect(logReads.length).toBeLessThanOrEqual(2);
    const segmentSize = log.sizeInBytes;
    // The walk begins at most one index interval (plus a batch) before the batch.
    expect(logReads[0]!.position).toBeGreaterThan(segmentSize - 12 * 180 - 1024 - 200);
  });

  it("reads that need no index entry walk headers in chunks, not one read per batch", async () => {
    const counting = countingFileSystem(memoryFileSystem());
    const log = await openTestLog(counting.fs, manualClock(T0), { indexIntervalBytes: 1 << 20 });
    for (let i = 0; i < 300; i++) await log.append(batchOf([`v${i}`]));
    counting.reads.length = 0;
    await log.read(299);
    expect(counting.reads.filter((r) => r.path.endsWith(".log")).length).toBeLessThanOrEqual(2);
  });
});

describe("PartitionLog waitForAppend", () => {
  it("resolves true when an append passes the offset, false on timeout, and leaves no timer", async () => {
    const clock = manualClock(T0);
    let timers = 0;
    const counted = {
      ...clock,
      setTimer: (ms: number, cb: () => void) => {
        timers++;
        return clock.setTimer(ms, () => {
          timers--;
          cb();
        });
      },
      clearTimer: (h: { id: number }) => {
        timers--;
        clock.clearTimer(h);
      },
    };
    const log = await openTestLog(memoryFileSystem(), clock, {}, { clock: counted });
    expect(await log.waitForAppend(0, 0)).toBe(false);
    expect(await log.waitForAppend(-1, 0)).toBe(true);
    const waiting = log.waitForAppend(0, 10_000);
    expect(timers).toBe(1);
    await log.append(batchOf(["a"]));
    expect(await waiting).toBe(true);
    expect(timers).toBe(0);
    const timedOut = log.waitForAppend(5, 100);
    clock.advance(100);
    expect(await timedOut).toBe(false);
    expect(timers).toBe(0);
    const controller = new AbortController();
    const aborted = log.waitForAppend(5, 10_000, controller.signal);
    controller.abort();
    expect(await aborted).toBe(false);
    expect(timers).toBe(0);
    expect(await log.waitForAppend(0, 100)).toBe(true);
  });

  it("waits on the high watermark by default and on the log end when asked", async () => {
    const log = await openTestLog(memoryFileSystem(), manualClock(T0));
    log.setHighWatermark(0);
    const consumer = log.waitForAppend(0, 10_000);
    const follower = log.waitForAppend(0, 10_000, undefined, "logEnd");
    await log.append(batchOf(["a"]));
    expect(await follower).toBe(true);
    log.setHighWatermark(1);
    expect(await consumer).toBe(true);
  });

  it("close() ends every wait with false", async () => {
    const log = await openTestLog(memoryFileSystem(), manualClock(T0));
    const waiting = log.waitForAppend(0, 10_000);
    await log.close();
    expect(await waiting).toBe(false);
  });
});
