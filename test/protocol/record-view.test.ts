import { describe, expect, it } from "vitest";
import { decodeFrame, encodeFrame } from "../../src/protocol/frame-codec.ts";
import { Fields } from "../../src/protocol/fields.ts";
import { readRecordFormat, readValueEncoding, recordView } from "../../src/protocol/record-view.ts";
import { expectInvalid } from "./invalid.ts";

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
const record = {
  offset: 7,
  timestamp: 1_700_000_000_000,
  key: utf8("user-1"),
  value: utf8("héllo"),
  headers: [
    { key: "trace", value: utf8("abc") },
    { key: "empty", value: null },
  ],
};

describe("readRecordFormat() and readValueEncoding()", () => {
  it("readRecordFormat() and readValueEncoding() default to batches and bytes when absent", () => {
    const f = Fields.of({});
    expect(readRecordFormat(f)).toBe("batches");
    expect(readValueEncoding(f)).toBe("bytes");
  });

  it("readValueEncoding() rejects an encoding it does not know, naming the field and the choices", () => {
    const error = expectInvalid((frame) => readValueEncoding(Fields.of(frame)), { valueEncoding: "base64" }, "valueEncoding");
    expect(error.message).toContain('"bytes" or "utf8"');
  });
});

describe("recordView()", () => {
  it("recordView() with bytes keeps the record's own key, value and header bytes", () => {
    const view = recordView(record, "bytes");
    expect(view).toEqual({ offset: 7, timestamp: 1_700_000_000_000, key: record.key, value: record.value, headers: record.headers });
    expect(view.value).toBe(record.value);
  });

  it("recordView() with utf8 decodes key, value and header values as text and keeps nulls", () => {
    expect(recordView(record, "utf8")).toEqual({
      offset: 7,
      timestamp: 1_700_000_000_000,
      key: "user-1",
      value: "héllo",
      headers: [
        { key: "trace", value: "abc" },
        { key: "empty", value: null },
      ],
    });
    expect(recordView({ ...record, key: null, value: null }, "utf8")).toMatchObject({ key: null, value: null });
  });

  it("recordView() with utf8 replaces invalid UTF-8 with U+FFFD and keeps a leading byte order mark", () => {
    const view = recordView({ ...record, value: new Uint8Array([0x68, 0xff, 0x69]), key: new Uint8Array([0xef, 0xbb, 0xbf, 0x6b]) }, "utf8");
    expect(view.value).toBe("h\uFFFDi");
    expect(view.key).toBe("\uFEFFk");
  });

  it("a record view travels as base64 in JSON and as a byte string in CBOR", () => {
    const view = recordView(record, "bytes");
    const json = JSON.parse(encodeFrame({ records: [view] }, "json")) as { records: Record<string, unknown>[] };
    expect(json.records[0]).toMatchObject({ key: "dXNlci0x", value: "aMOpbGxv", headers: [{ key: "trace", value: "YWJj" }, { key: "empty", value: null }] });
    const cbor = decodeFrame(encodeFrame({ records: [view] }, "cbor")) as { records: Record<string, unknown>[] };
    expect(cbor.records[0]!["value"]).toEqual(record.value);
    expect(cbor.records[0]!["value"]).toBeInstanceOf(Uint8Array);
  });
});
