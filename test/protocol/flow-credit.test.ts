import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type BatchSize, FlowCredit } from "../../src/protocol/flow-credit.ts";

const b = (records: number, bytes: number): BatchSize => ({ records, bytes });

describe("FlowCredit", () => {
  it("fit() takes as many whole batches as the record and byte credit allow", () => {
    const credit = new FlowCredit({ records: 100, bytes: 1000 });
    expect(credit.fit([b(10, 400), b(10, 400), b(10, 400)])).toBe(2);
    expect(new FlowCredit({ records: 15, bytes: 10_000 }).fit([b(10, 1), b(10, 1)])).toBe(1);
  });

  it("fit() pushes nothing while either counter is 0", () => {
    expect(new FlowCredit({ records: 0, bytes: 1000 }).fit([b(1, 1)])).toBe(0);
    expect(new FlowCredit({ records: 10, bytes: 0 }).fit([b(1, 1)])).toBe(0);
    expect(new FlowCredit({ records: 10, bytes: 0 }).canPush).toBe(false);
  });

  it("fit() sends a first batch larger than the credit alone when the credit is fresh", () => {
    const credit = new FlowCredit({ records: 1, bytes: 10 });
    expect(credit.fit([b(5, 500), b(1, 1)])).toBe(1);
    credit.spend(5, 500);
    expect(credit.records).toBe(0);
    expect(credit.bytes).toBe(0);
  });

  it("fit() holds an oversized batch back once something was pushed since the last grant", () => {
    const credit = new FlowCredit({ records: 100, bytes: 1000 });
    expect(credit.fit([b(1, 900)])).toBe(1);
    credit.spend(1, 900);
    expect(credit.fresh).toBe(false);
    expect(credit.fit([b(1, 5000)])).toBe(0);
    credit.grant(0, 1);
    expect(credit.fresh).toBe(true);
    expect(credit.fit([b(1, 5000)])).toBe(1);
  });

  it("grant() adds up and caps at 2^53 - 1", () => {
    const credit = new FlowCredit({ records: 1, bytes: 2 });
    credit.grant(3, 4);
    expect([credit.records, credit.bytes]).toEqual([4, 6]);
    credit.grant(Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
    expect([credit.records, credit.bytes]).toEqual([Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER]);
  });

  it("a push never exceeds the credit except as a lone first batch on fresh credit, and fresh credit always progresses", () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant("grant" as const), records: fc.nat(50), bytes: fc.nat(5000) }),
      fc.record({ kind: fc.constant("push" as const), batches: fc.array(fc.record({ records: fc.integer({ min: 1, max: 30 }), bytes: fc.integer({ min: 61, max: 3000 }) }), { minLength: 1, maxLength: 6 }) }),
    );
    fc.assert(
      fc.property(fc.nat(50), fc.nat(5000), fc.array(op, { maxLength: 30 }), (records, bytes, ops) => {
        const credit = new FlowCredit({ records, bytes });
        for (const step of ops) {
          if (step.kind === "grant") {
            credit.grant(step.records, step.bytes);
            continue;
          }
          const before = { records: credit.records, bytes: credit.bytes, fresh: credit.fresh };
          const n = credit.fit(step.batches);
          const taken = step.batches.slice(0, n);
          const r = taken.reduce((s, x) => s + x.records, 0);
          const y = taken.reduce((s, x) => s + x.bytes, 0);
          if (before.records === 0 || before.bytes === 0) expect(n).toBe(0);
          else if (before.fresh) expect(n).toBeGreaterThanOrEqual(1);
          if (r > before.records || y > before.bytes) {
            expect(n).toBe(1);
            expect(before.fresh).toBe(true);
          }
          if (n > 0) credit.spend(r, y);
          expect(credit.records).toBeGreaterThanOrEqual(0);
          expect(credit.bytes).toBeGreaterThanOrEqual(0);
        }
      }),
    );
  });
});
