import { afterEach, describe, expect, it } from "vitest";
import { decodeRecordBatches, encodeRecordBatchSync } from "../../src/core/record/record-batch.ts";
import { encodeFrame } from "../../src/protocol/frame-codec.ts";
import { CLOSE_CODES } from "../../src/server/session-socket.ts";
import { CopyingSocket, FakeSocket, startBroker, settle, until, type Harness } from "./broker-harness.ts";

let h: Harness | undefined;
afterEach(async () => {
  await h?.broker.close();
  h = undefined;
});

describe("sending", () => {
  it("send() encodes CBOR frames into reused memory for a socket with sendCopied, and every frame arrives whole", async () => {
    h = await startBroker();
    const socket = new CopyingSocket();
    const c = await h.connect("cbor", socket);
    await c.request({ op: "createTopics", topics: [{ topic: "t", numPartitions: 1 }] });
    const values = Array.from({ length: 3 }, (_, i) => new Uint8Array(50_000 + i).fill(i + 1));
    for (const value of values) {
      const batches = encodeRecordBatchSync({ records: [{ key: null, value }], now: 1_700_000_000_000 });
      await c.request({ op: "produce", acks: 1, topic: "t", partitions: [{ partition: 0, batches }] });
    }
    const fetched = await Promise.all([0, 1, 2].map((offset) => c.request({ op: "fetch", topic: "t", partition: 0, offset, maxBytes: 1, maxWaitMs: 0 })));
    for (const [i, reply] of fetched.entries()) {
      const [batch] = await decodeRecordBatches(reply["batches"] as Uint8Array);
      expect(batch!.baseOffset).toBe(i);
      expect(batch!.records[0]!.value).toEqual(values[i]);
    }
    const handed = socket.handed.filter((data) => data.length > 50_000);
    expect(handed.length).toBeGreaterThanOrEqual(3);
    expect(new Set(handed.map((data) => data.buffer)).size).toBe(1);
  });

  it("send() gives a socket with sendCopied JSON frames through send()", async () => {
    h = await startBroker();
    const socket = new CopyingSocket();
    const c = await h.connect("json", socket);
    expect((await c.request({ op: "metadata" }))["topics"]).toEqual([]);
    expect(socket.handed).toEqual([]);
    expect(typeof socket.sent[0]!.raw).toBe("string");
  });
});

