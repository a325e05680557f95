import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { memoryFileSystem } from "../../../src/adapters/memory/file-system.ts";
import { manualClock } from "../../../src/core/ports/clock.ts";
import { MAX_RUN_BYTES, nextTurn } from "../../../src/core/log/append-group.ts";
import { batchOf, openTestLog, readAll, wrapFileSystem, wrapHandle } from "./helpers.ts";

const T0 = 1_700_000_000_000;
const SEGMENT = "data/t-0/00000000000000000000.log";

/** A memory file system that counts appends to `.log` files and can be told to fail them. */
function countingAppends() {
  const inner = memoryFileSystem();
  const state = { appends: 0, syncs: 0, fail: false };
  const fs = wrapFileSystem(inner, (h) =>
    wrapHandle(h, {
      append: async (data) => {
        if (h.path.endsWith(".log")) state.appends++;
        if (!state.fail) return h.append(data);
        await h.append(data.subarray(0, 7));
        throw new Error("EIO: i/o error");
      },
      sync: () => {
        if (h.path.endsWith(".log")) state.syncs++;
        return h.sync();
      },
    }),
  );
  return { inner, fs, state };
}

describe("PartitionLog group commit", () => {
  it("appends made in one turn get consecutive offsets in call order and share one segment write", async () => {
    const { fs, state } = countingAppends();
    const log = await openTestLog(fs, manualClock(T0));
    await log.append(batchOf(["first"]));
    state.appends = 0;
    const infos = await Promise.all(Array.from({ length: 20 }, (_, i) => log.append(batchOf([`a${i}`, `b${i}`]))));
    expect(infos.map((i) => [i.baseOffset, i.lastOffset])).toEqual(Array.from({ length: 20 }, (_, i) => [1 + 2 * i, 2 + 2 * i]));
    expect(infos.every((i) => i.recordCount === 2 && i.batchCount === 1)).toBe(true);
    expect(state.appends).toBe(1);
    expect(log.logEndOffset).toBe(41);
    expect((await readAll(log)).map((r) => r.value)).toEqual(["first", ...Array.from({ length: 20 }, (_, i) => [`a${i}`, `b${i}`]).flat()]);
  });

  it("appends of one turn share writes of at most MAX_RUN_BYTES", async () => {
    const { fs, state } = countingAppends();
    const log = await openTestLog(fs, manualClock(T0), { segmentBytes: 64 * 1024 * 1024, maxMessageBytes: 1024 * 1024 });
    await log.append(batchOf(["first"]));
    state.appends = 0;
    const value = "x".repeat(Math.floor(MAX_RUN_BYTES / 3) - 100);
    const infos = await Promise.all(Array.from({ length: 8 }, () => log.append(batchOf([value]))));
    expect(infos.map((i) => i.baseOffset)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    // three appends fit in one run: 8 appends take 3 writes
    expect(state.appends).toBe(3);
    state.appends = 0;
    await Promise.all(Array.from({ length: 3 }, () => log.append(batchOf(["y".repeat(MAX_RUN_BYTES)]))));
    expect(state.appends).toBe(3); // larger than a run: each on its own
  });

  it("a failing write rejects every append of the group and leaves the segment unchanged", async () => {
    const { inner, fs, state } = countingAppends();
    const log = await openTestLog(fs, manualClock(T0));
    await log.append(batchOf(["kept"]));
    const before = inner.snapshot().get(SEGMENT);
    state.fail = true;
    state.appends = 0;
    const results = await Promise.allSettled(Array.from({ length: 5 }, (_, i) => log.append(batchOf([`lost${i}`]))));
    expect(state.appends).toBe(1);
    for (const r of results) expect(r).toMatchObject({ status: "rejected", reason: { code: "KAFKA_STORAGE_ERROR" } });
    expect(inner.snapshot().get(SEGMENT)).toEqual(before);
    expect(log.logEndOffset).toBe(1);
    state.fail = false;
    expect(await log.append(batchOf(["next"]))).toMatchObject({ baseOffset: 1, lastOffset: 1 });
    expect((await readAll(log)).map((r) => r.value)).toEqual(["kept", "next"]);
  });

  it("an invalid append fails alone and the others of its turn close the gap", async () => {
    const { fs, state } = countingAppends();
    const log = await openTestLog(fs, manualClock(T0));
    await log.append(batchOf(["x"]));
    state.appends = 0;
    const bad = batchOf(["bad"]);
    bad[bad.length - 1]! ^= 0xff;
    const [a, b, c] = await Promise.allSettled([log.append(batchOf(["a"])), log.append(bad), log.append(batchOf(["c"]))]);
    expect(a).toMatchObject({ status: "fulfilled", value: { baseOffset: 1 } });
    expect(b).toMatchObject({ status: "rejected", reason: { code: "CORRUPT_MESSAGE" } });
    expect(c).toMatchObject({ status: "fulfilled", value: { baseOffset: 2 } });
    expect(state.appends).toBe(1);
  });

  it("a replica append whose offsets fall below the group's end fails alone", async () => {
    const log = await openTestLog(memoryFileSystem(), manualClock(T0));
    await log.append(batchOf(["a"], { baseOffset: 0 }), { assignOffsets: false });
    const results = await Promise.allSettled([
      log.append(batchOf(["b", "c"], { baseOffset: 1 }), { assignOffsets: false }),
      log.append(batchOf(["again"], { baseOffset: 2 }), { assignOffsets: false }),
      log.append(batchOf(["d"], { baseOffset: 5 }), { assignOffsets: false }),
    ]);
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    expect(results[1]).toMatchObject({ reason: { code: "INVALID_REQUEST" } });
    expect((await readAll(log)).map((r) => [r.offset, r.value])).toEqual([[0, "a"], [1, "b"], [2, "c"], [5, "d"]]);
  });

  it("a roll queued between appends of one turn keeps its place among them", async () => {
    const log = await openTestLog(memoryFileSystem(), manualClock(T0));
    const before = [log.append(batchOf(["a"])), log.append(batchOf(["b"]))];
    const roll = log.roll();
    const after = [log.append(batchOf(["c"])), log.append(batchOf(["d"]))];
    await Promise.all([...before, roll, ...after]);
    expect(log.segmentCount).toBe(2);
    expect((await log.read(2)).firstOffset).toBe(2);
    expect((await log.read(1)).nextOffset).toBe(2);
  });

  it("with flush.messages=1 a group is synced once, before any of its appends is acknowledged", async () => {
    const { fs, state } = countingAppends();
    const log = await openTestLog(fs, manualClock(T0), { flushMessages: 1 });
    await log.append(batchOf(["first"]));
    state.syncs = 0;
    const acknowledged = Array.from({ length: 10 }, (_, i) => log.append(batchOf([`v${i}`])).then(() => state.syncs));
    expect(await Promise.all(acknowledged)).toEqual(new Array(10).fill(1));
    expect(log.recoveryPoint).toBe(11);
  });

  it("writes the same files whether appends come in one turn or one at a time, rolls included", async () => {
    // timestamps mostly rising (so the time index fills), sometimes going back
    const append = fc.record({ values: fc.array(fc.string({ maxLength: 40 }), { minLength: 1, maxLength: 3 }), step: fc.integer({ min: -100, max: 300 }) });
    const config = fc.record({
      segmentBytes: fc.integer({ min: 200, max: 3000 }),
      segmentIndexBytes: fc.constantFrom(96, 192, 10 * 1024 * 1024),
      indexIntervalBytes: fc.constantFrom(1, 100, 4096),
      segmentMs: fc.constantFrom(1500, 7 * 24 * 3600 * 1000),
    });
    await fc.assert(
      fc.asyncProperty(config, fc.array(append, { minLength: 1, maxLength: 40, size: "max" }), async (overrides, appends) => {
        let time = T0;
        const timestamps = appends.map((a) => (time += a.step));
        const batches = () => appends.map((a, i) => batchOf(a.values, { timestamp: timestamps[i]! }));
        const together = memoryFileSystem();
        const grouped = await openTestLog(together, manualClock(T0), overrides);
        const groupedInfos = await Promise.all(batches().map((b) => grouped.append(b)));
        await grouped.close();
        const apart = memoryFileSystem();
        const single = await openTestLog(apart, manualClock(T0), overrides);
        const singleInfos = [];
        for (const b of batches()) singleInfos.push(await single.append(b));
        await single.close();
        expect(groupedInfos).toEqual(singleInfos);
        expect(together.snapshot()).toEqual(apart.snapshot());
      }),
      { numRuns: 60 },
    );
  });

  it("nextTurn() resolves after the callbacks already due in this turn of the event loop", async () => {
    const seen: string[] = [];
    const turn = nextTurn().then(() => seen.push("next turn"));
    void Promise.resolve().then(() => seen.push("microtask"));
    await turn;
    expect(seen).toEqual(["microtask", "next turn"]);
  });
});
