import { describe, expect, it } from "vitest";
import { memoryFileSystem } from "../../../src/adapters/memory/file-system.ts";
import type { PartitionLog } from "../../../src/core/log/partition-log.ts";
import { manualClock, type ManualClock } from "../../../src/core/ports/clock.ts";
import type { FileSystem } from "../../../src/core/ports/file-system.ts";
import { BatchHeader } from "../../../src/core/record/batch-header.ts";
import { decodeRecordBatches } from "../../../src/core/record/record-batch.ts";
import { keyed, keyedGzip, latestByKey, lines, readKeyed } from "./compaction-helpers.ts";
import { batchOf, openTestLog, segmentFiles, wrapFileSystem, wrapHandle } from "./helpers.ts";

const T0 = 1_700_000_000_000;
const DAY = 24 * 60 * 60 * 1000;
const compact = { cleanupPolicy: ["compact" as const] };

/** Appends each batch, rolling after every `perSegment` of them, then rolls so all are closed. */
async function fill(log: PartitionLog, batches: Uint8Array[], perSegment = 1): Promise<void> {
  for (let i = 0; i < batches.length; i++) {
    await log.append(batches[i]!);
    if ((i + 1) % perSegment === 0) await log.roll();
  }
  await log.roll();
}

async function openCompacted(fs: FileSystem, clock: ManualClock, overrides = {}): Promise<PartitionLog> {
  return openTestLog(fs, clock, { ...compact, ...overrides });
}

