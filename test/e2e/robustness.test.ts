/**
 * What a broker does with bad input, black box, on Node, Bun, Deno and the compiled binary:
 * undecodable CBOR and JSON, non-map frames, unknown ops and wrongly typed fields get
 * INVALID_REQUEST (docs/protocol.md §11) and the connection keeps serving; a frame over
 * socket.request.max.bytes closes that connection with 1009 while the broker serves the others.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { encodeFrame } from "../../src/protocol/frame-codec.ts";
import { batchOf, utf8, type Frame, type WsTestClient } from "../support/ws-test-client.ts";
import { removeTempDirs, startBroker, TARGETS, type E2eBroker } from "./broker-matrix.ts";
import { createTopic, produceBatch, sleep } from "./e2e-helpers.ts";

const MAX_FRAME = 65_536;
/** A short ping interval, so that the liveness checks run within the test. */
const PING_MS = 1000;

afterAll(removeTempDirs);

/** Sends each message and resolves with the error replies with a null id they caused. */
async function nullIdErrors(client: WsTestClient, messages: (Uint8Array | string)[]): Promise<Frame[]> {
  const before = client.errorsWithoutId.length;
  for (const message of messages) client.sendRaw(message);
  await client.until(() => client.errorsWithoutId.length >= before + messages.length, `${messages.length} error replies`);
  return client.errorsWithoutId.slice(before);
}

/** Asserts that the connection still answers well-formed requests. */
async function expectServing(client: WsTestClient): Promise<void> {
  const reply = await client.call("metadata", { topics: ["robust"] });
  expect((reply["topics"] as Frame[])[0]).toMatchObject({ topic: "robust" });
}

