/**
 * Durability, black box, on Node, Bun, Deno and the compiled binary: every record acknowledged with
 * acks=1 survives `kill -9` of the broker right after the last reply, in order and at its offset,
 * and the restarted broker goes on serving (produce, fetch, subscribe). With the produce/fetch
 * scenarios this is also the CI smoke test of the binary: start, produce, consume, kill, restart,
 * consume again.
 */
import { afterAll, describe, expect, test } from "vitest";
import type { DecodedRecord } from "../../src/core/record/record-batch.ts";
import { batchOf, text, utf8, type WsTestClient } from "../support/ws-test-client.ts";
import { removeTempDirs, startBroker, TARGETS, type E2eBroker } from "./broker-matrix.ts";
import { baseOffsetOf, createTopic, offsetsOf, pushedRecords, readAll } from "./e2e-helpers.ts";

/** Batches produced before the kill, spread over two partitions. */
const BATCHES = 240;
const PARTITIONS = 2;

afterAll(removeTempDirs);

/** The records a batch number carries: 1 to 4 of them, with sizes up to a few KiB. */
function recordsOfBatch(n: number): { key: Uint8Array; value: Uint8Array }[] {
  return Array.from({ length: 1 + (n % 4) }, (_, i) => ({
    key: utf8(`b${n}-r${i}`),
    value: utf8(`${n}:${i}:`.padEnd(((n * 37 + i * 101) % 3000) + 8, String.fromCharCode(97 + ((n + i) % 26)))),
  }));
}

function shape(records: readonly DecodedRecord[]): [number, string | null, string | null][] {
  return records.map((r) => [r.offset, text(r.key), text(r.value)]);
}

describe.each(TARGETS)("durability on $name", (target) => {
  let broker: E2eBroker | undefined;

  afterAll(async () => {
    await broker?.kill();
  });

  test("every record acknowledged with acks=1 is there after kill -9 and a restart, in order, at its offset", async () => {
    broker = await startBroker(target);
    let client: WsTestClient = await broker.connect();
    await createTopic(client, "durable", PARTITIONS);

    // Pipelined: every request is sent before the first reply comes back.
    const expected: [number, string | null, string | null][][] = Array.from({ length: PARTITIONS }, () => []);
    const replies = await Promise.all(
      Array.from({ length: BATCHES }, (_, n) =>
        client.call("produce", { acks: 1, topic: "durable", partitions: [{ partition: n % PARTITIONS, batches: batchOf(recordsOfBatch(n)) }] }),
      ),
    );
    await broker.kill(); // right after the last acknowledgement
    expect(broker.child.process.signalCode).toBe("SIGKILL");

    replies.forEach((reply, n) => {
      const base = baseOffsetOf(reply);
      recordsOfBatch(n).forEach((r, i) => expected[n % PARTITIONS]!.push([base + i, text(r.key), text(r.value)]));
    });
    for (const list of expected) {
      list.sort((a, b) => a[0] - b[0]);
      expect(list.map((e) => e[0])).toEqual(list.map((_, i) => i)); // the acknowledged offsets leave no hole
    }

    broker = await broker.restart();
    client = await broker.connect();
    for (let partition = 0; partition < PARTITIONS; partition++) {
      expect(await offsetsOf(client, "durable", partition)).toEqual({ earliest: 0, latest: expected[partition]!.length });
      expect(shape(await readAll(client, "durable", partition, 0))).toEqual(expected[partition]);
    }

    // The restarted broker serves on: produce, consume, and a subscriber sees old and new records.
    const next = baseOffsetOf(await client.call("produce", { acks: 1, topic: "durable", partitions: [{ partition: 0, batches: batchOf([{ value: utf8("after restart") }]) }] }));
    expect(next).toBe(expected[0]!.length);
    const { sub } = await client.subscribe({ topic: "durable", partition: 0, from: "earliest", credit: { records: 1_000_000, bytes: 64 << 20 } });
    await client.until(() => client.pushes(sub).some((p) => p["nextOffset"] === next + 1), "every record of partition 0 pushed");
    const pushed = await pushedRecords(client, sub);
    expect(shape(pushed)).toEqual([...expected[0]!, [next, null, "after restart"]]);

    // A second kill and restart keeps the record produced after the first one.
    await client.close();
    await broker.kill();
    broker = await broker.restart();
    client = await broker.connect();
    expect(shape(await readAll(client, "durable", 0, next))).toEqual([[next, null, "after restart"]]);
    await client.close();
    expect(await broker.stop()).toBe(0);
    broker = undefined;
  });
});