describe("LogCleaner", () => {
  it("compact() keeps the latest value of each key at its original offset and drops earlier ones", async () => {
    const log = await openCompacted(memoryFileSystem(), manualClock(T0));
    await fill(log, [keyed([["a", "1"], ["b", "1"]]), keyed([["a", "2"], ["c", "1"]]), keyed([["b", "2"], ["a", "3"]])]);
    const result = await log.compact({ force: true });
    expect(result).toEqual({ cleanedSegments: 3, removedRecords: 3 });
    expect(lines(await readKeyed(log))).toEqual(["3:c=1", "4:b=2", "5:a=3"]);
    expect([log.logStartOffset, log.logEndOffset]).toEqual([0, 6]);
    await log.close();
  });

  it("keeps batch base offsets and copies batches whose records all survive byte for byte", async () => {
    const fs = memoryFileSystem();
    const log = await openCompacted(fs, manualClock(T0));
    const untouched = keyed([["x", "1"], ["y", "1"]]);
    await fill(log, [keyed([["a", "1"], ["b", "1"]]), untouched, keyed([["a", "2"]])], 3);
    await log.compact({ force: true });
    const read = await log.read(0);
    const headers = (await decodeRecordBatches(read.bytes)).map((b) => [b.baseOffset, b.lastOffset, b.records.map((r) => r.offset)]);
    expect(headers).toEqual([
      [0, 1, [1]],
      [2, 3, [2, 3]],
      [4, 4, [4]],
    ]);
    // append() patched the base offset into `untouched`: it now equals the stored bytes.
    expect((await log.read(2)).bytes.subarray(0, untouched.length)).toEqual(untouched);
    await log.close();
  });

  it("read() from a removed offset returns the next surviving batch", async () => {
    const log = await openCompacted(memoryFileSystem(), manualClock(T0));
    await fill(log, [keyed([["a", "1"]]), keyed([["b", "1"]]), keyed([["a", "2"]]), keyed([["b", "2"]]), keyed([["c", "1"]])]);
    await log.compact({ force: true });
    const read = await log.read(0);
    expect(read.firstOffset).toBe(2);
    expect(lines(await readKeyed(log, 1))).toEqual(["2:a=2", "3:b=2", "4:c=1"]);
    await log.close();
  });

  it("never touches the active segment", async () => {
    const fs = memoryFileSystem();
    const log = await openCompacted(fs, manualClock(T0));
    await fill(log, [keyed([["a", "1"]]), keyed([["a", "2"]])]);
    await log.append(keyed([["a", "3"], ["a", "4"]]));
    const activeBefore = fs.snapshot().get("data/t-0/00000000000000000002.log");
    await log.compact({ force: true });
    expect(fs.snapshot().get("data/t-0/00000000000000000002.log")).toEqual(activeBefore);
    expect(lines(await readKeyed(log))).toEqual(["1:a=2", "2:a=3", "3:a=4"]);
    await log.close();
  });

  it("keeps tombstones until delete.retention.ms has passed since the compaction that kept them, then drops them", async () => {
    const clock = manualClock(T0);
    const log = await openCompacted(memoryFileSystem(), clock, { deleteRetentionMs: DAY });
    await fill(log, [keyed([["a", "1"], ["b", "1"]]), keyed([["a", null]])]);
    await log.compact({ force: true });
    expect(lines(await readKeyed(log))).toEqual(["1:b=1", "2:a=null"]);
    const stamped = new BatchHeader((await log.read(2)).bytes);
    expect([stamped.hasDeleteHorizon, stamped.baseTimestamp]).toEqual([true, T0 + DAY]);
    expect((await readKeyed(log)).map((r) => r.timestamp)).toEqual([T0, T0]);

    clock.advance(DAY - 1);
    await log.compact({ force: true });
    expect(lines(await readKeyed(log))).toEqual(["1:b=1", "2:a=null"]);
    clock.advance(1);
    expect(await log.compact({ force: true })).toEqual({ cleanedSegments: 1, removedRecords: 1 });
    expect(lines(await readKeyed(log))).toEqual(["1:b=1"]);
    await log.close();
  });

  it("min.compaction.lag.ms protects segments holding records younger than the lag", async () => {
    const clock = manualClock(T0);
    const log = await openCompacted(memoryFileSystem(), clock, { minCompactionLagMs: 60_000 });
    await fill(log, [keyed([["a", "1"]], T0 - 120_000), keyed([["a", "2"]], T0 - 90_000), keyed([["a", "3"]], T0 - 30_000), keyed([["a", "4"]], T0 - 100_000)]);
    await log.compact({ force: true });
    // Segment 2 is within the lag, so it and everything after it stay as they are.
    expect(lines(await readKeyed(log))).toEqual(["1:a=2", "2:a=3", "3:a=4"]);
    expect(log.firstDirtyOffset).toBe(2);
    clock.advance(30_000);
    await log.compact({ force: true });
    expect(lines(await readKeyed(log))).toEqual(["3:a=4"]);
    await log.close();
  });

  it("compacts when the dirty share reaches min.cleanable.dirty.ratio and only then, unless forced", async () => {
    const log = await openCompacted(memoryFileSystem(), manualClock(T0), { minCleanableDirtyRatio: 0.5 });
    const big = "x".repeat(200);
    await fill(log, [keyed([["a", big], ["b", big], ["c", big]]), keyed([["a", big], ["b", big], ["c", big]])]);
    expect(await log.compact()).toEqual({ cleanedSegments: 2, removedRecords: 3 });
    expect(log.firstDirtyOffset).toBe(6);
    // Clean: the three surviving records of segment 0. Dirty: one small record, far below half.
    await fill(log, [keyed([["a", "1"]])]);
    expect(await log.compact()).toEqual({ cleanedSegments: 0, removedRecords: 0 });
    expect(lines(await readKeyed(log)).length).toBe(4);
    expect(await log.compact({ force: true })).toEqual({ cleanedSegments: 2, removedRecords: 1 });
    expect(lines(await readKeyed(log))).toEqual([`4:b=${big}`, `5:c=${big}`, "6:a=1"]);
    expect(log.firstDirtyOffset).toBe(7);
    await log.close();
  });

  it("does nothing to a log whose cleanup.policy is delete only", async () => {
    const log = await openTestLog(memoryFileSystem(), manualClock(T0));
    await fill(log, [keyed([["a", "1"]]), keyed([["a", "2"]])]);
    expect(await log.compact({ force: true })).toEqual({ cleanedSegments: 0, removedRecords: 0 });
    expect(lines(await readKeyed(log))).toEqual(["0:a=1", "1:a=2"]);
    await log.close();
  });

  it("with compact,delete applies retention.ms as well as compaction", async () => {
    const clock = manualClock(T0);
    const log = await openTestLog(memoryFileSystem(), clock, { cleanupPolicy: ["compact", "delete"], retentionMs: 60_000 });
    await fill(log, [keyed([["a", "1"], ["b", "1"]], T0 - 120_000), keyed([["a", "2"]], T0), keyed([["b", "2"]], T0)]);
    expect(await log.applyRetention()).toMatchObject({ deletedSegments: 1 });
    await log.compact({ force: true });
    expect(lines(await readKeyed(log))).toEqual(["2:a=2", "3:b=2"]);
    expect(log.logStartOffset).toBe(2);
    await log.close();
  });

  it("keeps records without a key untouched", async () => {
    const log = await openCompacted(memoryFileSystem(), manualClock(T0));
    await fill(log, [keyed([[null, "n1"], ["a", "1"], [null, "n2"]]), keyed([["a", "2"], [null, null]])]);
    await log.compact({ force: true });
    expect(lines(await readKeyed(log))).toEqual(["0:null=n1", "2:null=n2", "3:a=2", "4:null=null"]);
    await log.close();
  });

  it("re-encodes gzip batches with gzip, keeping each record's offset and timestamp", async () => {
    const log = await openCompacted(memoryFileSystem(), manualClock(T0));
    await fill(log, [await keyedGzip([["a", "1"], ["b", "1"], ["c", "1"]], T0 + 5), keyed([["b", "2"]])]);
    await log.compact({ force: true });
    const [first] = await decodeRecordBatches((await log.read(0)).bytes);
    expect(first!.compression).toBe(1);
    expect(first!.records.map((r) => [r.offset, r.timestamp])).toEqual([
      [0, T0 + 5],
      [2, T0 + 5],
    ]);
    expect(lines(await readKeyed(log))).toEqual(["0:a=1", "2:c=1", "3:b=2"]);
    await log.close();
  });

  it("a small dedupe buffer compacts in several passes, never losing a latest value", async () => {
    const log = await openCompacted(memoryFileSystem(), manualClock(T0));
    const batches = Array.from({ length: 8 }, (_, i) => keyed([[`k${i % 4}`, `v${i}`], [`u${i}`, "x"]]));
    await fill(log, batches, 2);
    const all = await readKeyed(log);
    await log.compact({ force: true, dedupeBufferBytes: 300 });
    expect(log.firstDirtyOffset).toBeLessThan(16);
    let guard = 0;
    while (log.firstDirtyOffset < 16 && guard++ < 20) await log.compact({ force: true, dedupeBufferBytes: 300 });
    expect(log.firstDirtyOffset).toBe(16);
    const after = await readKeyed(log);
    expect([...latestByKey(after).values()]).toEqual([...latestByKey(all).values()].sort((a, b) => a.offset - b.offset));
    expect(after.length).toBe(12);
    await log.close();
  });

  it("keeps a tombstone that lies past the offsets a full offset map covered, so no older value comes back", async () => {
    const clock = manualClock(T0);
    const log = await openCompacted(memoryFileSystem(), clock, { deleteRetentionMs: 0 });
    // One closed segment; a budget of 200 bytes maps at most three one-byte keys (65 bytes each).
    await fill(log, [keyed([["x", "1"], ["y", "1"], ["z", "1"]]), keyed([["a", "old"]]), keyed([["p", "1"], ["q", "1"], ["r", "1"]]), keyed([["a", null]])], 4);
    for (let pass = 0; pass < 6; pass++) {
      await log.compact({ force: true, dedupeBufferBytes: 200 });
      clock.advance(1);
      const a = (await readKeyed(log)).filter((r) => r.key === "a");
      if (a.length > 0) expect(a.at(-1)!.value).toBeNull();
    }
    expect(lines(await readKeyed(log))).toEqual(["0:x=1", "1:y=1", "2:z=1", "4:p=1", "5:q=1", "6:r=1"]);
    await log.close();
  });

  it("appends and reads during a compaction are served", async () => {
    const log = await openCompacted(memoryFileSystem(), manualClock(T0));
    await fill(log, Array.from({ length: 6 }, (_, i) => keyed([["a", `${i}`], [`k${i}`, "x"]])));
    const running = log.compact({ force: true });
    const appended = log.append(keyed([["a", "new"]]));
    const read = readKeyed(log);
    await Promise.all([running, appended]);
    expect((await read).length).toBeGreaterThanOrEqual(7);
    expect(lines(await readKeyed(log)).slice(-3)).toEqual(["10:a=5", "11:k5=x", "12:a=new"]);
    await log.close();
  });

  it("truncateTo() below the cleaner checkpoint makes the offsets after it dirty again", async () => {
    const log = await openCompacted(memoryFileSystem(), manualClock(T0));
    await fill(log, [keyed([["a", "1"]]), keyed([["b", "1"]]), keyed([["c", "1"]]), keyed([["a", "2"]])]);
    await log.compact({ force: true });
    expect(log.firstDirtyOffset).toBe(4);
    await log.truncateTo(2);
    expect([log.logEndOffset, log.firstDirtyOffset]).toEqual([2, 2]);
    // Both d records lie below the old checkpoint: only a lowered one lets compaction see them.
    await fill(log, [keyed([["d", "1"]]), keyed([["d", "2"]]), keyed([["e", "1"]])]);
    await log.compact({ force: true });
    expect(lines(await readKeyed(log))).toEqual(["1:b=1", "3:d=2", "4:e=1"]);
    await log.close();
  });

  it("retention that deletes segments while a compaction runs makes it stop, keeping the data consistent", async () => {
    const clock = manualClock(T0);
    const log = await openTestLog(memoryFileSystem(), clock, { cleanupPolicy: ["compact", "delete"], retentionMs: 60_000 });
    await fill(log, [keyed([["a", "1"], ["b", "1"]], T0 - 120_000), keyed([["a", "2"]], T0 - 120_000), keyed([["b", "2"]], T0), keyed([["a", "3"]], T0)]);
    const [compacted, retained] = await Promise.all([log.compact({ force: true }), log.applyRetention()]);
    expect(retained.deletedSegments).toBe(2);
    expect(compacted.cleanedSegments).toBeLessThanOrEqual(4);
    expect(lines(await readKeyed(log))).toEqual(["3:b=2", "4:a=3"]);
    await log.compact({ force: true });
    expect(lines(await readKeyed(log))).toEqual(["3:b=2", "4:a=3"]);
    await log.close();
  });

  it("a read that meets a segment swapped out under it reads on from the new segments", async () => {
    const mem = memoryFileSystem();
    let hold: { path: string; gate: Promise<void> } | undefined;
    const fs = wrapFileSystem(mem, (h) =>
      wrapHandle(h, {
        read: async (position, length) => {
          if (hold !== undefined && h.path === hold.path) {
            const gate = hold.gate;
            hold = undefined;
            await gate;
          }
          return h.read(position, length);
        },
      }),
    );
    // segmentBytes keeps every segment in a group of its own.
    const log = await openCompacted(fs, manualClock(T0), { segmentBytes: 100 });
    await fill(log, [keyed([["b", "1"], ["a", "1"]]), keyed([["a", "2"]])]);
    await log.compact({ force: true }); // segment 0 now ends at offset 0: a gap before segment 2
    await fill(log, [keyed([["a", "3"]])]);
    let release!: () => void;
    hold = { path: "data/t-0/00000000000000000000.log", gate: new Promise((resolve) => (release = resolve)) };
    const reading = log.read(1);
    expect(await log.compact({ force: true })).toEqual({ cleanedSegments: 1, removedRecords: 1 });
    release();
    const read = await reading;
    expect(read.firstOffset).toBe(3);
    expect(read.bytes).toEqual((await log.read(1)).bytes);
    await log.close();
  });

  it("a compacted log reads the same after close and reopen, with clean indexes", async () => {
    const fs = memoryFileSystem();
    const clock = manualClock(T0);
    const log = await openCompacted(fs, clock, { indexIntervalBytes: 1 });
    await fill(log, Array.from({ length: 12 }, (_, i) => keyed([[`k${i % 3}`, `v${i}`]])), 4);
    await log.compact({ force: true });
    const expected = await readKeyed(log);
    expect(lines(expected)).toEqual(["9:k0=v9", "10:k1=v10", "11:k2=v11"]);
    await log.close();
    const messages: string[] = [];
    const reopened = await openTestLog(fs, clock, { ...compact, indexIntervalBytes: 1 }, { logger: (level, m) => messages.push(`${level}: ${m}`) });
    expect(await readKeyed(reopened)).toEqual(expected);
    for (const [offset, first] of [[0, 9], [5, 9], [9, 9], [10, 10], [11, 11]]) expect((await reopened.read(offset!)).firstOffset).toBe(first);
    expect(messages.filter((m) => m.startsWith("warn"))).toEqual([]);
    expect((await segmentFiles(fs)).filter((n) => n.includes(".cleaned") || n.includes(".swap"))).toEqual([]);
    await reopened.close();
  });

  it("merges small segments into groups of at most segment.bytes", async () => {
    const fs = memoryFileSystem();
    const log = await openCompacted(fs, manualClock(T0), { segmentBytes: 1000 });
    await fill(log, Array.from({ length: 12 }, (_, i) => keyed([[`k${i}`, "v"]])));
    expect(log.segmentCount).toBe(13);
    await log.compact({ force: true });
    expect(log.segmentCount).toBeLessThan(6);
    expect(lines(await readKeyed(log)).length).toBe(12);
    for (const name of await segmentFiles(fs)) if (name.endsWith(".log")) expect((await fs.readFile(`data/t-0/${name}`)).length).toBeLessThanOrEqual(1000);
    await log.close();
  });

  it("leaves a segment as it is when compaction would not change it", async () => {
    const fs = memoryFileSystem();
    const log = await openCompacted(fs, manualClock(T0));
    await log.append(batchOf(["no key"]));
    await log.append(keyed([["a", "1"], ["b", "1"]]));
    await log.roll();
    const before = fs.snapshot();
    expect(await log.compact({ force: true })).toEqual({ cleanedSegments: 0, removedRecords: 0 });
    expect(fs.snapshot().get("data/t-0/00000000000000000000.log")).toEqual(before.get("data/t-0/00000000000000000000.log"));
    expect(log.firstDirtyOffset).toBe(3);
    await log.close();
  });

  it("compact() on a closed log rejects with KAFKA_STORAGE_ERROR", async () => {
    const log = await openCompacted(memoryFileSystem(), manualClock(T0));
    await log.close();
    await expect(log.compact()).rejects.toMatchObject({ code: "KAFKA_STORAGE_ERROR" });
  });
});
