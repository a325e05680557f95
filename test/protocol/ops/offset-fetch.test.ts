import { describe, expect, it } from "vitest";
import { decodeOffsetFetchRequest, offsetFetchResponse } from "../../../src/protocol/ops/offset-fetch.ts";
import { expectInvalid, withField } from "../invalid.ts";

const valid = { id: 23, op: "offsetFetch", groupId: "billing", topics: [{ topic: "orders", partitions: [0, 1] }, { topic: "payments" }] };

describe("decodeOffsetFetchRequest()", () => {
  it("decodeOffsetFetchRequest() reads topics with and without partitions", () => {
    expect(decodeOffsetFetchRequest(valid)).toEqual({ ...valid, memberId: undefined, memberEpoch: -1 });
  });

  it("decodeOffsetFetchRequest() leaves topics undefined for every committed partition", () => {
    expect(decodeOffsetFetchRequest({ id: 1, op: "offsetFetch", groupId: "g" }).topics).toBeUndefined();
  });

  it.each([
    ["groupId", undefined, "groupId"],
    ["topics", [], "topics"],
    ["topics.0.topic", 3, "topics[0].topic"],
    ["topics.0.partitions", [0, 0], "topics[0].partitions[1]"],
    ["topics.1.topic", "orders", "topics[1].topic"],
    ["memberEpoch", "3", "memberEpoch"],
  ])("decodeOffsetFetchRequest() rejects %s = %j", (field, value, path) => {
    expectInvalid(decodeOffsetFetchRequest, withField(valid, field, value), path);
  });
});

describe("offsetFetchResponse()", () => {
  it("offsetFetchResponse() lists offsets, -1 where none was committed", () => {
    const none = { topic: "t", partition: 1, offset: -1, leaderEpoch: -1, metadata: "", commitTimestamp: -1 };
    expect(offsetFetchResponse(23, "g", [none])).toEqual({ id: 23, groupId: "g", offsets: [none] });
  });
});
