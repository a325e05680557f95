import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeBase64, encodeBase64 } from "../../src/protocol/base64.ts";

/** The platform's base64 of bytes (btoa over a binary string), as an independent oracle. */
function oracle(bytes: Uint8Array): string {
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary);
}

describe("encodeBase64()", () => {
  it("encodeBase64() matches the RFC 4648 test vectors", () => {
    const cases = ["", "f", "fo", "foo", "foob", "fooba", "foobar"];
    const expected = ["", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"];
    expect(cases.map((s) => encodeBase64(new TextEncoder().encode(s)))).toEqual(expected);
  });

  it("encodeBase64() agrees with btoa on any bytes", () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => encodeBase64(bytes) === oracle(bytes)));
  });
});

describe("decodeBase64()", () => {
  it("decodeBase64() inverts encodeBase64(), padded or not", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const text = encodeBase64(bytes);
        expect(decodeBase64(text)).toEqual(bytes);
        expect(decodeBase64(text.replace(/=+$/, ""))).toEqual(bytes);
      }),
    );
  });

  it("decodeBase64() decodes all 256 byte values", () => {
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    expect(decodeBase64(oracle(all))).toEqual(all);
  });

  it.each([
    ["a"],
    ["abcde"],
    ["ab=c"],
    ["a==="],
    ["Zg==".replace("=", " ")],
    [" Zm9v"],
    ["Zm9v\n"],
    ["Zm-_"],
    ["Zm9vYg=="+"Zg=="],
    ["Zé9v"],
    ["Zg="],
  ])("decodeBase64() rejects %j", (text) => {
    expect(decodeBase64(text)).toBeUndefined();
  });

  it("decodeBase64() of the empty string is empty bytes", () => {
    expect(decodeBase64("")).toEqual(new Uint8Array(0));
  });
});
