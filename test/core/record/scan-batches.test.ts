import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { BatchHeader } from "../../../src/core/record/batch-header.ts";
import { encodeRecordBatchSync } from "../../../src/core/record/record-batch.ts";
import { scanBatches } from "../../../src/core/record/scan-batches.ts";

const T0 = 1_700_000_000_000;

/** Three batches of different sizes, back to back, and where each one starts. */
function segment(): { bytes: Uint8Array; starts: number[] } {
  const parts = [
    encodeRecordBatchSync({ baseOffset: 0, now: T0, records: [{ value: new Uint8Array(10) }, { value: null }] }),
    encodeRecordBatchSync({ baseOffset: 2, now: T0, records: [{ value: new Uint8Array(50) }] }),
    encodeRecordBatchSync({ baseOffset: 3, now: T0, records: [{ key: new Uint8Array(3), value: new Uint8Array(5) }] }),
  ];
  const bytes = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  const starts: number[] = [];
  let pos = 0;
  for (const p of parts) {
    starts.push(pos);
    bytes.set(p, pos);
    pos += p.length;
  }
  starts.push(pos);
  return { bytes, starts };
}

describe("scanBatches()", () => {
  it("scanBatches() accepts every byte of valid batches", () => {
    const { bytes } = segment();
    const scan = scanBatches(bytes);
    expect(scan.problem).toBeUndefined();
    expect(scan.validBytes).toBe(bytes.length);
    expect(scan.batches.map((b) => b.baseOffset)).toEqual([0, 2, 3]);
    expect(scanBatches(new Uint8Array(0))).toEqual({ batches: [], validBytes: 0 });
  });

  it("scanBatches() stops at a torn batch, wherever the tear is", () => {
    const { bytes, starts } = segment();
    fc.assert(
      fc.property(fc.integer({ min: 1, max: bytes.length - 1 }), (end) => {
        const scan = scanBatches(bytes.subarray(0, end));
        const whole = starts.filter((s) => s <= end).at(-1)!;
        expect(scan.validBytes).toBe(whole);
        expect(scan.batches.length).toBe(starts.indexOf(whole));
        if (whole < end) expect(scan.problem).toBeDefined();
        else expect(scan.problem).toBeUndefined();
      }),
    );
  });

  it("scanBatches() stops at a flipped bit in a batch's CRC-covered bytes", () => {
    const { bytes, starts } = segment();
    fc.assert(
      fc.property(fc.integer({ min: starts[1]! + 21, max: starts[2]! - 1 }), fc.nat(7), (at, bit) => {
        const damaged = bytes.slice();
        damaged[at]! ^= 1 << bit;
        const scan = scanBatches(damaged);
        expect(scan.validBytes).toBe(starts[1]);
        expect(scan.batches.length).toBe(1);
        expect(scan.problem).toBeDefined();
      }),
    );
  });

  it("scanBatches() with checkCrc: false passes a CRC mismatch", () => {
    const { bytes } = segment();
    const damaged = bytes.slice();
    damaged[bytes.length - 1]! ^= 0x01;
    expect(scanBatches(damaged).problem).toMatch(/CRC/);
    expect(scanBatches(damaged, 0, damaged.length, { checkCrc: false }).validBytes).toBe(bytes.length);
  });

  it("scanBatches() stops at a wrong magic", () => {
    const { bytes, starts } = segment();
    const damaged = bytes.slice();
    damaged[starts[2]! + 16] = 1;
    const scan = scanBatches(damaged);
    expect(scan.validBytes).toBe(starts[2]);
    expect(scan.problem).toMatch(/magic/);
  });

  it("scanBatches() stops at a batchLength below the header size", () => {
    const { bytes, starts } = segment();
    const damaged = bytes.slice();
    damaged.set([0, 0, 0, 10], starts[1]! + 8);
    const scan = scanBatches(damaged);
    expect(scan.validBytes).toBe(starts[1]);
    expect(scan.problem).toBeDefined();
  });

  it("scanBatches() counts validBytes from start and ignores bytes past end", () => {
    const { bytes, starts } = segment();
    const scan = scanBatches(bytes, starts[1], starts[3]! - 5);
    expect(scan.batches.map((b) => b.baseOffset)).toEqual([2]);
    expect(scan.validBytes).toBe(starts[2]! - starts[1]!);
    expect(scan.problem).toBeDefined();
  });

  it("scanBatches() returns headers that view the scanned bytes", () => {
    const { bytes, starts } = segment();
    const [, second] = scanBatches(bytes).batches as [BatchHeader, BatchHeader, BatchHeader];
    second.baseOffset = 100;
    expect(new BatchHeader(bytes, starts[1]).baseOffset).toBe(100);
  });
});
