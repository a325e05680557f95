import { describe, expect, it } from "vitest";
import { memoryFileSystem, type MemoryFileSystem } from "../../../src/adapters/memory/file-system.ts";
import { manualClock } from "../../../src/core/ports/clock.ts";
import type { FileSystem } from "../../../src/core/ports/file-system.ts";
import { completeInterruptedSwaps } from "../../../src/core/log/segment-swap.ts";
import { keyed, type KeyedRecord, type KeyValue, latestByKey, lines, readKeyed } from "./compaction-helpers.ts";
import { openTestLog, segmentFiles, wrapFileSystem, wrapHandle } from "./helpers.ts";

const T0 = 1_700_000_000_000;

class Crashed extends Error {}

function seededRandom(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 0x1_0000_0000;
  };
}

/**
 * A file system over `mem` that, once armed, counts every step that changes the disk (renames,
 * removals, whole-file writes, syncs) and crashes `mem` right after step `crashAfter`.
 */
function crashingFileSystem(mem: MemoryFileSystem, crashAfter: number, seed: number): { fs: FileSystem; arm: () => void; steps: () => number } {
  let armed = false;
  let steps = 0;
  const step = <T>(run: () => Promise<T>) => async (): Promise<T> => {
    const result = await run();
    if (armed && ++steps === crashAfter) {
      mem.crash({ random: seededRandom(seed) });
      throw new Crashed(`crash after step ${steps}`);
    }
    return result;
  };
  const fs = wrapFileSystem(mem, (h) => wrapHandle(h, { sync: () => step(() => h.sync())() }), {
    rename: (from, to) => step(() => mem.rename(from, to))(),
    remove: (path) => step(() => mem.remove(path))(),
    writeFile: (path, data) => step(() => mem.writeFile(path, data))(),
    syncDir: (path) => step(() => mem.syncDir(path))(),
  });
  return { fs, arm: () => (armed = true), steps: () => steps };
}

/** Three keys rewritten over `count` single-batch segments, with a tombstone and keyless records. */
function history(count: number): KeyValue[][] {
  const out: KeyValue[][] = [];
  for (let i = 0; i < count; i++) {
    const batch: KeyValue[] = [[`k${i % 3}`, `v${i}`], [`u${i}`, "once"]];
    if (i === 2) batch.push(["k1", null]);
    if (i % 4 === 1) batch.push([null, `n${i}`]);
    out.push(batch);
  }
  return out;
}

/** Fills a compacted log on `fs`, one batch per segment, all closed and flushed. */
async function setUp(fs: FileSystem, segmentBytes: number, count: number): Promise<void> {
  const log = await openTestLog(fs, manualClock(T0), { cleanupPolicy: ["compact"], segmentBytes, indexIntervalBytes: 64 });
  for (const batch of history(count)) {
    await log.append(keyed(batch));
    await log.roll();
  }
  await log.close();
}

async function reopen(fs: FileSystem, segmentBytes: number) {
  return openTestLog(fs, manualClock(T0), { cleanupPolicy: ["compact"], segmentBytes, indexIntervalBytes: 64 });
}

/** What a log reads before and after a full compaction of the same history. */
async function reference(segmentBytes: number, count: number): Promise<{ before: KeyedRecord[]; after: KeyedRecord[]; steps: number }> {
  const mem = memoryFileSystem();
  const { fs, arm, steps } = crashingFileSystem(mem, Number.POSITIVE_INFINITY, 1);
  await setUp(fs, segmentBytes, count);
  const log = await reopen(fs, segmentBytes);
  const before = await readKeyed(log);
  arm();
  await log.compact({ force: true });
  const stepCount = steps();
  const after = await readKeyed(log);
  await log.close();
  return { before, after, steps: stepCount };
}

/** Expects `run` to fail because of the injected crash (possibly wrapped as a cause). */
async function expectCrash(run: Promise<unknown>): Promise<void> {
  const error = await run.then(() => undefined, (e: unknown) => e);
  let cause = error;
  while (cause instanceof Error && !(cause instanceof Crashed)) cause = cause.cause;
  expect(cause).toBeInstanceOf(Crashed);
}

function key(r: KeyedRecord): string {
  return JSON.stringify([r.offset, r.key, r.value]);
}

