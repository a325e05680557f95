/**
 * The client library against each runtime's broker (Node, Bun, Deno, the compiled binary): a
 * consumer whose broker is killed and restarted reconnects by itself and resumes where it was, so
 * its view holds every record once, in order, with no loss and no duplicate.
 */
import WebSocket from "ws";
import { afterAll, describe, expect, test } from "vitest";
import { createClient, type ConsumedRecord, type WebSocketConstructor } from "../../src/client/index.ts";
import { removeTempDirs, startBroker, TARGETS, type E2eBroker } from "./broker-matrix.ts";

afterAll(removeTempDirs);

const FIRST = 50;
const SECOND = 50;

/** Reads `count` records from an iterator, failing instead of hanging. */
async function take(records: AsyncIterator<ConsumedRecord>, count: number, into: ConsumedRecord[]): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (let i = 0; i < count; i++) {
    const next = await Promise.race([
      records.next(),
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`Got ${into.length} records, expected more`)), Math.max(1, deadline - Date.now()))),
    ]);
    if (next.done) throw new Error(`The consumer ended after ${into.length} records`);
    into.push(next.value);
  }
}

describe.each(TARGETS)("client reconnect on $name", (target) => {
  let broker: E2eBroker | undefined;
  afterAll(async () => {
    await broker?.kill();
  });

  test("a consumer resumes after the broker restarts without loss or duplicates in its view", async () => {
    broker = await startBroker(target);
    const client = createClient({ brokers: [broker.url], clientId: "reconnect-test", WebSocket: WebSocket as unknown as WebSocketConstructor });
    const admin = client.admin();
    await admin.createTopics({ topics: [{ topic: "resume", numPartitions: 1 }] });
    await admin.disconnect();

    const producer = client.producer({ acks: 1 });
    for (let i = 0; i < FIRST; i++) await producer.send({ topic: "resume", messages: [{ key: `k${i}`, value: `v${i}` }] });
    await producer.disconnect();

    const consumer = client.consumer({ maxBufferedRecords: 10 });
    await consumer.assign([{ topic: "resume", partition: 0, from: "earliest" }]);
    const iterator = consumer[Symbol.asyncIterator]();
    const seen: ConsumedRecord[] = [];
    await take(iterator, FIRST / 2, seen);

    await broker.kill();
    broker = await broker.restart();

    const again = client.producer({ acks: 1 });
    for (let i = FIRST; i < FIRST + SECOND; i++) await again.send({ topic: "resume", messages: [{ key: `k${i}`, value: `v${i}` }] });
    await again.disconnect();

    await take(iterator, FIRST + SECOND - seen.length, seen);
    await consumer.disconnect();
    expect(seen.map((r) => r.offset)).toEqual(Array.from({ length: FIRST + SECOND }, (_, i) => i));
    expect(seen.map((r) => r.valueString())).toEqual(Array.from({ length: FIRST + SECOND }, (_, i) => `v${i}`));
  });
});
