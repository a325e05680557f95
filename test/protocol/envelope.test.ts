import { describe, expect, it } from "vitest";
import { EdgelogError } from "../../src/core/errors.ts";
import {
  decodeEnvelope,
  errorFrame,
  openRequest,
  requestIdOf,
  toWireError,
  UNKNOWN_SERVER_ERROR_MESSAGE,
  withError,
} from "../../src/protocol/envelope.ts";
import { expectInvalid } from "./invalid.ts";

describe("decodeEnvelope()", () => {
  it("decodeEnvelope() reads id and op and ignores other fields", () => {
    expect(decodeEnvelope({ id: 12, op: "fetch", extra: [1] })).toEqual({ id: 12, op: "fetch" });
    expect(decodeEnvelope({ id: 2 ** 53 - 1, op: "x" }).id).toBe(2 ** 53 - 1);
  });

  it.each([
    [{ op: "fetch" }, "id"],
    [{ id: -1, op: "fetch" }, "id"],
    [{ id: 1.5, op: "fetch" }, "id"],
    [{ id: "1", op: "fetch" }, "id"],
    [{ id: 2 ** 53, op: "fetch" }, "id"],
    [{ id: 1 }, "op"],
    [{ id: 1, op: 5 }, "op"],
  ])("decodeEnvelope() rejects %j naming %s", (frame, field) => {
    expectInvalid(decodeEnvelope, frame, field);
  });

  it.each([[null], [[1, 2]], ["text"], [7], [new Uint8Array(2)], [new Map([["id", 1]])]])(
    "decodeEnvelope() rejects a frame that is not a map: %j",
    (frame) => {
      expect(() => decodeEnvelope(frame)).toThrow(/A request must be a map/);
    },
  );

  it("decodeEnvelope() does not read id or op from the prototype", () => {
    const frame = Object.create({ id: 1, op: "fetch" }) as unknown;
    expect(() => decodeEnvelope(frame)).toThrow(EdgelogError);
  });
});

describe("openRequest()", () => {
  it("openRequest() rejects a frame whose op is another one", () => {
    const error = expectInvalid((f) => openRequest(f, "fetch"), { id: 1, op: "produce" }, "op");
    expect(error.message).toBe('Field op must be "fetch", got "produce"');
  });

  it("openRequest() hands back the id and a reader of the other fields", () => {
    const { id, fields } = openRequest({ id: 5, op: "fetch", topic: "t" }, "fetch");
    expect(id).toBe(5);
    expect(fields.string("topic")).toBe("t");
  });
});

describe("requestIdOf()", () => {
  it("requestIdOf() finds a valid id even when the rest of the frame is bad", () => {
    expect(requestIdOf({ id: 4, op: 12 })).toBe(4);
  });

  it.each([[null], ["x"], [[1]], [{ id: -1 }], [{ id: "4" }], [{ id: 0.5 }], [{}]])("requestIdOf(%j) is null", (frame) => {
    expect(requestIdOf(frame)).toBeNull();
  });
});

describe("toWireError()", () => {
  it("toWireError() keeps an EdgelogError's code, message, retriable flag and scalar details", () => {
    const error = new EdgelogError("OFFSET_OUT_OF_RANGE", "Offset 3 is below the log start offset 10", {
      details: { logStartOffset: 10, logEndOffset: 20, nested: { a: 1 }, list: [1], nan: Number.NaN, gone: null },
    });
    expect(toWireError(error)).toEqual({
      code: "OFFSET_OUT_OF_RANGE",
      message: "Offset 3 is below the log start offset 10",
      retriable: false,
      details: { logStartOffset: 10, logEndOffset: 20, gone: null },
    });
  });

  it("toWireError() leaves details out when there are none worth sending", () => {
    expect(toWireError(new EdgelogError("REQUEST_TIMED_OUT", "Timed out", { details: { x: {} } }))).toEqual({
      code: "REQUEST_TIMED_OUT",
      message: "Timed out",
      retriable: true,
    });
  });

  it.each([[new TypeError("Cannot read properties of undefined (reading 'x')")], ["a string"], [undefined], [{ code: "OFFSET_OUT_OF_RANGE" }]])(
    "toWireError() turns %j into UNKNOWN_SERVER_ERROR without its message or stack",
    (thrown) => {
      const wire = toWireError(thrown);
      expect(wire).toEqual({ code: "UNKNOWN_SERVER_ERROR", message: UNKNOWN_SERVER_ERROR_MESSAGE, retriable: false });
      expect(JSON.stringify(wire)).not.toMatch(/reading|at |\.ts/);
    },
  );
});

describe("errorFrame() and withError()", () => {
  it("errorFrame() pairs the request id with the wire error", () => {
    expect(errorFrame(9, new EdgelogError("UNKNOWN_TOPIC_OR_PARTITION", "Unknown topic orders"))).toEqual({
      id: 9,
      error: { code: "UNKNOWN_TOPIC_OR_PARTITION", message: "Unknown topic orders", retriable: true },
    });
    expect(errorFrame(null, new Error("boom")).error.code).toBe("UNKNOWN_SERVER_ERROR");
  });

  it("withError() adds the error to an item's key fields", () => {
    expect(withError({ topic: "t", partition: 2 }, new EdgelogError("MESSAGE_TOO_LARGE", "Batch of 2000000 bytes"))).toEqual({
      topic: "t",
      partition: 2,
      error: { code: "MESSAGE_TOO_LARGE", message: "Batch of 2000000 bytes", retriable: false },
    });
  });
});