describe("malformed frames", () => {
  it("malformed CBOR answers INVALID_REQUEST with id null and the session keeps serving", async () => {
    h = await startBroker();
    const c = await h.connect();
    c.sendRaw(new Uint8Array([0xff, 0x00, 0x13]));
    await until(() => c.replies.length === 1, "the error reply");
    expect(c.replies[0]).toMatchObject({ id: null, error: { code: "INVALID_REQUEST" } });
    expect(typeof c.socket.sent[0]!.raw).not.toBe("string");
    expect((await c.request({ op: "metadata" }))["topics"]).toEqual([]);
    expect(c.socket.closed).toBeUndefined();
  });

  it("malformed JSON answers INVALID_REQUEST as JSON text", async () => {
    h = await startBroker();
    const c = await h.connect("json");
    c.sendRaw('{"id": 3, "op": ');
    await until(() => c.replies.length === 1, "the error reply");
    expect(c.replies[0]).toMatchObject({ id: null, error: { code: "INVALID_REQUEST" } });
    expect(typeof c.socket.sent[0]!.raw).toBe("string");
  });

  it("an unknown op answers INVALID_REQUEST with the request's id", async () => {
    h = await startBroker();
    const c = await h.connect();
    const reply = await c.request({ op: "joinGroup" });
    expect(reply["error"]).toMatchObject({ code: "INVALID_REQUEST" });
    expect((await c.request({ op: "metadata" }))["error"]).toBeUndefined();
  });

  it("a field of the wrong type answers INVALID_REQUEST naming the field", async () => {
    h = await startBroker();
    const c = await h.connect();
    const reply = await c.request({ op: "fetch", topic: "t", partition: "zero", offset: 0 });
    expect(reply["error"]).toMatchObject({ code: "INVALID_REQUEST", details: { field: "partition" } });
  });

  it("a frame that is not a map, or has a bad id, answers with id null", async () => {
    h = await startBroker();
    const c = await h.connect("json");
    c.sendRaw("[1, 2]");
    c.sendRaw('{"id": -4, "op": "metadata"}');
    await until(() => c.replies.length === 2, "two error replies");
    expect(c.replies.map((r) => [r["id"], (r["error"] as { code: string }).code])).toEqual([
      [null, "INVALID_REQUEST"],
      [null, "INVALID_REQUEST"],
    ]);
  });

  it("a frame over socket.request.max.bytes closes the connection with 1009", async () => {
    h = await startBroker({ "socket.request.max.bytes": "1024" });
    expect(h.broker.maxFrameBytes).toBe(1024);
    const c = await h.connect();
    c.sendRaw(encodeFrame({ id: 1, op: "produce", topic: "t", records: [{ value: "x".repeat(2000) }] }, "cbor"));
    expect(c.socket.closed?.code).toBe(CLOSE_CODES.MESSAGE_TOO_BIG);
    expect(h.broker.connectionCount).toBe(0);
    const j = await h.connect("json");
    j.sendRaw(JSON.stringify({ id: 1, op: "metadata", pad: "é".repeat(600) })); // 600 characters, 1200+ bytes
    expect(j.socket.closed?.code).toBe(CLOSE_CODES.MESSAGE_TOO_BIG);
  });

  it("a handler that throws an unexpected error answers UNKNOWN_SERVER_ERROR without its message", async () => {
    h = await startBroker();
    const c = await h.connect();
    await c.request({ op: "createTopics", topics: [{ topic: "t" }] });
    // Break the topic registry's describe path for this one call.
    const broker = h.broker as unknown as { context: { topics: { describeConfigs: () => never } } };
    const original = broker.context.topics.describeConfigs;
    broker.context.topics.describeConfigs = () => {
      throw new Error("secret internals");
    };
    const reply = await c.request({ op: "describeConfigs", resources: [{ type: "topic", name: "t" }] });
    broker.context.topics.describeConfigs = original;
    const error = (reply["resources"] as { error: { code: string; message: string } }[])[0]!.error;
    expect(error.code).toBe("UNKNOWN_SERVER_ERROR");
    expect(error.message).not.toContain("secret");
    expect((await c.request({ op: "metadata" }))["error"]).toBeUndefined();
  });
});

describe("limits", () => {
  it("max.connections refuses the next connection with an error frame and close code 1013", async () => {
    h = await startBroker({ "max.connections": "2" });
    await h.connect();
    await h.connect();
    const refused = h.client();
    expect(refused.socket.closed?.code).toBe(CLOSE_CODES.TRY_AGAIN_LATER);
    expect(refused.replies).toEqual([
      expect.objectContaining({ id: null, error: expect.objectContaining({ code: "RESOURCE_LIMIT_EXCEEDED" }) }),
    ]);
    expect(h.broker.connectionCount).toBe(2);
  });

  it("a connection over its in-flight limit gets RESOURCE_LIMIT_EXCEEDED and is served again later", async () => {
    h = await startBroker({ "edgelog.max.in.flight.requests.per.connection": "2" });
    const c = await h.connect();
    await c.request({ op: "createTopics", topics: [{ topic: "t" }] });
    const polls = [0, 1].map(() => c.fire({ op: "fetch", topic: "t", partition: 0, offset: 0, maxWaitMs: 1000 }));
    const over = await c.request({ op: "metadata" });
    expect(over["error"]).toMatchObject({ code: "RESOURCE_LIMIT_EXCEEDED" });
    h.clock.advance(1000);
    await until(() => polls.every((id) => c.replies.some((r) => r["id"] === id)), "the long polls to end");
    expect((await c.request({ op: "metadata" }))["error"]).toBeUndefined();
  });
});

