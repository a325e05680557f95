import { describe, expect, it } from "vitest";
import { memoryFileSystem, type MemoryFileSystem } from "../../../src/adapters/memory/file-system.ts";
import { manualClock } from "../../../src/core/ports/clock.ts";
import { batchOf, countingFileSystem, openTestLog, readAll, recordsIn } from "./helpers.ts";

const T0 = 1_700_000_000_000;
const LOG = "data/t-0/00000000000000000000.log";
const INDEX = "data/t-0/00000000000000000000.index";
const TIME_INDEX = "data/t-0/00000000000000000000.timeindex";

/** A log with `synced` flushed single-record batches and one unflushed batch of two records. */
async function logWithUnsyncedTail(synced: number): Promise<{ fs: MemoryFileSystem; syncedBytes: number; tail: Uint8Array; recoveryPoint: number }> {
  const fs = memoryFileSystem();
  const log = await openTestLog(fs, manualClock(T0), { indexIntervalBytes: 100 });
  for (let i = 0; i < synced; i++) await log.append(batchOf([`synced-${i}`], { timestamp: T0 + i }));
  await log.flush();
  const syncedBytes = log.sizeInBytes;
  const tail = batchOf(["tail-a", "tail-b"], { timestamp: T0 + 1000 });
  await log.append(tail);
  return { fs, syncedBytes, tail, recoveryPoint: log.recoveryPoint };
}

/** A fresh file system holding `files`, with the log file cut at `logSize`. */
async function copyWithLogCut(files: Map<string, Uint8Array>, logSize: number): Promise<MemoryFileSystem> {
  const fs = memoryFileSystem();
  await fs.mkdir("data/t-0");
  for (const [path, bytes] of files) await fs.writeFile(path, path === LOG ? bytes.subarray(0, logSize) : bytes);
  return fs;
}

