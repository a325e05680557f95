import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { memoryFileSystem } from "../../../src/adapters/memory/file-system.ts";
import { EdgelogError } from "../../../src/core/errors.ts";
import { manualClock } from "../../../src/core/ports/clock.ts";
import type { PartitionLog } from "../../../src/core/log/partition-log.ts";
import { batchOf, concat, openTestLog, recordsIn } from "./helpers.ts";

const T0 = 1_700_000_000_000;
/** Runs per test run; LOG_PROPERTY_RUNS=20000 for a long search. */
const RUNS = Number(process.env.LOG_PROPERTY_RUNS ?? 150);

type Op =
  | { kind: "append"; batches: string[][]; advanceMs: number }
  | { kind: "read"; at: number; maxBytes: number }
  | { kind: "roll" }
  | { kind: "flush" }
  | { kind: "retention"; advanceMs: number }
  | { kind: "deleteRecords"; at: number }
  | { kind: "truncate"; at: number }
  | { kind: "reopen" }
  | { kind: "crash"; seed: number };

const value = fc.string({ minLength: 0, maxLength: 40 });
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 8, arbitrary: fc.record({ kind: fc.constant("append" as const), batches: fc.array(fc.array(value, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 3 }), advanceMs: fc.nat(2000) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant("read" as const), at: fc.double({ min: 0, max: 1, noNaN: true }), maxBytes: fc.nat(600) }) },
  { weight: 1, arbitrary: fc.constant({ kind: "roll" as const }) },
  { weight: 2, arbitrary: fc.constant({ kind: "flush" as const }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("retention" as const), advanceMs: fc.nat(20_000) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("deleteRecords" as const), at: fc.double({ min: 0, max: 1, noNaN: true }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("truncate" as const), at: fc.double({ min: 0, max: 1, noNaN: true }) }) },
  { weight: 1, arbitrary: fc.constant({ kind: "reopen" as const }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("crash" as const), seed: fc.integer() }) },
);

const settings = fc.record({
  segmentBytes: fc.integer({ min: 250, max: 1200 }),
  indexIntervalBytes: fc.integer({ min: 1, max: 300 }),
  segmentIndexBytes: fc.constantFrom(96, 160, 10 * 1024 * 1024),
  retentionMs: fc.constantFrom(-1, 5000, 30_000),
  retentionBytes: fc.constantFrom(-1, 600, 2000),
});

/** A batch the model knows: base offset and values. */
interface ModelBatch {
  base: number;
  values: string[];
}

