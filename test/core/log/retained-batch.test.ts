import { describe, expect, it } from "vitest";
import { encodeRetainedBatch } from "../../../src/core/log/retained-batch.ts";
import { BatchHeader } from "../../../src/core/record/batch-header.ts";
import { decodeRecordBatch, decodeRecordBatchSync, encodeRecordBatch, encodeRecordBatchSync } from "../../../src/core/record/record-batch.ts";

const utf8 = (s: string) => new TextEncoder().encode(s);
const T0 = 1_700_000_000_000;

function original(): Uint8Array {
  return encodeRecordBatchSync({
    baseOffset: 100,
    partitionLeaderEpoch: 4,
    producerId: 77,
    producerEpoch: 2,
    baseSequence: 10,
    records: [
      { key: utf8("a"), value: utf8("1"), timestamp: T0 },
      { key: utf8("b"), value: null, timestamp: T0 + 5, headers: [{ key: "h", value: utf8("x") }] },
      { key: utf8("c"), value: utf8("3"), timestamp: T0 + 9 },
    ],
  });
}

describe("encodeRetainedBatch()", () => {
  it("keeps the base offset, header fields and each record's offset, timestamp and headers", async () => {
    const batch = decodeRecordBatchSync(original());
    const out = await encodeRetainedBatch(batch, [batch.records[1]!], null);
    const decoded = decodeRecordBatchSync(out);
    expect(decoded).toMatchObject({ baseOffset: 100, lastOffset: 101, partitionLeaderEpoch: 4, producerId: 77, producerEpoch: 2, baseSequence: 10, maxTimestamp: T0 + 5 });
    expect(decoded.records.map((r) => [r.offset, r.timestamp, r.value, r.headers])).toEqual([[101, T0 + 5, null, [{ key: "h", value: utf8("x") }]]]);
    expect(new BatchHeader(out).isCrcValid()).toBe(true);
  });

  it("stores a delete horizon in baseTimestamp with its attribute bit, leaving record timestamps as they were", async () => {
    const batch = decodeRecordBatchSync(original());
    const out = await encodeRetainedBatch(batch, batch.records, T0 + 86_400_000);
    const header = new BatchHeader(out);
    expect([header.hasDeleteHorizon, header.baseTimestamp, header.maxTimestamp]).toEqual([true, T0 + 86_400_000, T0 + 9]);
    expect(decodeRecordBatchSync(out).records.map((r) => r.timestamp)).toEqual([T0, T0 + 5, T0 + 9]);
    const cleared = await encodeRetainedBatch(decodeRecordBatchSync(out), decodeRecordBatchSync(out).records.slice(2), null);
    expect(new BatchHeader(cleared).hasDeleteHorizon).toBe(false);
  });

  it("compresses the retained records with the batch's codec", async () => {
    const gzip = await encodeRecordBatch({ compression: "gzip", now: T0, records: [{ key: utf8("a"), value: utf8("1") }, { key: utf8("b"), value: utf8("2") }] });
    const batch = await decodeRecordBatch(gzip);
    const out = await encodeRetainedBatch(batch, [batch.records[1]!], null);
    expect(new BatchHeader(out).compression).toBe(1);
    expect((await decodeRecordBatch(out)).records.map((r) => [r.offset, new TextDecoder().decode(r.value!)])).toEqual([[1, "2"]]);
  });

  it("rejects an empty record list", async () => {
    await expect(encodeRetainedBatch(decodeRecordBatchSync(original()), [], null)).rejects.toThrow(RangeError);
  });
});