describe("PartitionLog recovery after an unclean stop", () => {
  it("drops a torn last batch, whatever byte it was torn at, and keeps every synced record", async () => {
    const { fs, syncedBytes, tail, recoveryPoint } = await logWithUnsyncedTail(20);
    const files = fs.snapshot();
    for (let cut = 0; cut < tail.length; cut++) {
      const copy = await copyWithLogCut(files, syncedBytes + cut);
      const log = await openTestLog(copy, manualClock(T0), { indexIntervalBytes: 100 }, { recoveryPoint, cleanShutdown: false });
      expect(log.logEndOffset).toBe(20);
      expect((await copy.stat(LOG))!.size).toBe(syncedBytes);
      expect((await readAll(log)).map((r) => r.value)).toEqual(Array.from({ length: 20 }, (_, i) => `synced-${i}`));
      await log.append(batchOf(["after"]));
      expect(recordsIn((await log.read(20)).bytes).map((r) => [r.offset, r.value])).toEqual([[20, "after"]]);
      await log.close();
    }
    // The whole tail survives when no byte is missing.
    const whole = await copyWithLogCut(files, syncedBytes + tail.length);
    const log = await openTestLog(whole, manualClock(T0), { indexIntervalBytes: 100 }, { recoveryPoint, cleanShutdown: false });
    expect(log.logEndOffset).toBe(22);
  });

  it("drops the last batch when any bit it covers is flipped", async () => {
    const { fs, syncedBytes, tail, recoveryPoint } = await logWithUnsyncedTail(5);
    const files = fs.snapshot();
    // Bytes 0-7 (baseOffset) and 12-15 (partitionLeaderEpoch) are not covered by the CRC, as in Kafka.
    for (let at = 8; at < tail.length; at++) {
      if (at >= 12 && at < 16) continue;
      const copy = await copyWithLogCut(files, syncedBytes + tail.length);
      copy.corrupt(LOG, syncedBytes + at, 1 << at % 8);
      const log = await openTestLog(copy, manualClock(T0), { indexIntervalBytes: 100 }, { recoveryPoint, cleanShutdown: false });
      expect(log.logEndOffset).toBe(5);
      expect((await readAll(log)).map((r) => r.value)).toEqual(["synced-0", "synced-1", "synced-2", "synced-3", "synced-4"]);
    }
  });

  it("drops a last batch whose base offset went backwards", async () => {
    const { fs, syncedBytes, tail, recoveryPoint } = await logWithUnsyncedTail(5);
    const copy = await copyWithLogCut(fs.snapshot(), syncedBytes + tail.length);
    copy.corrupt(LOG, syncedBytes + 7, 0x05); // base offset 5 becomes 0
    const log = await openTestLog(copy, manualClock(T0), {}, { recoveryPoint, cleanShutdown: false });
    expect(log.logEndOffset).toBe(5);
  });

  it("cuts the active segment at a corrupt earlier batch and serves nothing corrupt", async () => {
    const fs = memoryFileSystem();
    const log = await openTestLog(fs, manualClock(T0), { indexIntervalBytes: 100 });
    const sizes: number[] = [];
    for (let i = 0; i < 10; i++) {
      const b = batchOf([`v${i}`]);
      sizes.push(b.length);
      await log.append(b);
    }
    await log.flush();
    const position = sizes.slice(0, 4).reduce((a, b) => a + b, 0) + 40;
    fs.corrupt(LOG, position, 0x10);
    fs.crash({ keepUnsynced: "all" });
    const reopened = await openTestLog(fs, manualClock(T0), { indexIntervalBytes: 100 }, { recoveryPoint: 0, cleanShutdown: false });
    expect((await readAll(reopened)).map((r) => r.value)).toEqual(["v0", "v1", "v2", "v3"]);
    expect(reopened.logEndOffset).toBe(4);
  });

  it("deletes segments after the first invalid byte of unflushed data", async () => {
    const fs = memoryFileSystem();
    const log = await openTestLog(fs, manualClock(T0), { segmentBytes: 400 });
    for (let i = 0; i < 12; i++) await log.append(batchOf([`value-${i}`]));
    expect(log.segmentCount).toBeGreaterThan(2);
    await log.close();
    fs.corrupt(LOG, 30, 0x01);
    const reopened = await openTestLog(fs, manualClock(T0), { segmentBytes: 400 }, { recoveryPoint: 0, cleanShutdown: false });
    expect(reopened.segmentCount).toBe(1);
    expect(reopened.logEndOffset).toBe(0);
    expect((await fs.list("data/t-0")).filter((n) => n.endsWith(".log"))).toEqual(["00000000000000000000.log"]);
  });

  it("trusts segments below the recovery point and re-validates only from the segment holding it", async () => {
    const fs = memoryFileSystem();
    const log = await openTestLog(fs, manualClock(T0), { segmentBytes: 400 });
    for (let i = 0; i < 12; i++) await log.append(batchOf([`value-${i}`]));
    const recoveryPoint = log.recoveryPoint;
    expect(recoveryPoint).toBeGreaterThan(0);
    fs.crash({ keepUnsynced: "all" });
    const counting = countingFileSystem(fs);
    const reopened = await openTestLog(counting.fs, manualClock(T0), { segmentBytes: 400 }, { recoveryPoint, cleanShutdown: false });
    const activeName = `${String(recoveryPoint).padStart(20, "0")}.log`;
    const bigReads = counting.reads.filter((r) => r.length > 100);
    expect(bigReads.every((r) => r.path.endsWith(activeName))).toBe(true);
    expect(reopened.recoveryPoint).toBe(recoveryPoint);
    expect((await readAll(reopened)).length).toBe(12);
  });
});

