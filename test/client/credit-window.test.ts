import { describe, expect, it } from "vitest";
import { creditOf, CreditWindow } from "../../src/client/credit-window.ts";
import { encodeRecordBatchSync } from "../../src/core/record/record-batch.ts";

describe("CreditWindow", () => {
  it("creditOf() counts every batch's records, as the broker spends credit", () => {
    const a = encodeRecordBatchSync({ records: [{ value: null }, { value: null }, { value: null }] });
    const b = encodeRecordBatchSync({ records: [{ value: new Uint8Array(5) }] });
    const both = new Uint8Array(a.length + b.length);
    both.set(a);
    both.set(b, a.length);
    expect(creditOf(both)).toEqual({ records: 4, bytes: a.length + b.length });
  });

  it("subscribes with the window minus what is held, or with nothing while paused", () => {
    const credit = new CreditWindow({ records: 10, bytes: 1000 });
    expect(credit.start(false)).toEqual({ records: 10, bytes: 1000 });
    credit.receive({ records: 4, bytes: 300 });
    expect(credit.start(false)).toEqual({ records: 6, bytes: 700 });
    expect(credit.start(true)).toEqual({ records: 0, bytes: 0 });
    expect(credit.takeGrant()).toEqual({ records: 6, bytes: 700 }); // due once resumed
  });

  it("grants consumed credit back at half a window, or when nothing is held", () => {
    const credit = new CreditWindow({ records: 10, bytes: 1000 });
    credit.start(false);
    credit.receive({ records: 3, bytes: 100 });
    credit.receive({ records: 3, bytes: 100 });
    credit.release({ records: 3, bytes: 100 });
    expect(credit.takeGrant()).toBeUndefined();
    credit.release({ records: 3, bytes: 100 });
    expect(credit.takeGrant()).toEqual({ records: 6, bytes: 200 });
    expect(credit.takeGrant()).toBeUndefined();
    credit.receive({ records: 5, bytes: 100 });
    credit.receive({ records: 1, bytes: 10 });
    credit.release({ records: 5, bytes: 100 });
    expect(credit.takeGrant()).toEqual({ records: 5, bytes: 100 }); // half the records
  });

  it("gives an oversized batch's credit back whole, so the next one gets through too", () => {
    const credit = new CreditWindow({ records: 10, bytes: 100 });
    credit.start(false);
    credit.receive({ records: 1, bytes: 5000 });
    expect(credit.held).toEqual({ records: 1, bytes: 5000 });
    credit.release({ records: 1, bytes: 5000 });
    expect(credit.takeGrant()).toEqual({ records: 1, bytes: 5000 });
  });

  it("takes back a grant that did not arrive, and forgets everything on reset()", () => {
    const credit = new CreditWindow({ records: 10, bytes: 1000 });
    credit.start(false);
    credit.giveBack({ records: 2, bytes: 20 });
    expect(credit.takeGrant()).toEqual({ records: 2, bytes: 20 });
    credit.receive({ records: 2, bytes: 20 });
    credit.reset();
    expect(credit.held).toEqual({ records: 0, bytes: 0 });
    expect(credit.start(false)).toEqual({ records: 10, bytes: 1000 });
  });
});
