import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isEdgelogError } from "../../../src/core/errors.ts";
import { BatchHeader } from "../../../src/core/record/batch-header.ts";
import { crc32c } from "../../../src/core/record/crc32c.ts";
import {
  type DecodedBatch,
  decodeRecordBatch,
  decodeRecordBatches,
  decodeRecordBatchSync,
  encodeRecordBatch,
  encodeRecordBatchSync,
  type RecordInput,
} from "../../../src/core/record/record-batch.ts";

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
const T0 = 1_700_000_000_000;

/** Kafka's documented layout, written field by field: the records of the hand-built batch. */
const HAND_RECORDS = [
  // Record 0: key "k1", value "v1", at the base timestamp, no headers.
  0x14, //       length 10 (zigzag varint)
  0x00, //       attributes
  0x00, //       timestampDelta 0 (varlong)
  0x00, //       offsetDelta 0
  0x04, 0x6b, 0x31, // keyLength 2, "k1"
  0x04, 0x76, 0x31, // valueLength 2, "v1"
  0x00, //       header count 0
  // Record 1: null key, null value (a tombstone), +5 ms, two headers.
  0x1a, //       length 13
  0x00, //       attributes
  0x0a, //       timestampDelta 5
  0x02, //       offsetDelta 1
  0x01, //       keyLength -1: null
  0x01, //       valueLength -1: null
  0x04, //       header count 2
  0x02, 0x68, 0x02, 0x01, // header "h" = [0x01]
  0x02, 0x6e, 0x01, //      header "n" = null
  // Record 2: empty key, value "é", -10 ms (before the base timestamp).
  0x10, //       length 8
  0x00, //       attributes
  0x13, //       timestampDelta -10
  0x04, //       offsetDelta 2
  0x00, //       keyLength 0: empty, not null
  0x04, 0xc3, 0xa9, // valueLength 2, "é" in UTF-8
  0x00, //       header count 0
];

/** The batch header fields, written byte by byte; CRC and batchLength are filled in by handBuilt(). */
function handBuilt(records: number[], attributes = [0x00, 0x00]): Uint8Array {
  const batchLength = 49 + records.length;
  const bytes = new Uint8Array([
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x64, // baseOffset 100
    batchLength >>> 24, (batchLength >>> 16) & 0xff, (batchLength >>> 8) & 0xff, batchLength & 0xff, // batchLength
    0x00, 0x00, 0x00, 0x05, //                         partitionLeaderEpoch 5
    0x02, //                                           magic 2
    0x00, 0x00, 0x00, 0x00, //                         crc (below)
    ...attributes, //                                  attributes
    0x00, 0x00, 0x00, 0x02, //                         lastOffsetDelta 2
    0x00, 0x00, 0x01, 0x8b, 0xcf, 0xe5, 0x68, 0x00, // baseTimestamp 1700000000000
    0x00, 0x00, 0x01, 0x8b, 0xcf, 0xe5, 0x68, 0x05, // maxTimestamp 1700000000005
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x2a, // producerId 42
    0x00, 0x03, //                                     producerEpoch 3
    0x00, 0x00, 0x00, 0x07, //                         baseSequence 7
    0x00, 0x00, 0x00, 0x03, //                         records count 3
    ...records,
  ]);
  const crc = crc32c(bytes, 21, bytes.length);
  bytes.set([crc >>> 24, (crc >>> 16) & 0xff, (crc >>> 8) & 0xff, crc & 0xff], 17);
  return bytes;
}

const HAND_INPUT = {
  baseOffset: 100,
  partitionLeaderEpoch: 5,
  producerId: 42,
  producerEpoch: 3,
  baseSequence: 7,
  records: [
    { key: utf8("k1"), value: utf8("v1"), timestamp: T0 },
    { key: null, value: null, timestamp: T0 + 5, headers: [{ key: "h", value: new Uint8Array([1]) }, { key: "n", value: null }] },
    { key: new Uint8Array(0), value: utf8("é"), timestamp: T0 - 10 },
  ],
};

const HAND_RECORDS_DECODED = [
  { offset: 100, timestamp: T0, key: utf8("k1"), value: utf8("v1"), headers: [] },
  { offset: 101, timestamp: T0 + 5, key: null, value: null, headers: [{ key: "h", value: new Uint8Array([1]) }, { key: "n", value: null }] },
  { offset: 102, timestamp: T0 - 10, key: new Uint8Array(0), value: utf8("é"), headers: [] },
];