describe("hello", () => {
  it("a request before hello answers INVALID_REQUEST and the connection stays usable", async () => {
    h = await startBroker();
    const c = h.client();
    const early = await c.request({ op: "metadata" });
    expect(early["error"]).toMatchObject({ code: "INVALID_REQUEST", message: expect.stringContaining("hello required") });
    expect((await c.request({ op: "hello", versions: [1] }))["version"]).toBe(1);
    expect((await c.request({ op: "metadata" }))["error"]).toBeUndefined();
  });

  it("a second hello answers INVALID_REQUEST", async () => {
    h = await startBroker();
    const c = await h.connect();
    expect((await c.request({ op: "hello", versions: [1] }))["error"]).toMatchObject({ code: "INVALID_REQUEST" });
  });

  it("a failed hello may be retried", async () => {
    h = await startBroker();
    const c = h.client();
    expect((await c.request({ op: "hello", versions: [7] }))["error"]).toMatchObject({ code: "UNSUPPORTED_VERSION" });
    expect((await c.request({ op: "hello", versions: [1, 7] }))["version"]).toBe(1);
  });

  it("requests pipelined right behind hello are served", async () => {
    h = await startBroker();
    const c = h.client("json");
    const hello = c.fire({ op: "hello", versions: [1] });
    const metadata = c.fire({ op: "metadata", topics: [] });
    await until(() => c.replies.length === 2, "both replies");
    expect(c.replies.find((r) => r["id"] === hello)!["version"]).toBe(1);
    expect(c.replies.find((r) => r["id"] === metadata)!["topics"]).toEqual([]);
  });
});

describe("idle timeout", () => {
  it("a session that sends nothing is closed with 1001 after connections.max.idle.ms", async () => {
    h = await startBroker({ "connections.max.idle.ms": "10000" });
    const c = await h.connect();
    h.clock.advance(9999);
    expect(c.socket.closed).toBeUndefined();
    h.clock.advance(1);
    expect(c.socket.closed?.code).toBe(CLOSE_CODES.GOING_AWAY);
    expect(h.broker.connectionCount).toBe(0);
  });

  it("any frame, even a malformed one, resets the idle timer", async () => {
    h = await startBroker({ "connections.max.idle.ms": "5000" });
    const c = await h.connect("json");
    h.clock.advance(4000);
    c.sendRaw("not json");
    h.clock.advance(4000);
    expect(c.socket.closed).toBeUndefined();
    h.clock.advance(1000);
    expect(c.socket.closed?.code).toBe(CLOSE_CODES.GOING_AWAY);
  });

  it("a quiet session holding a subscription is not idle, and becomes idle once it unsubscribes", async () => {
    h = await startBroker({ "connections.max.idle.ms": "5000" });
    const c = await h.connect();
    await c.request({ op: "createTopics", topics: [{ topic: "t" }] });
    await c.request({ op: "subscribe", topic: "t", partition: 0, from: "latest", credit: { records: 10, bytes: 1000 } });
    h.clock.advance(20_000);
    expect(c.socket.closed).toBeUndefined();
    await c.request({ op: "unsubscribe", sub: 1 });
    h.clock.advance(5000);
    expect(c.socket.closed?.code).toBe(CLOSE_CODES.GOING_AWAY);
  });
});

describe("shutdown", () => {
  it("close() waits for appends in flight, closes sessions with 1001 and leaves a clean log", async () => {
    h = await startBroker();
    const c = await h.connect();
    await c.request({ op: "createTopics", topics: [{ topic: "t" }] });
    const id = c.fire({ op: "produce", acks: 1, topic: "t", partitions: [{ partition: 0, records: [{ value: "last" }] }] });
    await h.broker.close();
    expect(c.replies.find((r) => r["id"] === id)).toMatchObject({ partitions: [{ partition: 0, baseOffset: 0 }] });
    expect(c.socket.closed?.code).toBe(CLOSE_CODES.GOING_AWAY);
    expect(await h.fs.stat("data/.kafka_cleanshutdown")).not.toBeNull();
    const late = new FakeSocket();
    h.broker.openSession(late);
    expect(late.closed?.code).toBe(CLOSE_CODES.GOING_AWAY);
    await h.broker.close(); // a second close is harmless

    const fs = h.fs;
    h = await startBroker({}, fs);
    const again = await h.connect();
    const fetched = await again.request({ op: "listOffsets", topic: "t", partitions: [{ partition: 0, timestamp: "latest" }] });
    expect((fetched["partitions"] as { offset: number }[])[0]!.offset).toBe(1);
  });

  it("close() ends a pending long-poll fetch", async () => {
    h = await startBroker();
    const c = await h.connect();
    await c.request({ op: "createTopics", topics: [{ topic: "t" }] });
    c.fire({ op: "fetch", topic: "t", partition: 0, offset: 0, maxWaitMs: 30_000 });
    await settle(5);
    await h.broker.close();
    expect(c.socket.closed?.code).toBe(CLOSE_CODES.GOING_AWAY);
  });
});
