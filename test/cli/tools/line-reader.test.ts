import { describe, expect, test } from "vitest";
import { LineReader } from "../../../src/cli/tools/line-reader.ts";

const reader = (props: Record<string, string>) => new LineReader(new Map(Object.entries(props)));

describe("LineReader", () => {
  test("read() takes the whole line as the value without parse.key", () => {
    expect(reader({}).read("a:b\tc", 1)).toEqual({ key: null, value: "a:b\tc" });
  });

  test("read() splits at the first key.separator, a tab by default", () => {
    expect(reader({ "parse.key": "true" }).read("k\tv\tw", 1)).toEqual({ key: "k", value: "v\tw" });
    expect(reader({ "parse.key": "true", "key.separator": "::" }).read("name::paul::x", 1)).toEqual({ key: "name", value: "paul::x" });
    // The article's "name: paul" keeps the space in the value, as Kafka does.
    expect(reader({ "parse.key": "TRUE", "key.separator": ":" }).read("name: paul", 1)).toEqual({ key: "name", value: " paul" });
  });

  test("read() names the line without a separator, unless ignore.error", () => {
    expect(() => reader({ "parse.key": "true", "key.separator": ":" }).read("oops", 7)).toThrow("No key separator found on line number 7: 'oops'");
    expect(reader({ "parse.key": "true", "ignore.error": "true" }).read("oops", 7)).toEqual({ key: null, value: "oops" });
  });

  test("read() takes headers first with parse.headers and null.marker for nulls", () => {
    const r = reader({ "parse.headers": "true", "parse.key": "true", "null.marker": "~" });
    expect(r.read("a:1,b:~\tk\t~", 1)).toEqual({ key: "k", value: null, headers: [{ key: "a", value: "1" }, { key: "b", value: null }] });
    expect(r.read("~\t~\tv", 2)).toEqual({ key: null, value: "v" });
    expect(() => r.read("bad\tk\tv", 3)).toThrow("No header key separator found in pair 'bad' on line number 3");
    expect(() => r.read("~:x\tk\tv", 4)).toThrow("Header keys should not be equal to the null marker '~' as they can't be null");
  });

  test("a LineReader refuses separators that would make lines ambiguous", () => {
    expect(() => reader({ "headers.delimiter": ",", "headers.separator": "," })).toThrow("headers.delimiter and headers.separator may not be equal");
    expect(() => reader({ "null.marker": "\t" })).toThrow("null.marker and key.separator may not be equal");
  });
});
