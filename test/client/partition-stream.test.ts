import { afterEach, describe, expect, it } from "vitest";
import { Connection, Consumer, type ConsumedRecord } from "../../src/client/index.ts";
import { encodeRecordBatchSync } from "../../src/core/record/record-batch.ts";
import { FakeServer, type FakeSocket, type Frame } from "./fake-websocket.ts";
import { delay, until } from "./broker-fixture.ts";

const retry = { retries: 2, initialRetryTimeMs: 5, maxRetryTimeMs: 20 };
const WINDOW = { records: 10, bytes: 100_000 };
let consumers: Consumer[] = [];
afterEach(async () => {
  await Promise.all(consumers.map((c) => c.disconnect()));
  consumers = [];
});

/** `count` one-record batches from `offset`, concatenated, as a push carries them. */
function batches(offset: number, count: number): Uint8Array {
  const parts = Array.from({ length: count }, (_, i) =>
    encodeRecordBatchSync({ baseOffset: offset + i, now: 1_700_000_000_000, records: [{ value: new Uint8Array([offset + i]) }] }),
  );
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let pos = 0;
  for (const part of parts) {
    out.set(part, pos);
    pos += part.length;
  }
  return out;
}

function push(socket: FakeSocket, sub: number, offset: number, count: number): number {
  const bytes = batches(offset, count);
  socket.deliver({ push: "records", sub, topic: "t", partition: 0, batches: bytes, firstOffset: offset, nextOffset: offset + count, highWatermark: 100, logStartOffset: 0 });
  return bytes.length;
}

/** A fake broker that answers subscribe with sub 1 (2, 3, … on later subscribes) at offset 0 and credit with an echo. */
function fakeBroker(): { server: FakeServer; subscribes: Frame[]; credits: Frame[] } {
  const subscribes: Frame[] = [];
  const credits: Frame[] = [];
  const server = new FakeServer((request) => {
    if (request["op"] === "subscribe") {
      subscribes.push(request);
      return { sub: subscribes.length, topic: "t", partition: 0, offset: 0, highWatermark: 100, logStartOffset: 0 };
    }
    if (request["op"] === "credit") {
      credits.push(request);
      return { sub: request["sub"], records: 0, bytes: 0 };
    }
    if (request["op"] === "unsubscribe") return { sub: request["sub"], nextOffset: 0 };
    return undefined;
  });
  return { server, subscribes, credits };
}

function consumerOn(server: FakeServer): Consumer {
  const connection = new Connection({ brokers: ["127.0.0.1:9092"], WebSocket: server.WebSocket, retry });
  const c = new Consumer(connection, { maxBufferedRecords: WINDOW.records, maxBufferedBytes: WINDOW.bytes, retry });
  consumers.push(c);
  return c;
}

async function take(c: Consumer, count: number): Promise<ConsumedRecord[]> {
  const records: ConsumedRecord[] = [];
  for await (const record of c) {
    records.push(record);
    if (records.length === count) break;
  }
  return records;
}

describe("PartitionStream credit", () => {
  it("subscribes with the whole window and grants a push's credit back once its records are consumed, half a window at a time or when nothing is left", async () => {
    const { server, subscribes, credits } = fakeBroker();
    const c = consumerOn(server);
    await c.assign([{ topic: "t", partition: 0, from: "earliest" }]);
    expect(subscribes[0]).toMatchObject({ topic: "t", partition: 0, from: "earliest", credit: WINDOW });
    const socket = server.sockets[0]!;
    const bytesA = push(socket, 1, 0, 3);
    const bytesB = push(socket, 1, 3, 2);
    await delay(20);
    expect((await take(c, 3)).map((r) => r.offset)).toEqual([0, 1, 2]);
    await delay(20);
    expect(credits).toEqual([]); // 3 of 10 records: below half a window, and push B is still unconsumed
    expect((await take(c, 2)).map((r) => r.offset)).toEqual([3, 4]);
    await until(() => credits.length === 1, "a credit request");
    expect(credits[0]).toMatchObject({ sub: 1, records: 5, bytes: bytesA + bytesB });
  });

  it("after a disconnect, subscribes again from its position with the window minus what is unconsumed", async () => {
    const { server, subscribes } = fakeBroker();
    const c = consumerOn(server);
    await c.assign([{ topic: "t", partition: 0, from: "earliest" }]);
    const bytes = push(server.sockets[0]!, 1, 0, 4);
    expect((await take(c, 1)).map((r) => r.offset)).toEqual([0]);
    server.sockets[0]!.drop();
    await until(() => subscribes.length === 2, "a new subscribe");
    expect(subscribes[1]).toMatchObject({ from: { offset: 4 }, credit: { records: WINDOW.records - 4, bytes: WINDOW.bytes - bytes } });
    push(server.sockets[1]!, 2, 4, 2);
    expect((await take(c, 5)).map((r) => r.offset)).toEqual([1, 2, 3, 4, 5]);
  });

  it("drops records below its position when a push repeats them", async () => {
    const { server } = fakeBroker();
    const c = consumerOn(server);
    await c.assign([{ topic: "t", partition: 0, from: "earliest" }]);
    const socket = server.sockets[0]!;
    push(socket, 1, 0, 3);
    push(socket, 1, 1, 4); // overlaps 1..2
    expect((await take(c, 5)).map((r) => r.offset)).toEqual([0, 1, 2, 3, 4]);
  });

  it("subscribes again after a retriable error push, from where it was", async () => {
    const { server, subscribes } = fakeBroker();
    const c = consumerOn(server);
    await c.assign([{ topic: "t", partition: 0, from: "earliest" }]);
    push(server.sockets[0]!, 1, 0, 2);
    server.sockets[0]!.deliver({ push: "error", sub: 1, error: { code: "NOT_LEADER_OR_FOLLOWER", message: "moved", retriable: true } });
    await until(() => subscribes.length === 2, "a new subscribe");
    expect(subscribes[1]).toMatchObject({ from: { offset: 2 } });
    push(server.sockets[0]!, 2, 2, 1);
    push(server.sockets[0]!, 1, 9, 1); // the ended subscription: ignored
    expect((await take(c, 3)).map((r) => r.offset)).toEqual([0, 1, 2]);
  });
});
