import { describe, expect, test } from "vitest";
import { ConsumedRecord } from "../../../src/client/consumed-record.ts";
import { MessageFormatter } from "../../../src/cli/tools/message-formatter.ts";

const utf8 = new TextEncoder();
const record = (key: string | null, value: string | null, headers: { key: string; value: string | null }[] = []) =>
  new ConsumedRecord("t", 2, {
    offset: 7,
    timestamp: 1_700_000_000_000,
    key: key === null ? null : utf8.encode(key),
    value: value === null ? null : utf8.encode(value),
    headers: headers.map((h) => ({ key: h.key, value: h.value === null ? null : utf8.encode(h.value) })),
  });
const format = (props: Record<string, string>, r = record("k", "v")) => new TextDecoder().decode(new MessageFormatter(new Map(Object.entries(props))).format(r));

describe("MessageFormatter", () => {
  test("format() prints the value and a newline by default", () => {
    expect(format({})).toBe("v\n");
  });

  test("format() prints a null key or value as null.literal", () => {
    expect(format({ "print.key": "true", "key.separator": "-" }, record(null, "kafka"))).toBe("null-kafka\n");
    expect(format({ "print.key": "true", "null.literal": "<nil>" }, record("k", null))).toBe("k\t<nil>\n");
  });

  test("format() puts the fields in Kafka's order, each followed by the separator", () => {
    const all = { "print.timestamp": "true", "print.partition": "true", "print.offset": "true", "print.headers": "true", "print.key": "true" };
    expect(format(all, record("k", "v", [{ key: "a", value: "1" }, { key: "b", value: null }]))).toBe("CreateTime:1700000000000\tPartition:2\tOffset:7\ta:1,b:null\tk\tv\n");
    expect(format({ ...all, "headers.separator": ";" }, record("k", "v"))).toBe("CreateTime:1700000000000\tPartition:2\tOffset:7\tNO_HEADERS\tk\tv\n");
  });

  test("format() ends with line.separator after the last field when the value is not printed", () => {
    expect(format({ "print.value": "false", "print.offset": "true", "print.key": "true", "line.separator": "|" })).toBe("Offset:7\tk|");
    expect(format({ "print.value": "false" })).toBe("");
  });

  test("format() names LogAppendTime for topics that stamp it", () => {
    const formatter = new MessageFormatter(new Map([["print.timestamp", "true"]]));
    formatter.logAppendTimeTopics.add("t");
    expect(new TextDecoder().decode(formatter.format(record("k", "v")))).toBe("LogAppendTime:1700000000000\tv\n");
  });
});
