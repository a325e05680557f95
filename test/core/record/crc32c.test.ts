import { describe, expect, it } from "vitest";
import { crc32c } from "../../../src/core/record/crc32c.ts";

describe("crc32c()", () => {
  it("crc32c() matches the published check value for '123456789'", () => {
    expect(crc32c(new TextEncoder().encode("123456789"))).toBe(0xe3069283);
  });
});