describe.each(TARGETS)("bad input on $name", (target) => {
  let broker: E2eBroker;
  let client: WsTestClient;

  beforeAll(async () => {
    broker = await startBroker(target, {
      overrides: { "socket.request.max.bytes": String(MAX_FRAME), "edgelog.websocket.ping.interval.ms": String(PING_MS) },
    });
    client = await broker.connect();
    await createTopic(client, "robust", 1);
  });

  afterAll(async () => {
    await client?.close();
    const code = await broker?.stop();
    expect(code, broker?.output()).toBe(0);
  });

  test("hello announces socket.request.max.bytes as limits.maxFrameBytes", () => {
    expect(client.helloReply).toMatchObject({ version: 1, limits: { maxFrameBytes: MAX_FRAME } });
  });

  test("a silent connection that answers pings stays open across ping intervals", async () => {
    const quiet = await broker.connect();
    await sleep(2.2 * PING_MS);
    expect(quiet.closeInfo).toBeUndefined();
    await expectServing(quiet);
    await quiet.close();
  });

  test("malformed CBOR gets INVALID_REQUEST with a null id, in CBOR, and the connection keeps serving", async () => {
    const messages = [
      new Uint8Array([0xff]), // a break code outside an indefinite item
      new Uint8Array([0xa2, 0x62, 0x69, 0x64]), // a map cut short
      new Uint8Array([0x1c]), // a reserved additional-information value
      new Uint8Array([0x5a, 0xff, 0xff, 0xff, 0xf0, 0x00]), // a byte string claiming 4 GiB
      new Uint8Array(0), // an empty message
      encodeFrame([1, 2, 3], "cbor"), // not a map
      encodeFrame("hello", "cbor"),
      encodeFrame({ op: "metadata" }, "cbor"), // no id
      encodeFrame({ id: -4, op: "metadata" }, "cbor"), // a negative id
      encodeFrame({ id: 1.5, op: "metadata" }, "cbor"),
    ];
    const errors = await nullIdErrors(client, messages);
    for (const error of errors) {
      expect(error).toMatchObject({ id: null, error: { code: "INVALID_REQUEST", retriable: false } });
      expect(client.formatOf(error)).toBe("cbor");
    }
    expect(client.undecodable).toBe(0);
    await expectServing(client);
  });

  test("malformed JSON gets INVALID_REQUEST with a null id, in JSON, and the connection keeps serving", async () => {
    const errors = await nullIdErrors(client, ['{"id":1,', "not json", "", "[1,2]", "null", '{"id":"seven","op":"metadata"}', "\u0000\uffff"]);
    for (const error of errors) {
      expect(error).toMatchObject({ id: null, error: { code: "INVALID_REQUEST" } });
      expect(client.formatOf(error)).toBe("json");
    }
    await expectServing(client);
  });

  test("an unknown op, and a planned one, get INVALID_REQUEST naming the op field", async () => {
    for (const op of ["frobnicate", "joinGroup", "__proto__", "constructor", ""]) {
      const reply = await client.request(op);
      expect(reply["error"], op).toMatchObject({ code: "INVALID_REQUEST", details: { field: "op" } });
    }
    const planned = await client.request("joinGroup", {}, { format: "json" });
    expect((planned["error"] as { message: string }).message).toContain("planned");
    await expectServing(client);
  });

  test.each([
    ["fetch", { topic: "robust", partition: "zero", offset: 0 }, "partition"],
    ["fetch", { topic: "robust", partition: 0, offset: -5 }, "offset"],
    ["fetch", { topic: "robust", partition: 0, offset: 2 ** 60 }, "offset"],
    ["fetch", { topic: 42, partition: 0, offset: 0 }, "topic"],
    ["fetch", { topic: "robust", partition: 0 }, "offset"],
    ["produce", { topic: "robust", partitions: "all" }, "partitions"],
    ["produce", { topic: "robust", acks: 2, records: [{ value: "x" }] }, "acks"],
    ["produce", { topic: "robust", partitions: [{ partition: 0, batches: 7 }] }, "partitions[0].batches"],
    ["createTopics", { topics: "robust" }, "topics"],
    ["subscribe", { topic: "robust", partition: 0, from: { offset: 1, timestamp: 2 }, credit: { records: 1, bytes: 1 } }, "from"],
    ["credit", { sub: "one", records: 1 }, "sub"],
    ["listOffsets", { topic: "robust", partitions: [{ partition: 0, timestamp: "soon" }] }, "partitions[0].timestamp"],
  ] as const)("%s with %j gets INVALID_REQUEST naming a field", async (op, fields, field) => {
    for (const format of ["cbor", "json"] as const) {
      const reply = await client.request(op, fields, { format });
      expect(reply["error"], format).toMatchObject({ code: "INVALID_REQUEST", retriable: false });
      expect(String((reply["error"] as { details?: { field?: unknown } }).details?.field), format).toContain(field);
    }
    await expectServing(client);
  });

  test("a batch with a bad CRC is refused with CORRUPT_MESSAGE and nothing of it is written", async () => {
    const batch = batchOf([{ value: utf8("intact") }]);
    batch[batch.length - 1]! ^= 0xff;
    const reply = await client.call("produce", { acks: 1, topic: "robust", partitions: [{ partition: 0, batches: batch }] });
    expect((reply["partitions"] as Frame[])[0]).toMatchObject({ partition: 0, error: { code: "CORRUPT_MESSAGE" } });
    expect(await produceBatch(client, "robust", 0, batchOf([{ value: utf8("good") }]))).toBe(0);
  });

  test("a request before hello and a second hello get INVALID_REQUEST and the connection stays usable", async () => {
    const fresh = await broker.connect({ hello: false });
    const early = await fresh.request("metadata", { topics: [] });
    expect(early["error"]).toMatchObject({ code: "INVALID_REQUEST" });
    expect(await fresh.call("hello", { versions: [1] })).toMatchObject({ version: 1 });
    const again = await fresh.request("hello", { versions: [1] });
    expect(again["error"]).toMatchObject({ code: "INVALID_REQUEST" });
    await expectServing(fresh);
    await fresh.close();
  });

  test("a frame of exactly socket.request.max.bytes is served", async () => {
    const frame = (pad: number) => encodeFrame({ id: 999_001, op: "metadata", topics: [], pad: new Uint8Array(pad) }, "cbor");
    const overhead = frame(MAX_FRAME - 100).length - (MAX_FRAME - 100);
    const exact = frame(MAX_FRAME - overhead);
    expect(exact.length).toBe(MAX_FRAME);
    const reply = client.expectReply(999_001);
    client.sendRaw(exact);
    expect(await reply).toMatchObject({ id: 999_001, brokers: expect.any(Array) });
  });

  test.each([
    ["binary", new Uint8Array(MAX_FRAME + 1)],
    ["text", JSON.stringify({ id: 1, op: "metadata", pad: "x".repeat(MAX_FRAME) })],
  ] as const)("a %s frame over socket.request.max.bytes closes that connection with 1009; the broker serves on", async (_kind, message) => {
    const victim = await broker.connect();
    const bystander = await broker.connect({ format: "json" });
    victim.sendRaw(message);
    expect((await victim.closed).code).toBe(1009);
    await expectServing(bystander);
    await expectServing(client);
    const newcomer = await broker.connect();
    await expectServing(newcomer);
    const response = await fetch(`${broker.httpUrl}/healthz`);
    expect(response.status).toBe(200);
    await Promise.all([bystander.close(), newcomer.close()]);
  });
});
