import { describe, expect, it } from "vitest";
import { decodeRequest, isOpName, OP_DECODERS, OP_NAMES, PLANNED_OP_NAMES } from "../../../src/protocol/ops/index.ts";
import { expectInvalid } from "../invalid.ts";
import { VALID_REQUESTS as VALID } from "../valid-requests.ts";


describe("the op registry", () => {
  it("OP_NAMES lists the twenty-six ops of version 1, each with a decoder", () => {
    expect(OP_NAMES).toEqual(Object.keys(VALID));
    expect(OP_NAMES).toHaveLength(26);
    for (const op of OP_NAMES) expect(typeof OP_DECODERS[op]).toBe("function");
  });

  it("PLANNED_OP_NAMES reserves the classic group protocol's ops, which groupHeartbeat replaces", () => {
    expect(PLANNED_OP_NAMES).toEqual(["joinGroup", "heartbeat", "leaveGroup"]);
    for (const name of PLANNED_OP_NAMES) expect(isOpName(name)).toBe(false);
  });

  it("the consumer-group ops are ops of version 1", () => {
    for (const name of ["groupHeartbeat", "groupSubscribe", "offsetCommit", "offsetFetch", "listGroups", "describeGroups", "describeLag", "deleteGroups", "resetOffsets"]) {
      expect(isOpName(name)).toBe(true);
    }
  });

  it.each(Object.keys(VALID))("decodeRequest() dispatches %s to its decoder", (op) => {
    const request = decodeRequest({ ...VALID[op], id: 42 });
    expect(request.op).toBe(op);
    expect(request.id).toBe(42);
  });

  it.each(Object.keys(VALID))("the %s decoder refuses a frame of another op", (op) => {
    const other = op === "fetch" ? "produce" : "fetch";
    expectInvalid(OP_DECODERS[op as keyof typeof OP_DECODERS], { ...VALID[op], op: other }, "op");
  });

  it.each([["subscribeAll"], ["toString"], ["__proto__"], ["constructor"], [""]])("decodeRequest() answers the unknown op %j with INVALID_REQUEST", (op) => {
    const error = expectInvalid(decodeRequest, { id: 1, op }, "op");
    expect(error.message).toContain("Unknown op");
  });

  it("decodeRequest() says a planned op is planned", () => {
    expect(expectInvalid(decodeRequest, { id: 1, op: "joinGroup" }, "op").message).toBe('Unknown op "joinGroup" (planned for a later version)');
  });

  it("decodeRequest() checks the envelope before the op", () => {
    expectInvalid(decodeRequest, { op: "fetch" }, "id");
    expectInvalid(decodeRequest, { id: 1 }, "op");
  });
});
