import { afterEach, describe, expect, it, vi } from "vitest";
import { Connection, EdgelogError, Producer } from "../../src/client/index.ts";
import { decodeRecordBatches } from "../../src/core/record/record-batch.ts";
import { FakeServer, type Frame } from "./fake-websocket.ts";

const retry = { retries: 3, initialRetryTimeMs: 5, maxRetryTimeMs: 20 };
let producers: Producer[] = [];
afterEach(async () => {
  await Promise.all(producers.map((p) => p.disconnect()));
  producers = [];
});

function producerOn(server: FakeServer, options: { maxInFlightRequests?: number } = {}): Producer {
  const connection = new Connection({ brokers: ["127.0.0.1:9092"], WebSocket: server.WebSocket, retry });
  const producer = new Producer(connection, { retry, ...options });
  producers.push(producer);
  return producer;
}

/** Answers produce requests from a script, one entry per request; the last entry repeats. */
function scripted(script: ((request: Frame) => Frame)[]): FakeServer {
  let n = 0;
  return new FakeServer((request) => {
    if (request["op"] !== "produce") return undefined;
    return script[Math.min(n++, script.length - 1)]!(request);
  });
}

const partitionError = (code: string, retriable: boolean) => (request: Frame) => ({
  topic: request["topic"],
  partitions: (request["partitions"] as Frame[]).map((p) => ({ partition: p["partition"], error: { code, message: `${code} now`, retriable } })),
});
const success = (baseOffset: number) => (request: Frame) => ({
  topic: request["topic"],
  partitions: (request["partitions"] as Frame[]).map((p) => ({ partition: p["partition"], baseOffset, logAppendTime: -1, logStartOffset: 0 })),
});

describe("Producer retries", () => {
  it("a batch that fails with a retriable error is sent again, the same bytes, and resolves with the retry's offsets", async () => {
    const server = scripted([partitionError("NOT_LEADER_OR_FOLLOWER", true), success(7)]);
    const [meta] = await producerOn(server).send({ topic: "t", messages: [{ value: "a", partition: 2 }, { value: "b", partition: 2 }] });
    expect(meta).toMatchObject({ partition: 2, baseOffset: 7, offsets: [7, 8] });
    const requests = server.requests("produce");
    expect(requests).toHaveLength(2);
    const [first, second] = requests.map((r) => (r["partitions"] as Frame[])[0]!["batches"]);
    expect(second).toEqual(first);
    const [batch] = await decodeRecordBatches(second as Uint8Array);
    expect(batch!.records.map((r) => new TextDecoder().decode(r.value!))).toEqual(["a", "b"]);
  });

  it("a retriable error of the whole request is retried too", async () => {
    const server = scripted([
      () => ({ error: { code: "RESOURCE_LIMIT_EXCEEDED", message: "too many in flight", retriable: true } }),
      success(0),
    ]);
    const [meta] = await producerOn(server).send({ topic: "t", messages: [{ value: "a", partition: 0 }] });
    expect(meta!.baseOffset).toBe(0);
    expect(server.requests("produce")).toHaveLength(2);
  });

  it("only the failed partitions of a request are sent again", async () => {
    const server = scripted([
      (request) => ({
        topic: request["topic"],
        partitions: [
          { partition: 0, baseOffset: 10, logAppendTime: -1, logStartOffset: 0 },
          { partition: 1, error: { code: "NOT_ENOUGH_REPLICAS", message: "isr too small", retriable: true } },
        ],
      }),
      success(20),
    ]);
    const result = await producerOn(server).send({ topic: "t", messages: [{ value: "a", partition: 0 }, { value: "b", partition: 1 }] });
    expect(result.map((m) => [m.partition, m.baseOffset])).toEqual([[0, 10], [1, 20]]);
    expect((server.requests("produce")[1]!["partitions"] as Frame[]).map((p) => p["partition"])).toEqual([1]);
  });

  it("a non-retriable error rejects at once with the broker's error", async () => {
    const server = scripted([partitionError("MESSAGE_TOO_LARGE", false)]);
    const error = await producerOn(server).send({ topic: "t", messages: [{ value: "a", partition: 0 }] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EdgelogError);
    expect(error).toMatchObject({ code: "MESSAGE_TOO_LARGE", retriable: false });
    expect(server.requests("produce")).toHaveLength(1);
  });

  it("gives up after retry.retries retries with the last error", async () => {
    const server = scripted([partitionError("NOT_LEADER_OR_FOLLOWER", true)]);
    const error = await producerOn(server).send({ topic: "t", messages: [{ value: "a", partition: 0 }] }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "NOT_LEADER_OR_FOLLOWER" });
    expect(server.requests("produce")).toHaveLength(1 + retry.retries);
  });

  it("sends acks 0 and acks all as the protocol spells them, and acks 0 expects no reply", async () => {
    const server = scripted([success(0)]);
    const producer = producerOn(server);
    await producer.send({ topic: "t", acks: "all", messages: [{ value: "a", partition: 0 }] });
    const [meta] = await producer.send({ topic: "t", acks: 0, messages: [{ value: "b", partition: 0 }] });
    expect(meta!.offsets).toEqual([-1]);
    expect(server.requests("produce").map((r) => r["acks"])).toEqual([-1, 0]);
  });
});

