import { describe, expect, test } from "vitest";
import { bootstrapServers } from "../../../src/cli/tools/bootstrap.ts";
import { includeList } from "../../../src/cli/tools/cluster-topics.ts";
import { keyValues } from "../../../src/cli/tools/key-values.ts";
import { producerSettings } from "../../../src/cli/tools/producer-settings.ts";
import { expandAbbreviations, parseInteger } from "../../../src/cli/tools/tool-args.ts";
import { parseOffsetJson } from "../../../src/cli/commands/delete-records.ts";
import { UsageError } from "../../../src/cli/usage-error.ts";

const spec = { options: { "max-messages": { type: "string" as const }, "max-bytes": { type: "string" as const }, describe: { type: "boolean" as const }, topic: { type: "string" as const } } };

describe("the tools' command-line helpers", () => {
  test("expandAbbreviations() completes a unique prefix and leaves option values alone", () => {
    expect(expandAbbreviations(["--max-message", "10", "--desc", "--topic", "--max-messages"], spec, "c")).toEqual(["--max-messages", "10", "--describe", "--topic", "--max-messages"]);
    expect(expandAbbreviations(["--top=t", "--", "--desc"], spec, "c")).toEqual(["--topic=t", "--", "--desc"]);
    expect(() => expandAbbreviations(["--max", "1"], spec, "c")).toThrow("option --max is ambiguous (--max-messages, --max-bytes)");
  });

  test("parseInteger() takes signed decimals within the range only", () => {
    expect(parseInteger("-1", "--throughput", "c", { min: -1 })).toBe(-1);
    expect(() => parseInteger("1e3", "--n", "c")).toThrow(UsageError);
    expect(() => parseInteger("0", "--partitions", "c", { min: 1 })).toThrow("--partitions expects an integer ≥ 1");
  });

  test("bootstrapServers() splits a comma-separated list and checks each address", () => {
    expect(bootstrapServers(" a:1, ws://b:2/ ,", "c")).toEqual(["a:1", "ws://b:2/"]);
    expect(() => bootstrapServers("localhost", "c")).toThrow(/needs a port/);
    expect(() => bootstrapServers(undefined, "c", "--broker-list")).toThrow("missing required option --broker-list");
  });

  test("keyValues() splits at the first = and refuses words without a key", () => {
    expect([...keyValues(["a=1", "b=x=y", "a=2"], "--property", "c")]).toEqual([["a", "2"], ["b", "x=y"]]);
    expect(() => keyValues(["=1"], "--property", "c")).toThrow(UsageError);
  });

  test("includeList() matches whole names, with , as or", () => {
    const matches = includeList("hello.kafka,orders", "c");
    expect(["hello.kafka", "hello.kafka.2", "orders", "helloXkafka"].filter((name) => matches({ name }))).toEqual(["hello.kafka", "orders", "helloXkafka"]);
    expect(() => includeList("(", "c")).toThrow(UsageError);
  });

  test("producerSettings() maps Kafka's producer settings and warns about unknown ones", () => {
    const s = producerSettings(
      new Map([["acks", "all"], ["linger.ms", "5"], ["batch.size", "100"], ["retries", "0"], ["max.in.flight.requests.per.connection", "1"], ["client.id", "x"], ["key.serializer", "s"], ["colour", "red"]]),
      "c",
    );
    expect(s.options).toEqual({ acks: "all", lingerMs: 5, batchSize: 100, retry: { retries: 0 }, maxInFlightRequests: 1 });
    expect(s.clientId).toBe("x");
    expect(s.warnings).toEqual(["The configuration 'colour' was supplied but isn't a known config."]);
    expect(() => producerSettings(new Map([["compression.type", "zstd"]]), "c")).toThrow(/zstd is not available/);
  });

  test("parseOffsetJson() reads Kafka's offset file and refuses malformed ones", () => {
    expect(parseOffsetJson('{"partitions":[{"topic":"t","partition":0,"offset":3}],"version":1}')).toEqual([{ topic: "t", partition: 0, offset: 3 }]);
    expect(() => parseOffsetJson("{")).toThrow("The input string is not a valid JSON");
    expect(() => parseOffsetJson('{"version":2,"partitions":[]}')).toThrow("Not supported version field value 2");
    expect(() => parseOffsetJson('{"version":1}')).toThrow("Missing partitions field");
    expect(() => parseOffsetJson('{"partitions":[{"topic":"t","partition":0,"offset":1},{"topic":"t","partition":0,"offset":2}]}')).toThrow(
      "Offset json file contains duplicate topic partitions: t-0",
    );
  });
});
