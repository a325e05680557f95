import { describe, expect, it } from "vitest";
import { EdgelogError } from "../../src/core/errors.ts";
import { negotiateVersion, PROTOCOL_VERSION, PROTOCOL_VERSIONS, selectSubprotocol, SUBPROTOCOL } from "../../src/protocol/version.ts";

describe("negotiateVersion()", () => {
  it("negotiateVersion() picks the highest version both sides speak", () => {
    expect(negotiateVersion([1])).toBe(1);
    expect(negotiateVersion([3, 1, 2], [1, 2])).toBe(2);
    expect(negotiateVersion([1, 7], PROTOCOL_VERSIONS)).toBe(PROTOCOL_VERSION);
  });

  it("negotiateVersion() fails with UNSUPPORTED_VERSION naming what the broker speaks", () => {
    let caught: unknown;
    try {
      negotiateVersion([2, 3]);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(EdgelogError);
    expect((caught as EdgelogError).code).toBe("UNSUPPORTED_VERSION");
    expect((caught as EdgelogError).message).toContain("the broker speaks 1");
    expect((caught as EdgelogError).details).toEqual({ supported: "1" });
  });
});

describe("selectSubprotocol()", () => {
  it("selectSubprotocol() accepts edgelog.v1 from a header value or a list", () => {
    expect(SUBPROTOCOL).toBe("edgelog.v1");
    expect(selectSubprotocol("chat, edgelog.v1")).toBe("edgelog.v1");
    expect(selectSubprotocol(["edgelog.v1"])).toBe("edgelog.v1");
  });

  it("selectSubprotocol() returns undefined when edgelog.v1 is not offered", () => {
    expect(selectSubprotocol("edgelog.v2, chat")).toBeUndefined();
    expect(selectSubprotocol(null)).toBeUndefined();
    expect(selectSubprotocol(undefined)).toBeUndefined();
    expect(selectSubprotocol("")).toBeUndefined();
  });
});