describe("PartitionLog index files", () => {
  async function closedLog(): Promise<{ fs: MemoryFileSystem; index: Uint8Array; timeIndex: Uint8Array }> {
    const fs = memoryFileSystem();
    const log = await openTestLog(fs, manualClock(T0), { indexIntervalBytes: 100 });
    for (let i = 0; i < 60; i++) await log.append(batchOf([`value-${i}`], { timestamp: T0 + i * 10 }));
    await log.close();
    return { fs, index: await fs.readFile(INDEX), timeIndex: await fs.readFile(TIME_INDEX) };
  }

  it("are written in Kafka's layout: relative offset and position, timestamp and relative offset", async () => {
    const { index, timeIndex } = await closedLog();
    expect(index.length % 8).toBe(0);
    expect(timeIndex.length % 12).toBe(0);
    expect(index.length).toBeGreaterThan(8 * 10);
    const view = new DataView(index.buffer, index.byteOffset);
    const times = new DataView(timeIndex.buffer, timeIndex.byteOffset);
    // The first entry comes once more than 100 bytes precede a batch: 2 batches of 75 bytes.
    const size = batchOf(["value-0"]).length;
    expect(size).toBe(75);
    expect([view.getInt32(0), view.getInt32(4)]).toEqual([2, 2 * size]);
    expect([Number(times.getBigInt64(0)), times.getInt32(8)]).toEqual([T0 + 20, 2]);
    // The final time index entry holds the largest timestamp.
    expect(Number(times.getBigInt64(timeIndex.length - 12))).toBe(T0 + 590);
  });

  for (const damage of ["missing", "torn", "garbage", "past the log", "shifted"] as const) {
    it(`are rebuilt when ${damage}, to the same bytes`, async () => {
      const { fs, index, timeIndex } = await closedLog();
      if (damage === "missing") {
        await fs.remove(INDEX);
        await fs.remove(TIME_INDEX);
      } else if (damage === "torn") {
        await fs.writeFile(INDEX, index.subarray(0, index.length - 3));
      } else if (damage === "garbage") {
        await fs.writeFile(INDEX, index.map((b, i) => (i % 8 === 3 ? b ^ 0x5a : b)));
        await fs.writeFile(TIME_INDEX, new Uint8Array(36).fill(7));
      } else if (damage === "past the log") {
        const copy = index.slice();
        new DataView(copy.buffer).setInt32(copy.length - 4, 1 << 20);
        await fs.writeFile(INDEX, copy);
      } else {
        const copy = index.slice();
        new DataView(copy.buffer).setInt32(copy.length - 4, new DataView(copy.buffer).getInt32(copy.length - 4) + 1);
        await fs.writeFile(INDEX, copy);
      }
      const log = await openTestLog(fs, manualClock(T0), { indexIntervalBytes: 100 }, { cleanShutdown: true });
      expect((await readAll(log)).map((r) => r.value)).toEqual(Array.from({ length: 60 }, (_, i) => `value-${i}`));
      expect(recordsIn((await log.read(37)).bytes)[0]!.offset).toBe(37);
      expect(await log.offsetForTimestamp(T0 + 255)).toEqual({ offset: 26, timestamp: T0 + 260 });
      await log.close();
      expect(await fs.readFile(INDEX)).toEqual(index);
      expect(await fs.readFile(TIME_INDEX)).toEqual(timeIndex);
    });
  }

  it("a shorter but well-formed index still finds every offset", async () => {
    const { fs, index } = await closedLog();
    await fs.writeFile(INDEX, index.subarray(0, 16));
    const log = await openTestLog(fs, manualClock(T0), { indexIntervalBytes: 100 }, { cleanShutdown: true });
    for (const offset of [0, 1, 2, 30, 59]) expect(recordsIn((await log.read(offset, { maxBytes: 1 })).bytes)[0]!.offset).toBe(offset);
    await log.append(batchOf(["more"]));
    expect(log.logEndOffset).toBe(61);
  });

  it("a wrong middle entry does not hide records from a read", async () => {
    const { fs, index } = await closedLog();
    const copy = index.slice();
    new DataView(copy.buffer).setInt32(8 * 5 + 4, new DataView(copy.buffer).getInt32(8 * 5 + 4) + 3);
    await fs.writeFile(INDEX, copy);
    const log = await openTestLog(fs, manualClock(T0), { indexIntervalBytes: 100 }, { cleanShutdown: true });
    const offset = new DataView(copy.buffer).getInt32(8 * 5);
    expect(recordsIn((await log.read(offset, { maxBytes: 1 })).bytes)[0]!.offset).toBe(offset);
  });
});
