import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { BATCH, batchAttributes, BatchHeader } from "../../../src/core/record/batch-header.ts";
import { decodeRecordBatchSync, encodeRecordBatchSync } from "../../../src/core/record/record-batch.ts";

const T0 = 1_700_000_000_000;

function sample(): Uint8Array {
  return encodeRecordBatchSync({
    baseOffset: 0,
    now: T0,
    producerId: 9,
    producerEpoch: 2,
    baseSequence: 11,
    records: [{ value: new Uint8Array([1]) }, { value: null, timestamp: T0 + 3 }, { key: new Uint8Array([7]), value: null }],
  });
}

describe("BatchHeader", () => {
  it("BatchHeader reads every field of an encoded batch", () => {
    const bytes = sample();
    const h = new BatchHeader(bytes);
    expect({
      baseOffset: h.baseOffset, batchLength: h.batchLength, sizeInBytes: h.sizeInBytes, magic: h.magic,
      attributes: h.attributes, compression: h.compression, timestampType: h.timestampType,
      lastOffsetDelta: h.lastOffsetDelta, lastOffset: h.lastOffset, nextOffset: h.nextOffset,
      baseTimestamp: h.baseTimestamp, maxTimestamp: h.maxTimestamp, producerId: h.producerId,
      producerEpoch: h.producerEpoch, baseSequence: h.baseSequence, recordCount: h.recordCount,
      partitionLeaderEpoch: h.partitionLeaderEpoch,
    }).toEqual({
      baseOffset: 0, batchLength: bytes.length - 12, sizeInBytes: bytes.length, magic: 2,
      attributes: 0, compression: 0, timestampType: "CreateTime",
      lastOffsetDelta: 2, lastOffset: 2, nextOffset: 3,
      baseTimestamp: T0, maxTimestamp: T0 + 3, producerId: 9,
      producerEpoch: 2, baseSequence: 11, recordCount: 3,
      partitionLeaderEpoch: -1,
    });
    expect(h.isCrcValid()).toBe(true);
  });

  it("BatchHeader reads a batch at an offset inside a larger buffer", () => {
    const bytes = sample();
    const padded = new Uint8Array(bytes.length + 10);
    padded.set(bytes, 7);
    const h = new BatchHeader(padded, 7);
    expect(h.recordCount).toBe(3);
    expect(h.isCrcValid()).toBe(true);
  });

  it("setting baseOffset and partitionLeaderEpoch keeps the CRC valid, since the CRC does not cover them", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 52 }), fc.integer({ min: -1, max: 2 ** 31 - 1 }), (offset, epoch) => {
        const bytes = sample();
        const h = new BatchHeader(bytes);
        const crc = h.crc;
        h.baseOffset = offset;
        h.partitionLeaderEpoch = epoch;
        expect(h.baseOffset).toBe(offset);
        expect(h.lastOffset).toBe(offset + 2);
        expect(h.partitionLeaderEpoch).toBe(epoch);
        expect(h.crc).toBe(crc);
        expect(h.isCrcValid()).toBe(true);
        expect(decodeRecordBatchSync(bytes).records.map((r) => r.offset)).toEqual([offset, offset + 1, offset + 2]);
      }),
    );
  });

  it("setLogAppendTime() sets the timestamp type and maxTimestamp and keeps the CRC valid", () => {
    const bytes = sample();
    const h = new BatchHeader(bytes);
    const crc = h.crc;
    h.setLogAppendTime(T0 + 1000);
    expect(h.timestampType).toBe("LogAppendTime");
    expect(h.maxTimestamp).toBe(T0 + 1000);
    expect(h.crc).not.toBe(crc);
    expect(h.isCrcValid()).toBe(true);
    expect(decodeRecordBatchSync(bytes).records.map((r) => r.timestamp)).toEqual([T0 + 1000, T0 + 1000, T0 + 1000]);
  });

  it("a change to a field the CRC covers invalidates it until updateCrc()", () => {
    const bytes = sample();
    const h = new BatchHeader(bytes);
    bytes[BATCH.PRODUCER_EPOCH + 1] = 5;
    expect(h.isCrcValid()).toBe(false);
    h.updateCrc();
    expect(h.isCrcValid()).toBe(true);
    expect(h.producerEpoch).toBe(5);
  });

  it("batchAttributes() sets Kafka's attribute bits", () => {
    expect(batchAttributes({})).toBe(0);
    expect(batchAttributes({ compression: "gzip" })).toBe(1);
    expect(batchAttributes({ compression: "zstd" })).toBe(4);
    expect(batchAttributes({ timestampType: "LogAppendTime" })).toBe(0x08);
    expect(batchAttributes({ transactional: true })).toBe(0x10);
    expect(batchAttributes({ control: true })).toBe(0x20);
    expect(batchAttributes({ deleteHorizon: true })).toBe(0x40);
    const h = new BatchHeader(encodeRecordBatchSync({ records: [{ value: null }], transactional: true, control: true }));
    expect([h.isTransactional, h.isControl, h.hasDeleteHorizon]).toEqual([true, true, false]);
  });
});
