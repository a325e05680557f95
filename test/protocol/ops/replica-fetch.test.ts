import { describe, expect, it } from "vitest";
import { decodeFrame, encodeFrame } from "../../../src/protocol/frame-codec.ts";
import { decodeBrokerRequest, decodeRequest, INTERNAL_OP_NAMES, isInternalOpName, isOpName, OP_NAMES } from "../../../src/protocol/ops/index.ts";
import { decodeReplicaFetchRequest, decodeReplicaFetchResponse, replicaFetchResponse } from "../../../src/protocol/ops/replica-fetch.ts";
import { expectInvalid } from "../invalid.ts";

const VALID = {
  id: 7,
  op: "replicaFetch",
  topic: "orders",
  partition: 2,
  fetchOffset: 120,
  leaderEpoch: 4,
  lastFetchedEpoch: 3,
  maxBytes: 1_048_576,
  maxWaitMs: 500,
  replicaId: 3,
};

describe("replicaFetch", () => {
  it("decodeReplicaFetchRequest() reads every field of a follower's fetch", () => {
    expect(decodeReplicaFetchRequest(VALID)).toEqual(VALID);
    expect(decodeReplicaFetchRequest({ ...VALID, leaderEpoch: -1, lastFetchedEpoch: -1, maxWaitMs: 0 })).toMatchObject({ leaderEpoch: -1, lastFetchedEpoch: -1 });
  });

  it.each([
    ["fetchOffset", -1],
    ["leaderEpoch", -2],
    ["lastFetchedEpoch", 1.5],
    ["maxBytes", -1],
    ["maxWaitMs", "500"],
    ["replicaId", -1],
    ["partition", -1],
    ["topic", 5],
  ])("decodeReplicaFetchRequest() refuses a bad %s with INVALID_REQUEST naming it", (field, value) => {
    expectInvalid(decodeReplicaFetchRequest, { ...VALID, [field]: value }, field);
  });

  it("decodeReplicaFetchRequest() requires every field: none has a default", () => {
    const { replicaId: _omitted, ...rest } = VALID;
    expectInvalid(decodeReplicaFetchRequest, rest, "replicaId");
  });

  it("a reply keeps its batches byte for byte through CBOR and JSON, with the diverging epoch when there is one", () => {
    const batches = new Uint8Array([0, 1, 2, 250, 255]);
    const reply = replicaFetchResponse(7, { topic: "orders", partition: 2, batches, highWatermark: 110, logStartOffset: 5, logEndOffset: 118 });
    for (const format of ["cbor", "json"] as const) {
      const decoded = decodeReplicaFetchResponse(decodeFrame(encodeFrame(reply, format)));
      expect(decoded).toEqual(reply);
      expect(decoded.batches).toEqual(batches);
    }
    const diverging = replicaFetchResponse(8, {
      topic: "orders",
      partition: 2,
      batches: new Uint8Array(0),
      highWatermark: 110,
      logStartOffset: 0,
      logEndOffset: 118,
      divergingEpoch: { epoch: 3, endOffset: 100 },
    });
    expect(decodeReplicaFetchResponse(decodeFrame(encodeFrame(diverging, "cbor"))).divergingEpoch).toEqual({ epoch: 3, endOffset: 100 });
  });

  it("decodeReplicaFetchResponse() refuses a reply without batches", () => {
    expectInvalid(decodeReplicaFetchResponse, { id: 1, topic: "t", partition: 0, highWatermark: 0, logStartOffset: 0, logEndOffset: 0 }, "batches");
  });
});

describe("the broker-internal ops", () => {
  it("are not ops of the client protocol: OP_NAMES leaves them out and decodeRequest() answers them as unknown", () => {
    expect(INTERNAL_OP_NAMES).toEqual(["replicaFetch", "offsetForLeaderEpoch"]);
    for (const op of INTERNAL_OP_NAMES) {
      expect(OP_NAMES).not.toContain(op);
      expect(isOpName(op)).toBe(false);
      expect(isInternalOpName(op)).toBe(true);
    }
    expect(expectInvalid(decodeRequest, VALID, "op").message).toContain("Unknown op");
  });

  it("decodeBrokerRequest() decodes client ops and broker-internal ops alike", () => {
    expect(decodeBrokerRequest(VALID)).toEqual(VALID);
    expect(decodeBrokerRequest({ id: 1, op: "metadata" })).toMatchObject({ op: "metadata", topics: null });
    expectInvalid(decodeBrokerRequest, { ...VALID, fetchOffset: -5 }, "fetchOffset");
    expectInvalid(decodeBrokerRequest, { id: 1, op: "joinGroup" }, "op");
  });
});
