import { describe, expect, it } from "vitest";
import { decodeFrame, encodeFrame } from "../../../src/protocol/frame-codec.ts";
import {
  decodeOffsetForLeaderEpochRequest,
  decodeOffsetForLeaderEpochResponse,
  offsetForLeaderEpochResponse,
} from "../../../src/protocol/ops/offset-for-leader-epoch.ts";
import { expectInvalid } from "../invalid.ts";

const VALID = { id: 2, op: "offsetForLeaderEpoch", topic: "orders", partition: 0, leaderEpoch: 3, currentLeaderEpoch: 4 };

describe("offsetForLeaderEpoch", () => {
  it("decodeOffsetForLeaderEpochRequest() reads the epoch asked about and the follower's current epoch", () => {
    expect(decodeOffsetForLeaderEpochRequest(VALID)).toEqual(VALID);
    expect(decodeOffsetForLeaderEpochRequest({ ...VALID, currentLeaderEpoch: -1 }).currentLeaderEpoch).toBe(-1);
  });

  it.each([
    ["leaderEpoch", -1],
    ["currentLeaderEpoch", -2],
    ["partition", "0"],
  ])("decodeOffsetForLeaderEpochRequest() refuses a bad %s", (field, value) => {
    expectInvalid(decodeOffsetForLeaderEpochRequest, { ...VALID, [field]: value }, field);
  });

  it("a reply survives CBOR, including the -1 answer for an epoch older than every epoch the leader knows", () => {
    for (const answer of [{ leaderEpoch: 3, endOffset: 118 }, { leaderEpoch: -1, endOffset: -1 }]) {
      const reply = offsetForLeaderEpochResponse(2, "orders", 0, answer);
      expect(decodeOffsetForLeaderEpochResponse(decodeFrame(encodeFrame(reply, "cbor")))).toEqual({ id: 2, topic: "orders", partition: 0, ...answer });
    }
  });

  it("decodeOffsetForLeaderEpochResponse() refuses an end offset below -1", () => {
    expectInvalid(decodeOffsetForLeaderEpochResponse, { id: 2, topic: "t", partition: 0, leaderEpoch: 1, endOffset: -7 }, "endOffset");
  });
});
