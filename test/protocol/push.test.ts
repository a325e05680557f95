import { describe, expect, it } from "vitest";
import { EdgelogError } from "../../src/core/errors.ts";
import { decodeFrame, encodeFrame } from "../../src/protocol/frame-codec.ts";
import { errorPush, isPushFrame, recordsPush } from "../../src/protocol/push.ts";

describe("push frames", () => {
  it("recordsPush() carries batches and positions, without an id", () => {
    const batches = new Uint8Array([1, 2, 3]);
    const push = recordsPush({ sub: 1, topic: "t", partition: 0, batches, firstOffset: 5, nextOffset: 10, highWatermark: 2 ** 40, logStartOffset: 0 });
    expect(push).toEqual({ push: "records", sub: 1, topic: "t", partition: 0, batches, firstOffset: 5, nextOffset: 10, highWatermark: 2 ** 40, logStartOffset: 0 });
    expect("id" in push).toBe(false);
    expect(decodeFrame(encodeFrame(push, "cbor"))).toEqual(push);
  });

  it("recordsPush() carries records instead of batches for a subscription with format records", () => {
    const records = [{ offset: 5, timestamp: 1_700_000_000_000, key: null, value: "hello", headers: [{ key: "h", value: null }] }];
    const push = recordsPush({ sub: 2, topic: "t", partition: 0, records, firstOffset: 5, nextOffset: 6, highWatermark: 6, logStartOffset: 0 });
    expect(push).toEqual({ push: "records", sub: 2, topic: "t", partition: 0, records, firstOffset: 5, nextOffset: 6, highWatermark: 6, logStartOffset: 0 });
    expect("batches" in push).toBe(false);
    expect(JSON.parse(encodeFrame(push, "json"))).toEqual(push);
    expect(isPushFrame(push)).toBe(true);
  });

  it("errorPush() tells a subscriber retention removed its position and where the log now starts", () => {
    const push = errorPush(3, new EdgelogError("OFFSET_OUT_OF_RANGE", "Offset 7 was deleted by retention"), 40);
    expect(push).toEqual({
      push: "error",
      sub: 3,
      error: { code: "OFFSET_OUT_OF_RANGE", message: "Offset 7 was deleted by retention", retriable: false },
      logStartOffset: 40,
    });
  });

  it("errorPush() leaves logStartOffset out when not given and hides non-Edgelog errors", () => {
    const push = errorPush(3, new RangeError("index out of bounds"));
    expect(push).toEqual({ push: "error", sub: 3, error: { code: "UNKNOWN_SERVER_ERROR", message: "The broker failed to handle the request", retriable: false } });
  });

  it("isPushFrame() tells pushes from replies", () => {
    expect(isPushFrame({ push: "records", sub: 1 })).toBe(true);
    expect(isPushFrame({ id: 1, push: 3 })).toBe(false);
    expect(isPushFrame({ id: 1, error: {} })).toBe(false);
    expect(isPushFrame(null)).toBe(false);
    expect(isPushFrame(Object.create({ push: "records" }))).toBe(false);
  });
});
