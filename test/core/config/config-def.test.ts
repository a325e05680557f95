import { describe, expect, it } from "vitest";
import {
  defaultValue,
  formatConfigValue,
  oneLine,
  parseConfigValue,
  validValues,
  type ConfigKey,
} from "../../../src/core/config/config-def.ts";

const key = (type: ConfigKey["type"], more: Partial<ConfigKey> = {}): ConfigKey => ({ name: "k", type, default: null, doc: "", ...more });

describe("config values", () => {
  it("parseConfigValue() reads ints and longs as Java does, signs included", () => {
    expect(parseConfigValue(key("int"), "+7")).toBe(7);
    expect(parseConfigValue(key("int"), "-2147483648")).toBe(-2147483648);
    expect(() => parseConfigValue(key("int"), "0x10")).toThrow("Not a number of type INT");
    expect(() => parseConfigValue(key("int"), "")).toThrow("Not a number of type INT");
    expect(parseConfigValue(key("long"), "-9223372036854775808")).toBe(Number.MIN_SAFE_INTEGER);
    expect(parseConfigValue(key("long"), "9007199254740991")).toBe(Number.MAX_SAFE_INTEGER);
    expect(parseConfigValue(key("long"), "9007199254740992")).toBe(Number.MAX_SAFE_INTEGER);
  });

  it("parseConfigValue() reads doubles in Java's forms and refuses NaN and Infinity", () => {
    for (const [text, value] of [["0.5", 0.5], [".5", 0.5], ["5.", 5], ["1e-3", 0.001], ["2d", 2], ["-1.5E2", -150]] as const) {
      expect(parseConfigValue(key("double"), text), text).toBe(value);
    }
    for (const text of ["NaN", "Infinity", "1e999", "1,5", "."]) {
      expect(() => parseConfigValue(key("double"), text), text).toThrow("Not a number of type DOUBLE");
    }
  });

  it("parseConfigValue() splits lists on commas with surrounding whitespace", () => {
    expect(parseConfigValue(key("list"), " a , b,c ")).toEqual(["a", "b", "c"]);
    expect(parseConfigValue(key("list"), "  ")).toEqual([]);
  });

  it("parseConfigValue() runs the extra check after type and range", () => {
    const even = key("int", { min: 0, check: (v) => ((v as number) % 2 === 0 ? undefined : "Value must be even") });
    expect(parseConfigValue(even, "4")).toBe(4);
    expect(() => parseConfigValue(even, "3")).toThrow("Invalid value 3 for configuration k: Value must be even");
    expect(() => parseConfigValue(even, "-2")).toThrow("Value must be at least 0");
  });

  it("defaultValue() parses the default and refuses a key without one", () => {
    expect(defaultValue(key("boolean", { default: "true" }))).toBe(true);
    expect(() => defaultValue(key("int"))).toThrow(TypeError);
  });

  it("formatConfigValue() prints lists and Long.MAX_VALUE as Kafka does", () => {
    expect(formatConfigValue("list", ["compact", "delete"])).toBe("compact,delete");
    expect(formatConfigValue("long", Number.MAX_SAFE_INTEGER)).toBe("9223372036854775807");
    expect(formatConfigValue("long", Number.MIN_SAFE_INTEGER)).toBe("-9223372036854775807");
    expect(formatConfigValue("int", 5)).toBe("5");
  });

  it("validValues() describes ranges and sets as Kafka's docs do", () => {
    expect(validValues(key("long", { min: 1 }))).toBe("[1,...]");
    expect(validValues(key("double", { min: 0, max: 1 }))).toBe("[0,...,1]");
    expect(validValues(key("enum", { values: ["a", "b"] }))).toBe("[a, b]");
    expect(validValues(key("string"))).toBe("");
  });

  it("oneLine() makes control characters visible", () => {
    expect(oneLine("a\nb\rc\td\u0001")).toBe("a\\nb\\rc\\td\\u0001");
  });
});