/** Gzip through the platform, independently of the code under test. */
async function gzip(data: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([data as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new CompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error("Expected a rejection");
}

function thrown(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  throw new Error("Expected a throw");
}

function withCrc(bytes: Uint8Array): Uint8Array {
  new BatchHeader(bytes).updateCrc();
  return bytes;
}

describe("a batch built by hand from Kafka's layout", () => {
  it("decodeRecordBatchSync() reads the hand-built batch's header and records", () => {
    const bytes = handBuilt(HAND_RECORDS);
    const batch = decodeRecordBatchSync(bytes);
    expect(batch).toMatchObject({
      baseOffset: 100,
      lastOffset: 102,
      partitionLeaderEpoch: 5,
      crcValid: true,
      attributes: 0,
      compression: 0,
      timestampType: "CreateTime",
      isTransactional: false,
      isControl: false,
      baseTimestamp: T0,
      maxTimestamp: T0 + 5,
      producerId: 42,
      producerEpoch: 3,
      baseSequence: 7,
      sizeInBytes: bytes.length,
    });
    expect(batch.crc).toBe(crc32c(bytes, 21, bytes.length));
    expect(batch.records).toEqual(HAND_RECORDS_DECODED);
  });

  it("encodeRecordBatchSync() of the same input produces exactly the hand-built bytes", async () => {
    const expected = handBuilt(HAND_RECORDS);
    expect(encodeRecordBatchSync(HAND_INPUT)).toEqual(expected);
    expect(await encodeRecordBatch(HAND_INPUT)).toEqual(expected);
  });

  it("decodeRecordBatch() reads a hand-built gzip batch whose records section is gzipped", async () => {
    const bytes = handBuilt([...(await gzip(new Uint8Array(HAND_RECORDS)))], [0x00, 0x01]);
    const batch = await decodeRecordBatch(bytes);
    expect(batch.compression).toBe(1);
    expect(batch.records).toEqual(HAND_RECORDS_DECODED);
  });

  it("under LogAppendTime every record reads back with the batch's maxTimestamp", () => {
    const bytes = handBuilt(HAND_RECORDS, [0x00, 0x08]);
    const batch = decodeRecordBatchSync(bytes);
    expect(batch.timestampType).toBe("LogAppendTime");
    expect(batch.records.map((r) => r.timestamp)).toEqual([T0 + 5, T0 + 5, T0 + 5]);
  });
});

describe("encodeRecordBatch()", () => {
  it("encodeRecordBatchSync() uses Kafka's producer defaults", () => {
    const before = Date.now();
    const batch = decodeRecordBatchSync(encodeRecordBatchSync({ records: [{ value: utf8("a") }, { value: utf8("b") }] }));
    const after = Date.now();
    expect(batch).toMatchObject({
      baseOffset: 0,
      lastOffset: 1,
      partitionLeaderEpoch: -1,
      producerId: -1,
      producerEpoch: -1,
      baseSequence: -1,
      attributes: 0,
      timestampType: "CreateTime",
    });
    expect(batch.baseTimestamp).toBeGreaterThanOrEqual(before);
    expect(batch.baseTimestamp).toBeLessThanOrEqual(after);
    expect(batch.records.map((r) => [r.key, r.timestamp])).toEqual([[null, batch.baseTimestamp], [null, batch.baseTimestamp]]);
  });

  it("records without a timestamp take `now`; baseTimestamp is the first record's and maxTimestamp the largest", () => {
    const batch = decodeRecordBatchSync(encodeRecordBatchSync({
      now: T0,
      records: [{ value: null, timestamp: T0 + 50 }, { value: null }, { value: null, timestamp: T0 + 90 }, { value: null, timestamp: T0 - 7 }],
    }));
    expect(batch.baseTimestamp).toBe(T0 + 50);
    expect(batch.maxTimestamp).toBe(T0 + 90);
    expect(batch.records.map((r) => r.timestamp)).toEqual([T0 + 50, T0, T0 + 90, T0 - 7]);
  });

  it("a LogAppendTime batch stores `now` as maxTimestamp and reads it for every record", () => {
    const batch = decodeRecordBatchSync(encodeRecordBatchSync({
      now: T0,
      timestampType: "LogAppendTime",
      records: [{ value: null, timestamp: T0 - 100 }, { value: null, timestamp: T0 - 50 }],
    }));
    expect(batch.maxTimestamp).toBe(T0);
    expect(batch.records.map((r) => r.timestamp)).toEqual([T0, T0]);
  });

  it("transactional and control flags land in the attributes", () => {
    const batch = decodeRecordBatchSync(encodeRecordBatchSync({ records: [{ value: null }], transactional: true, control: true }));
    expect(batch.attributes).toBe(0x30);
    expect(batch.isTransactional).toBe(true);
    expect(batch.isControl).toBe(true);
  });

  it("a header key with a lone surrogate is written as U+FFFD and the batch stays well formed", () => {
    const bytes = encodeRecordBatchSync({ records: [{ value: null, headers: [{ key: "a\ud800b😀\udc00", value: null }] }] });
    expect(decodeRecordBatchSync(bytes).records[0]!.headers[0]!.key).toBe("a\ufffdb😀\ufffd");
  });

  it("encodeRecordBatchSync() refuses compression with a TypeError", () => {
    expect(() => encodeRecordBatchSync({ records: [{ value: null }], compression: "gzip" })).toThrow(TypeError);
  });

  it("encodeRecordBatch() rejects snappy, lz4 and zstd with UNSUPPORTED_COMPRESSION_TYPE", async () => {
    for (const compression of ["snappy", "lz4", "zstd"] as const) {
      const e = await rejection(encodeRecordBatch({ records: [{ value: null }], compression }));
      expect(isEdgelogError(e, "UNSUPPORTED_COMPRESSION_TYPE"), String(e)).toBe(true);
    }
  });

  it("encodeRecordBatch() refuses malformed input with a clear error", async () => {
    const bad: Array<[unknown, ErrorConstructor]> = [
      [{ records: [] }, RangeError],
      [{ records: "x" }, TypeError],
      [{ records: [null] }, TypeError],
      [{ records: [{}] }, TypeError],
      [{ records: [{ value: "text" }] }, TypeError],
      [{ records: [{ key: [1, 2], value: null }] }, TypeError],
      [{ records: [{ value: null, headers: [{ key: 1, value: null }] }] }, TypeError],
      [{ records: [{ value: null, headers: { key: "k", value: null } }] }, TypeError],
      [{ records: [{ value: null, headers: [{ key: "k", value: "v" }] }] }, TypeError],
      [{ records: [{ value: null, timestamp: 1.5 }] }, RangeError],
      [{ records: [{ value: null, timestamp: 2 ** 53 - 1 }, { value: null, timestamp: -(2 ** 53) + 1 }] }, RangeError],
      [{ records: [{ value: null }], producerEpoch: 40_000 }, RangeError],
      [{ records: [{ value: null }], baseSequence: 2 ** 31 }, RangeError],
      [{ records: [{ value: null }], baseOffset: -1 }, RangeError],
      [{ records: [{ value: null }], compression: "brotli" }, TypeError],
      [{ records: [{ value: null }], timestampType: "Now" }, TypeError],
    ];
    for (const [input, type] of bad) {
      expect(await rejection(encodeRecordBatch(input as never)), JSON.stringify(input)).toBeInstanceOf(type);
    }
  });
});

const recordArb: fc.Arbitrary<RecordInput> = fc.record(
  {
    key: fc.option(fc.uint8Array({ maxLength: 40 }), { nil: undefined }).chain((k) => fc.constantFrom(k, k ?? null)),
    value: fc.option(fc.uint8Array({ maxLength: 200 }), { nil: null }),
    headers: fc.array(
      fc.record({ key: fc.string({ unit: "grapheme", maxLength: 10 }), value: fc.option(fc.uint8Array({ maxLength: 20 }), { nil: null }) }),
      { maxLength: 4 },
    ),
    timestamp: fc.integer({ min: 0, max: 2 ** 45 }),
  },
  { requiredKeys: ["value"] },
);

function expectRecords(batch: DecodedBatch, baseOffset: number, now: number, records: RecordInput[]): void {
  expect(batch.records).toEqual(records.map((r, i) => ({
    offset: baseOffset + i,
    timestamp: r.timestamp ?? now,
    key: r.key ?? null,
    value: r.value,
    headers: r.headers ?? [],
  })));
}

describe("encode and decode round trips", () => {
  it("uncompressed batches round-trip any keys, values, headers and timestamps", () => {
    fc.assert(
      fc.property(fc.array(recordArb, { minLength: 1, maxLength: 20 }), fc.integer({ min: 0, max: 2 ** 50 }), (records, baseOffset) => {
        const bytes = encodeRecordBatchSync({ records, baseOffset, now: T0 });
        const batch = decodeRecordBatchSync(bytes);
        expect(batch.sizeInBytes).toBe(bytes.length);
        expect(batch.lastOffset).toBe(baseOffset + records.length - 1);
        expectRecords(batch, baseOffset, T0, records);
      }),
    );
  });

  it("gzip batches round-trip any keys, values, headers and timestamps", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(recordArb, { minLength: 1, maxLength: 20 }), fc.nat(1000), async (records, baseOffset) => {
        const bytes = await encodeRecordBatch({ records, baseOffset, now: T0, compression: "gzip" });
        const batch = await decodeRecordBatch(bytes);
        expect(batch.compression).toBe(1);
        expectRecords(batch, baseOffset, T0, records);
      }),
      { numRuns: 40 },
    );
  });

  it("gzip shrinks repetitive records", async () => {
    const records = Array.from({ length: 100 }, () => ({ value: utf8("the same value, again and again") }));
    const plain = encodeRecordBatchSync({ records, now: T0 });
    const packed = await encodeRecordBatch({ records, now: T0, compression: "gzip" });
    expect(packed.length).toBeLessThan(plain.length / 5);
  });
});

