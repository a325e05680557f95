import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatProperties, parseProperties } from "../../../src/core/config/properties.ts";
import { isEdgelogError } from "../../../src/core/errors.ts";

const entries = (text: string): [string, string][] => [...parseProperties(text)];

describe("parseProperties()", () => {
  it("parseProperties() reads key=value lines in order", () => {
    expect(entries("a=1\nb=2\n")).toEqual([["a", "1"], ["b", "2"]]);
  });

  it("parseProperties() skips # and ! comments and blank lines, even when indented", () => {
    expect(entries("# one\n! two\n   # three\n\t! four\n\n   \n\fkey=v\n")).toEqual([["key", "v"]]);
  });

  it("parseProperties() accepts =, : and whitespace as separators", () => {
    expect(entries("a=1\nb:2\nc 3\nd\t4\ne\f5\n")).toEqual([["a", "1"], ["b", "2"], ["c", "3"], ["d", "4"], ["e", "5"]]);
  });

  it("parseProperties() skips whitespace around the separator and keeps trailing whitespace of the value", () => {
    expect(parseProperties("unclean.leader.election.enable = false").get("unclean.leader.election.enable")).toBe("false");
    expect(parseProperties("a =  b  ").get("a")).toBe("b  ");
  });

  it("parseProperties() takes one = or : after whitespace as the separator and keeps the next one in the value", () => {
    expect(parseProperties("a = = b").get("a")).toBe("= b");
    expect(parseProperties("a:=b").get("a")).toBe("=b");
    expect(parseProperties("a  :  :b").get("a")).toBe(":b");
  });

  it("parseProperties() gives a key without a value the empty string", () => {
    expect(entries("lonely\nalso=\nthird   \n")).toEqual([["lonely", ""], ["also", ""], ["third", ""]]);
  });

  it("parseProperties() joins continued lines and drops the continued line's leading whitespace", () => {
    expect(parseProperties("listeners=ws://a:1,\\\n    ws://b:2").get("listeners")).toBe("ws://a:1,ws://b:2");
    expect(parseProperties("a=one \\\n\t two \\\n three").get("a")).toBe("one two three");
  });

  it("parseProperties() continues a key across lines", () => {
    expect(parseProperties("log.\\\n   dirs=/d").get("log.dirs")).toBe("/d");
  });

  it("parseProperties() continues only on an odd number of trailing backslashes", () => {
    expect(entries("a=x\\\\\nb=y")).toEqual([["a", "x\\"], ["b", "y"]]);
    expect(entries("a=x\\\\\\\nb=y")).toEqual([["a", "x\\b=y"]]);
  });

  it("parseProperties() ends a continuation at a blank line", () => {
    expect(entries("a=x\\\n   \nb=y")).toEqual([["a", "x"], ["b", "y"]]);
  });

  it("parseProperties() never reads a continued line as a comment", () => {
    expect(parseProperties("a=x\\\n  # not a comment").get("a")).toBe("x# not a comment");
  });

  it("parseProperties() never continues a comment line", () => {
    expect(entries("# comment \\\nb=y")).toEqual([["b", "y"]]);
  });

  it("parseProperties() drops a backslash at the very end of the text", () => {
    expect(parseProperties("a=x\\").get("a")).toBe("x");
  });

  it("parseProperties() handles \\r\\n and \\r line endings, in continuations too", () => {
    expect(entries("a=1\r\nb=2\rc=3\r\nd=4\\\r\n   5")).toEqual([["a", "1"], ["b", "2"], ["c", "3"], ["d", "45"]]);
  });

  it("parseProperties() decodes \\t \\n \\r \\f \\\\ and \\uXXXX", () => {
    expect(parseProperties("a=\\t\\n\\r\\f\\\\\\u0041\\u00e9\\uD83D\\uDE00").get("a")).toBe("\t\n\r\f\\Aé😀");
  });

  it("parseProperties() reads escaped separators and spaces as part of the key", () => {
    const props = parseProperties("a\\=b\\:c\\ d=v\\=w");
    expect([...props]).toEqual([["a=b:c d", "v=w"]]);
  });

  it("parseProperties() reads a backslash before any other character as that character", () => {
    expect(parseProperties("a=\\q\\#\\!").get("a")).toBe("q#!");
  });

  it("parseProperties() rejects a malformed \\u escape with INVALID_CONFIG naming the line", () => {
    let error: unknown;
    try {
      parseProperties("a=1\nb=\\u12G4\n");
    } catch (e) {
      error = e;
    }
    expect(isEdgelogError(error, "INVALID_CONFIG")).toBe(true);
    expect((error as Error).message).toBe("Malformed \\uXXXX escape on line 2 of the properties text");
    expect(() => parseProperties("a=\\u12")).toThrow(/line 1/);
  });

  it("parseProperties() keeps the last value of a repeated key at its first position", () => {
    expect(entries("a=1\nb=2\na=3")).toEqual([["a", "3"], ["b", "2"]]);
  });

  it("parseProperties() keeps non-ASCII text as it is", () => {
    expect(parseProperties("토픽=카프카").get("토픽")).toBe("카프카");
  });

  it("parseProperties() reads the empty text as no entries", () => {
    expect(parseProperties("").size).toBe(0);
    expect(parseProperties("\n\n# only\n").size).toBe(0);
  });
});

describe("formatProperties()", () => {
  it("formatProperties() writes one key=value line per entry", () => {
    expect(formatProperties(new Map([["broker.id", "0"], ["log.dirs", "/data"]]))).toBe("broker.id=0\nlog.dirs=/data\n");
    expect(formatProperties({ a: "1" })).toBe("a=1\n");
  });

  it("formatProperties() escapes spaces in keys, a leading space of a value, separators and comment characters", () => {
    expect(formatProperties(new Map([["a key", " x=y: #!"]]))).toBe("a\\ key=\\ x\\=y\\: \\#\\!\n");
    expect(formatProperties(new Map([["#k", "v"]]))).toBe("\\#k=v\n");
  });

  it("formatProperties() escapes control characters and, by default, non-ASCII text", () => {
    expect(formatProperties(new Map([["k", "a\tb\nc\rd\fe\\f\u0001é"]]))).toBe("k=a\\tb\\nc\\rd\\fe\\\\f\\u0001\\u00E9\n");
    expect(formatProperties(new Map([["k", "é"]]), { escapeUnicode: false })).toBe("k=é\n");
  });

  it("formatProperties() writes comments first", () => {
    expect(formatProperties(new Map([["a", "1"]]), { comments: "edgelog\nbroker" })).toBe("#edgelog\n#broker\na=1\n");
  });

  it("parseProperties() reads back whatever formatProperties() writes", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.string({ unit: "binary" }), fc.string({ unit: "binary" })), { maxLength: 8 }),
        fc.boolean(),
        (pairs, escapeUnicode) => {
          const map = new Map(pairs);
          expect(parseProperties(formatProperties(map, { escapeUnicode }))).toEqual(map);
        },
      ),
      { numRuns: 200 },
    );
  });
});
