import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { memoryFileSystem } from "../../../src/adapters/memory/file-system.ts";
import type { PartitionLog } from "../../../src/core/log/partition-log.ts";
import { manualClock } from "../../../src/core/ports/clock.ts";
import { keyed, type KeyedRecord, type KeyValue, readKeyed } from "./compaction-helpers.ts";
import { openTestLog } from "./helpers.ts";

const T0 = 1_700_000_000_000;
/** Runs per test run; CLEANER_PROPERTY_RUNS=5000 for a long search. */
const RUNS = Number(process.env.CLEANER_PROPERTY_RUNS ?? 60);

type Op =
  | { kind: "append"; records: KeyValue[] }
  | { kind: "roll" }
  | { kind: "advance"; ms: number }
  | { kind: "compact"; force: boolean; dedupeBufferBytes: number | undefined }
  | { kind: "reopen" };

const record: fc.Arbitrary<KeyValue> = fc.tuple(
  fc.oneof({ weight: 9, arbitrary: fc.constantFrom("a", "b", "c", "d", "e") }, { weight: 1, arbitrary: fc.constant(null) }),
  fc.oneof({ weight: 4, arbitrary: fc.string({ maxLength: 12 }) }, { weight: 1, arbitrary: fc.constant(null) }),
);
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 8, arbitrary: fc.record({ kind: fc.constant("append" as const), records: fc.array(record, { minLength: 1, maxLength: 4 }) }) },
  { weight: 3, arbitrary: fc.constant({ kind: "roll" as const }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("advance" as const), ms: fc.nat(3000) }) },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant("compact" as const),
      force: fc.boolean(),
      dedupeBufferBytes: fc.constantFrom(undefined, 200, 400),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ kind: "reopen" as const }) },
);
const settings = fc.record({
  segmentBytes: fc.constantFrom(200, 400, 1 << 20),
  deleteRetentionMs: fc.constantFrom(0, 2000, 86_400_000),
  minCompactionLagMs: fc.constantFrom(0, 1500),
  minCleanableDirtyRatio: fc.constantFrom(0.01, 0.5, 0.9),
  indexIntervalBytes: fc.constantFrom(1, 100, 4096),
});

/** What every compaction must leave, given every record ever appended. */
function check(read: KeyedRecord[], appended: KeyedRecord[], firstDirtyOffset: number): void {
  for (let i = 1; i < read.length; i++) expect(read[i]!.offset).toBeGreaterThan(read[i - 1]!.offset);
  const byOffset = new Map(appended.map((r) => [r.offset, r]));
  for (const r of read) expect(byOffset.get(r.offset)).toEqual(r);
  const readOffsets = new Set(read.map((r) => r.offset));
  const latest = new Map<string, KeyedRecord>();
  for (const r of appended) {
    if (r.key === null) expect(readOffsets.has(r.offset)).toBe(true); // keyless records stay
    else latest.set(r.key, r);
  }
  for (const [key, r] of latest) {
    if (r.value !== null) expect(readOffsets.has(r.offset)).toBe(true);
    // A tombstone may go, but then no older value of its key may come back.
    else if (!readOffsets.has(r.offset)) expect(read.filter((x) => x.key === key)).toEqual([]);
  }
  // Below the cleaner checkpoint each key appears at most once.
  const clean = read.filter((r) => r.key !== null && r.offset < firstDirtyOffset).map((r) => r.key);
  expect(new Set(clean).size).toBe(clean.length);
}

describe("LogCleaner properties", () => {
  it("after compaction every key's latest value is readable at its offset, offsets strictly increase, and the clean part has one record per key", async () => {
    await fc.assert(
      fc.asyncProperty(settings, fc.array(op, { minLength: 1, maxLength: 40 }), async (config, ops) => {
        const fs = memoryFileSystem();
        const clock = manualClock(T0);
        const open = () => openTestLog(fs, clock, { ...config, cleanupPolicy: ["compact"] });
        let log: PartitionLog = await open();
        const appended: KeyedRecord[] = [];
        try {
          for (const o of ops) {
            if (o.kind === "append") {
              const { baseOffset } = await log.append(keyed(o.records, clock.now()));
              o.records.forEach(([key, value], i) => appended.push({ offset: baseOffset + i, key, value, timestamp: clock.now() }));
            } else if (o.kind === "roll") {
              await log.roll();
            } else if (o.kind === "advance") {
              clock.advance(o.ms);
            } else if (o.kind === "compact") {
              await log.compact({ force: o.force, ...(o.dedupeBufferBytes === undefined ? {} : { dedupeBufferBytes: o.dedupeBufferBytes }) });
              check(await readKeyed(log), appended, log.firstDirtyOffset);
            } else {
              await log.close();
              log = await open();
            }
          }
          await log.roll();
          clock.advance(1_000_000_000);
          for (let i = 0; i < 10 && (await log.compact({ force: true })).cleanedSegments > 0; i++);
          const read = await readKeyed(log);
          check(read, appended, log.firstDirtyOffset);
          await log.close();
          log = await open();
          expect(await readKeyed(log)).toEqual(read);
        } finally {
          await log.close();
        }
      }),
      { numRuns: RUNS },
    );
  });
});