describe("decodeRecordBatch() on damaged bytes", () => {
  const good = (): Uint8Array => handBuilt(HAND_RECORDS);

  it("a flipped bit fails the CRC with CORRUPT_MESSAGE", async () => {
    const bytes = good();
    bytes[70]! ^= 0x04;
    expect(isEdgelogError(thrown(() => decodeRecordBatchSync(bytes)), "CORRUPT_MESSAGE")).toBe(true);
    expect(isEdgelogError(await rejection(decodeRecordBatch(bytes)), "CORRUPT_MESSAGE")).toBe(true);
  });

  it("checkCrc: false decodes a batch with a bad CRC and reports crcValid false", () => {
    const bytes = good();
    bytes[19]! ^= 0xff; // the stored CRC itself
    const batch = decodeRecordBatchSync(bytes, 0, { checkCrc: false });
    expect(batch.crcValid).toBe(false);
    expect(batch.records).toEqual(HAND_RECORDS_DECODED);
  });

  it("truncated bytes, a wrong magic and a short batchLength are CORRUPT_MESSAGE", () => {
    const bytes = good();
    const magic1 = good();
    magic1[16] = 1;
    const short = good();
    short.set([0, 0, 0, 40], 8);
    for (const damaged of [bytes.subarray(0, 60), bytes.subarray(0, bytes.length - 1), new Uint8Array(0), withCrc(magic1), short]) {
      expect(isEdgelogError(thrown(() => decodeRecordBatchSync(damaged)), "CORRUPT_MESSAGE")).toBe(true);
    }
  });

  it("a records count that disagrees with the records is CORRUPT_MESSAGE even with a valid CRC", () => {
    for (const count of [2, 4, 0x7fffffff, -1]) {
      const bytes = good();
      bytes.set([count >>> 24, (count >>> 16) & 0xff, (count >>> 8) & 0xff, count & 0xff], 57);
      const e = thrown(() => decodeRecordBatchSync(withCrc(bytes)));
      expect(isEdgelogError(e, "CORRUPT_MESSAGE"), String(e)).toBe(true);
    }
  });

  it("a record length that disagrees with its fields is CORRUPT_MESSAGE even with a valid CRC", () => {
    const records = [...HAND_RECORDS];
    records[0] = 0x16; // record 0 claims 11 bytes, its fields take 10
    const e = thrown(() => decodeRecordBatchSync(withCrc(handBuilt(records))));
    expect(isEdgelogError(e, "CORRUPT_MESSAGE"), String(e)).toBe(true);
  });

  it("any damage with a recomputed CRC ends in records or a CORRUPT_MESSAGE, never another error", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 4 }), (flips) => {
        const bytes = good();
        for (const [at, mask] of flips) bytes[61 + (at % HAND_RECORDS.length)]! ^= mask;
        try {
          decodeRecordBatchSync(withCrc(bytes));
        } catch (e) {
          expect(isEdgelogError(e, "CORRUPT_MESSAGE"), String(e)).toBe(true);
        }
      }),
    );
  });

  it("decodeRecordBatchSync() refuses a gzip batch with UNSUPPORTED_COMPRESSION_TYPE", async () => {
    const bytes = await encodeRecordBatch({ records: [{ value: null }], compression: "gzip" });
    expect(isEdgelogError(thrown(() => decodeRecordBatchSync(bytes)), "UNSUPPORTED_COMPRESSION_TYPE")).toBe(true);
  });

  it("decodeRecordBatch() refuses lz4 with UNSUPPORTED_COMPRESSION_TYPE and codec 6 with CORRUPT_MESSAGE", async () => {
    expect(isEdgelogError(await rejection(decodeRecordBatch(handBuilt(HAND_RECORDS, [0x00, 0x03]))), "UNSUPPORTED_COMPRESSION_TYPE")).toBe(true);
    expect(isEdgelogError(await rejection(decodeRecordBatch(handBuilt(HAND_RECORDS, [0x00, 0x06]))), "CORRUPT_MESSAGE")).toBe(true);
  });

  it("a gzip batch whose records section is not gzip is CORRUPT_MESSAGE", async () => {
    const e = await rejection(decodeRecordBatch(handBuilt(HAND_RECORDS, [0x00, 0x01])));
    expect(isEdgelogError(e, "CORRUPT_MESSAGE"), String(e)).toBe(true);
  });

  it("a gzip batch that expands past maxDecompressedBytes is MESSAGE_TOO_LARGE", async () => {
    const records = [{ value: new Uint8Array(4 << 20) }];
    const bytes = await encodeRecordBatch({ records, compression: "gzip" });
    expect(bytes.length).toBeLessThan(20_000);
    const e = await rejection(decodeRecordBatch(bytes, 0, { maxDecompressedBytes: 1 << 20 }));
    expect(isEdgelogError(e, "MESSAGE_TOO_LARGE"), String(e)).toBe(true);
    expect((await decodeRecordBatch(bytes, 0, { maxDecompressedBytes: 5 << 20 })).records[0]!.value!.length).toBe(4 << 20);
  });
});