/** The invariants every crash must keep. */
function checkInvariants(read: KeyedRecord[], before: KeyedRecord[], after: KeyedRecord[]): void {
  for (let i = 1; i < read.length; i++) expect(read[i]!.offset).toBeGreaterThan(read[i - 1]!.offset);
  const known = new Set(before.map(key));
  for (const r of read) expect(known.has(key(r))).toBe(true);
  const present = new Set(read.map(key));
  for (const r of after) expect(present.has(key(r))).toBe(true);
  const latest = latestByKey(read);
  for (const [k, r] of latestByKey(before)) {
    if (r.value === null && !latest.has(k)) continue; // a dropped tombstone deletes the key either way
    expect(latest.get(k)).toEqual(r);
  }
}

describe("LogCleaner crash safety", () => {
  it("a crash after any step of a one-group compaction leaves the old or the compacted content", async () => {
    const { before, after, steps } = await reference(1 << 20, 6);
    expect(steps).toBeGreaterThan(10);
    expect(lines(after)).not.toEqual(lines(before));
    const outcomes = new Set<string>();
    for (let n = 1; n <= steps; n++) {
      for (const seed of [1, 2]) {
        const mem = memoryFileSystem();
        const crashing = crashingFileSystem(mem, n, seed);
        await setUp(crashing.fs, 1 << 20, 6);
        const log = await reopen(crashing.fs, 1 << 20);
        crashing.arm();
        await expectCrash(log.compact({ force: true }));

        const recovered = await reopen(mem, 1 << 20);
        const read = await readKeyed(recovered);
        expect([lines(before), lines(after)]).toContainEqual(lines(read));
        outcomes.add(JSON.stringify(lines(read)) === JSON.stringify(lines(before)) ? "old" : "compacted");
        checkInvariants(read, before, after);
        expect((await mem.list("data/t-0")).filter((f) => f.endsWith(".cleaned") || f.endsWith(".swap"))).toEqual([]);
        // The recovered log compacts to the same result.
        await recovered.compact({ force: true });
        expect(lines(await readKeyed(recovered))).toEqual(lines(after));
        await recovered.close();
      }
    }
    expect([...outcomes].sort()).toEqual(["compacted", "old"]);
  });

  it("a crash after any step of a many-group compaction never loses the latest value of a key", async () => {
    const segmentBytes = 300;
    const { before, after, steps } = await reference(segmentBytes, 9);
    for (let n = 1; n <= steps; n++) {
      const mem = memoryFileSystem();
      const crashing = crashingFileSystem(mem, n, n);
      await setUp(crashing.fs, segmentBytes, 9);
      const log = await reopen(crashing.fs, segmentBytes);
      crashing.arm();
      await expectCrash(log.compact({ force: true }));

      const recovered = await reopen(mem, segmentBytes);
      checkInvariants(await readKeyed(recovered), before, after);
      await recovered.compact({ force: true });
      expect(lines(await readKeyed(recovered))).toEqual(lines(after));
      await recovered.close();
    }
  });

  it("completeInterruptedSwaps() deletes .cleaned files and puts a .swap segment in place of those it overlaps", async () => {
    const fs = memoryFileSystem();
    const dir = "data/t-0";
    await fs.mkdir(dir);
    const file = (base: number, suffix: string) => `${dir}/${String(base).padStart(20, "0")}${suffix}`;
    for (const base of [0, 3, 6, 9]) {
      await fs.writeFile(file(base, ".log"), keyed([["old", `${base}`]]));
      await fs.writeFile(file(base, ".index"), new Uint8Array(0));
    }
    // The swap for segments 0 and 3 holds offsets 1..4: it replaces 0 and 3 but not 6.
    const swap = keyed([["a", "1"], ["b", "2"], ["c", "3"], ["d", "4"]]);
    new DataView(swap.buffer).setBigInt64(0, 1n);
    await fs.writeFile(file(0, ".log.swap"), swap);
    await fs.writeFile(file(6, ".log.cleaned"), new Uint8Array(5));
    await fs.writeFile(file(6, ".index.cleaned"), new Uint8Array(8));
    const messages: string[] = [];
    expect(await completeInterruptedSwaps(fs, dir, (level, m) => messages.push(`${level}: ${m}`))).toBe(1);
    expect(await segmentFiles(fs, dir)).toEqual([
      "00000000000000000000.log",
      "00000000000000000006.index",
      "00000000000000000006.log",
      "00000000000000000009.index",
      "00000000000000000009.log",
    ]);
    expect(await fs.readFile(file(0, ".log"))).toEqual(swap);
    expect(messages.filter((m) => m.includes("interrupted swap"))).toHaveLength(1);
    expect(await completeInterruptedSwaps(fs, "data/missing")).toBe(0);
  });
});
