import { describe, expect, it } from "vitest";
import { encodeRecordBatchSync } from "../../src/core/record/record-batch.ts";
import { BatchHeader } from "../../src/core/record/batch-header.ts";
import { FlowCredit } from "../../src/protocol/flow-credit.ts";
import { planPush, storedBatches } from "../../src/server/credit.ts";

function batches(...counts: number[]): Uint8Array {
  let offset = 0;
  const parts = counts.map((n) => {
    const b = encodeRecordBatchSync({ baseOffset: offset, now: 0, records: Array.from({ length: n }, () => ({ value: new Uint8Array(10) })) });
    offset += n;
    return b;
  });
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let pos = 0;
  for (const p of parts) {
    out.set(p, pos);
    pos += p.length;
  }
  return out;
}

describe("storedBatches()", () => {
  it("storedBatches() measures each batch from its header", () => {
    const bytes = batches(1, 3, 2);
    const found = storedBatches(bytes);
    expect(found.map((b) => [b.records, b.lastOffset])).toEqual([
      [1, 0],
      [3, 3],
      [2, 5],
    ]);
    expect(found[2]!.end).toBe(bytes.length);
    expect(found[1]!.bytes).toBe(new BatchHeader(bytes, found[1]!.start).sizeInBytes);
  });

  it("storedBatches() stops at a partial batch", () => {
    const bytes = batches(1, 1);
    expect(storedBatches(bytes.subarray(0, bytes.length - 1))).toHaveLength(1);
    expect(storedBatches(new Uint8Array(0))).toEqual([]);
  });
});

describe("planPush()", () => {
  it("planPush() carries as many whole batches as the record credit allows", () => {
    const found = storedBatches(batches(1, 1, 1, 1));
    const plan = planPush(new FlowCredit({ records: 3, bytes: 1 << 20 }), found)!;
    expect(plan).toMatchObject({ count: 3, records: 3, nextOffset: 3, end: found[2]!.end });
  });

  it("planPush() waits when a spent window cannot fit the next batch, and sends it alone on fresh credit", () => {
    const found = storedBatches(batches(5));
    const credit = new FlowCredit({ records: 10, bytes: 1 << 20 });
    credit.spend(8, 0);
    expect(planPush(credit, found)).toBeNull();
    credit.grant(1, 0);
    expect(planPush(credit, found)).toMatchObject({ count: 1, records: 5, nextOffset: 5 });
  });

  it("planPush() respects the byte credit", () => {
    const found = storedBatches(batches(1, 1));
    const credit = new FlowCredit({ records: 10, bytes: found[0]!.bytes + 1 });
    expect(planPush(credit, found)!.count).toBe(1);
  });
});