function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe("PartitionLog against an in-memory model", () => {
  it("keeps every record it acknowledged and flushed, and serves only what was appended, under any sequence of operations", async () => {
    await fc.assert(
      fc.asyncProperty(settings, fc.array(op, { minLength: 1, maxLength: 40 }), async (config, ops) => {
        const fs = memoryFileSystem();
        const clock = manualClock(T0);
        const open = (extra: Parameters<typeof openTestLog>[3] = {}) => openTestLog(fs, clock, config, extra);
        let log: PartitionLog = await open();
        let batches: ModelBatch[] = [];
        let start = 0;
        let next = 0;
        const end = () => next;
        const valueAt = new Map<number, string>();
        const rebuildIndex = () => {
          valueAt.clear();
          for (const b of batches) b.values.forEach((v, i) => valueAt.set(b.base + i, v));
        };

        /** Every record returned is the one appended at that offset; offsets are contiguous. */
        const checkRead = (bytes: Uint8Array, from: number) => {
          const records = recordsIn(bytes);
          records.forEach((r, i) => {
            expect(valueAt.get(r.offset)).toBe(r.value);
            if (i > 0) expect(r.offset).toBe(records[i - 1]!.offset + 1);
          });
          if (records.length > 0) expect(records[0]!.offset).toBeLessThanOrEqual(from);
          if (records.length > 0) expect(records.at(-1)!.offset).toBeGreaterThanOrEqual(from);
        };

        const checkWhole = async () => {
          expect(log.logEndOffset).toBe(end());
          expect(log.logStartOffset).toBe(start);
          let offset = start;
          while (offset < end()) {
            const read = await log.read(offset, { maxBytes: 300 });
            expect(read.bytes.length).toBeGreaterThan(0);
            checkRead(read.bytes, offset);
            offset = read.nextOffset;
          }
          expect(offset).toBe(end());
        };

        for (const o of ops) {
          switch (o.kind) {
            case "append": {
              clock.advance(o.advanceMs);
              const bytes = concat(...o.batches.map((values) => batchOf(values, { timestamp: clock.now() })));
              if (bytes.length > config.segmentBytes) {
                await expect(log.append(bytes)).rejects.toMatchObject({ code: "RECORD_LIST_TOO_LARGE" });
                break;
              }
              const info = await log.append(bytes);
              expect(info.baseOffset).toBe(end());
              for (const values of o.batches) {
                batches.push({ base: next, values });
                next += values.length;
              }
              expect(info.lastOffset).toBe(end() - 1);
              rebuildIndex();
              break;
            }
            case "read": {
              const offset = start + Math.floor(o.at * (end() - start + 1));
              const read = await log.read(Math.min(offset, end()), { maxBytes: o.maxBytes });
              checkRead(read.bytes, offset);
              if (offset < end()) expect(read.bytes.length).toBeGreaterThan(0);
              const below = await log.read(start - 1).catch((e: unknown) => e);
              expect(below instanceof EdgelogError && below.code === "OFFSET_OUT_OF_RANGE").toBe(true);
              break;
            }
            case "roll":
              await log.roll();
              break;
            case "flush":
              await log.flush();
              expect(log.recoveryPoint).toBe(end());
              break;
            case "retention": {
              clock.advance(o.advanceMs);
              const before = start;
              await log.applyRetention();
              start = log.logStartOffset;
              expect(start).toBeGreaterThanOrEqual(before);
              expect(start).toBeLessThanOrEqual(end());
              break;
            }
            case "deleteRecords": {
              const target = Math.min(end(), start + Math.floor(o.at * (end() - start + 1)));
              expect(await log.deleteRecordsBefore(target)).toBe(target);
              start = target;
              break;
            }
            case "truncate": {
              if (end() === start) break;
              const target = Math.min(end() - 1, start + Math.floor(o.at * (end() - start)));
              await log.truncateTo(target);
              const holder = batches.findIndex((b) => b.base <= target && target < b.base + b.values.length);
              next = batches[holder]!.base;
              batches = batches.slice(0, holder);
              start = Math.min(start, next);
              rebuildIndex();
              break;
            }
            case "reopen": {
              await log.close();
              log = await open({ cleanShutdown: true, recoveryPoint: log.recoveryPoint, logStartOffset: log.logStartOffset });
              break;
            }
            case "crash": {
              const flushed = log.recoveryPoint;
              const logStartOffset = log.logStartOffset;
              fs.crash({ keepUnsynced: "random", random: seeded(o.seed) });
              log = await open({ cleanShutdown: false, recoveryPoint: flushed, logStartOffset });
              const survived = log.logEndOffset;
              // Everything flushed is still there; what survived ends at a batch boundary.
              expect(survived).toBeGreaterThanOrEqual(Math.min(flushed, end()));
              expect(survived === end() || survived <= start || batches.some((b) => b.base === survived)).toBe(true);
              batches = batches.filter((b) => b.base < survived);
              if (survived > next) expect(survived).toBe(logStartOffset);
              next = survived;
              start = log.logStartOffset;
              rebuildIndex();
              break;
            }
          }
          await checkWhole();
        }
        await log.close();
      }),
      { numRuns: RUNS },
    );
  }, Math.max(30_000, RUNS * 20));
});