describe("Producer ordering under retries", () => {
  /** A one-partition log: the first produce request fails retriably, the others append in arrival order. */
  function firstRequestFails(): FakeServer {
    let requests = 0;
    let end = 0;
    return new FakeServer((request) => {
      if (request["op"] !== "produce") return undefined;
      if (requests++ === 0) return partitionError("NOT_LEADER_OR_FOLLOWER", true)(request);
      return success(end++)(request);
    });
  }

  it("without a limit, a retried batch may land after a later one (Kafka without idempotence)", async () => {
    const producer = producerOn(firstRequestFails());
    const [a, b] = await Promise.all(["a", "b"].map((value) => producer.send({ topic: "t", messages: [{ value, partition: 0 }] })));
    expect([a![0]!.baseOffset, b![0]!.baseOffset]).toEqual([1, 0]);
  });

  it("send() with maxInFlightRequests 1 keeps a partition's batches in the order they were sent, retries included", async () => {
    const server = firstRequestFails();
    const producer = producerOn(server, { maxInFlightRequests: 1 });
    const sent = ["a", "b", "c", "d"].map((value) => producer.send({ topic: "t", messages: [{ value, partition: 0 }] }));
    const offsets = (await Promise.all(sent)).map((meta) => meta[0]!.baseOffset);
    expect(offsets).toEqual([0, 1, 2, 3]);
    expect(server.requests("produce")).toHaveLength(5);
  });

  it("send() with maxInFlightRequests 2 has at most two requests of a partition unanswered, and sends the next as the oldest is answered", async () => {
    const held: (() => void)[] = [];
    let end = 0;
    const server = new FakeServer((request, socket) => {
      if (request["op"] !== "produce") return undefined;
      if ((request["partitions"] as Frame[])[0]!["partition"] === 1) return success(0)(request);
      held.push(() => socket.deliver({ ...success(end++)(request), id: request["id"] }));
      return "none";
    });
    const producer = producerOn(server, { maxInFlightRequests: 2 });
    const sent = ["a", "b", "c", "d", "e"].map((value) => producer.send({ topic: "t", messages: [{ value, partition: 0 }] }));
    const other = producer.send({ topic: "t", messages: [{ value: "x", partition: 1 }] });
    const produced = () => server.requests("produce").length;
    await vi.waitFor(() => expect(produced()).toBe(3)); // two of partition 0, one of partition 1
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(produced()).toBe(3);
    for (let answered = 0; answered < 4; answered++) {
      held.shift()!();
      await vi.waitFor(() => expect(produced()).toBe(Math.min(6, 4 + answered)));
    }
    while (held.length > 0) held.shift()!();
    const offsets = (await Promise.all(sent)).map((meta) => meta[0]!.baseOffset);
    expect(offsets).toEqual([...offsets].sort((x, y) => x - y));
    await other;
  });

  it("a producer rejects a maxInFlightRequests that is not a positive integer", () => {
    expect(() => producerOn(new FakeServer(), { maxInFlightRequests: 0 })).toThrow(/maxInFlightRequests must be a positive integer/);
  });
});
