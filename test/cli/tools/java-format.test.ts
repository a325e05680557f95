import { describe, expect, test } from "vitest";
import { javaDouble, javaFixed, simpleDateFormat } from "../../../src/cli/tools/java-format.ts";

describe("Java number and date formats", () => {
  test("javaDouble() writes Double.toString's forms", () => {
    expect(javaDouble(83.33333333333333)).toBe("83.33333333333333");
    expect(javaDouble(10)).toBe("10.0");
    expect(javaDouble(0)).toBe("0.0");
    expect(javaDouble(12_345_678)).toBe("1.2345678E7");
    expect(javaDouble(1e7)).toBe("1.0E7");
    expect(javaDouble(0.0001)).toBe("1.0E-4");
    expect(javaDouble(Number.POSITIVE_INFINITY)).toBe("Infinity");
  });

  test("javaFixed() rounds half up as String.format does", () => {
    expect(javaFixed(0.125, 2)).toBe("0.13");
    expect(javaFixed(2.345, 2)).toBe("2.35");
    expect(javaFixed(3, 1)).toBe("3.0");
    expect(javaFixed(0.19073486328125, 4)).toBe("0.1907");
    expect(javaFixed(-1.25, 1)).toBe("-1.3");
  });

  test("simpleDateFormat() formats the perf tools' default pattern in local time", () => {
    const at = new Date(2024, 0, 10, 13, 7, 8, 41).getTime();
    expect(simpleDateFormat(at, "yyyy-MM-dd HH:mm:ss:SSS")).toBe("2024-01-10 13:07:08:041");
    expect(simpleDateFormat(at, "yy/M/d 'at' H")).toBe("24/1/10 at 13");
  });
});
