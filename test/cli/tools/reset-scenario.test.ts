import { describe, expect, test } from "vitest";
import { parseArgs } from "../../../src/cli/args.ts";
import { parseDateTime, parseDuration, resetSpec, resetTopics } from "../../../src/cli/tools/reset-scenario.ts";
import { UsageError } from "../../../src/cli/usage-error.ts";

const spec = { options: { "to-earliest": { type: "boolean" as const }, "to-latest": { type: "boolean" as const }, "to-current": { type: "boolean" as const }, "to-offset": { type: "string" as const }, "shift-by": { type: "string" as const }, "to-datetime": { type: "string" as const }, "by-duration": { type: "string" as const } } };
const scenario = (...args: string[]) => resetSpec(parseArgs(args, spec, "consumer-groups"), "consumer-groups");

describe("the --reset-offsets options", () => {
  test("resetSpec() reads each scenario", () => {
    expect(scenario("--to-earliest")).toEqual({ type: "to-earliest" });
    expect(scenario("--to-offset", "42")).toEqual({ type: "to-offset", offset: 42 });
    expect(scenario("--shift-by", "-3")).toEqual({ type: "shift-by", shift: -3 });
    expect(scenario("--to-datetime", "2023-11-14T22:13:20.000Z")).toEqual({ type: "to-datetime", timestamp: 1_700_000_000_000 });
    expect(scenario("--by-duration", "PT1H")).toEqual({ type: "by-duration", durationMs: 3_600_000 });
  });

  test("resetSpec() wants exactly one scenario", () => {
    expect(() => scenario()).toThrow(UsageError);
    expect(() => scenario("--to-earliest", "--to-latest")).toThrow(/requires one of the following scenarios/);
    expect(() => scenario("--to-offset", "-1")).toThrow(UsageError);
  });

  test("parseDateTime() reads a zone, and local time without one", () => {
    expect(parseDateTime("2023-11-15T07:13:20.000+09:00", "c")).toBe(1_700_000_000_000);
    expect(parseDateTime("2023-11-14T17:13:20-0500", "c")).toBe(1_700_000_000_000);
    expect(parseDateTime("2024-01-10T13:07:08.041", "c")).toBe(new Date(2024, 0, 10, 13, 7, 8, 41).getTime());
    expect(() => parseDateTime("yesterday", "c")).toThrow(UsageError);
  });

  test("parseDuration() reads ISO-8601 durations", () => {
    expect(parseDuration("P1DT12H", "c")).toBe(129_600_000);
    expect(parseDuration("PT0.5S", "c")).toBe(500);
    expect(() => parseDuration("P", "c")).toThrow(UsageError);
    expect(() => parseDuration("1h", "c")).toThrow(UsageError);
  });

  test("resetTopics() reads topic and topic:partitions", () => {
    expect(resetTopics(["orders:0,2,2", "audit"], "c")).toEqual([{ topic: "orders", partitions: [0, 2] }, { topic: "audit" }]);
    expect(() => resetTopics(["orders:x"], "c")).toThrow(UsageError);
  });
});