describe("decodeRecordBatches()", () => {
  it("decodeRecordBatches() reads concatenated uncompressed and gzip batches in order", async () => {
    const a = encodeRecordBatchSync({ baseOffset: 0, now: T0, records: [{ value: utf8("a") }, { value: utf8("b") }] });
    const b = await encodeRecordBatch({ baseOffset: 2, now: T0, compression: "gzip", records: [{ value: utf8("c") }] });
    const c = encodeRecordBatchSync({ baseOffset: 3, now: T0, records: [{ value: utf8("d") }] });
    const all = new Uint8Array([...a, ...b, ...c]);
    const batches = await decodeRecordBatches(all);
    expect(batches.map((x) => x.sizeInBytes)).toEqual([a.length, b.length, c.length]);
    expect(batches.flatMap((x) => x.records.map((r) => [r.offset, new TextDecoder().decode(r.value!)]))).toEqual([
      [0, "a"], [1, "b"], [2, "c"], [3, "d"],
    ]);
    expect((await decodeRecordBatch(all, a.length)).baseOffset).toBe(2);
    expect(decodeRecordBatchSync(all, a.length + b.length).baseOffset).toBe(3);
    expect(await decodeRecordBatches(new Uint8Array(0))).toEqual([]);
  });

  it("decodeRecordBatches() fails with CORRUPT_MESSAGE on a partial batch at the end", async () => {
    const a = encodeRecordBatchSync({ records: [{ value: utf8("a") }] });
    const e = await rejection(decodeRecordBatches(new Uint8Array([...a, ...a.subarray(0, 30)])));
    expect(isEdgelogError(e, "CORRUPT_MESSAGE"), String(e)).toBe(true);
  });
});
