/**
 * Small steps the end-to-end scenarios share: create a topic, produce a batch and read its offset,
 * split fetched bytes into stored batches, wait.
 *
 * @example
 * ```ts
 * await createTopic(client, "orders", 3);
 * const offset = await produceBatch(client, "orders", 0, batchOf([{ value: utf8("x") }]));
 * ```
 * @module
 */
import { BATCH } from "../../src/core/record/batch-header.ts";
import type { DecodedRecord } from "../../src/core/record/record-batch.ts";
import { bytesField, recordsOf, type Frame, type WsTestClient } from "../support/ws-test-client.ts";

/**
 * Creates a topic and throws when the broker reports an error for it.
 *
 * @example
 * ```ts
 * await createTopic(client, "logs", 1, { "segment.bytes": "200" });
 * ```
 */
export async function createTopic(client: WsTestClient, topic: string, numPartitions = 1, configs: Record<string, string> = {}): Promise<void> {
  const reply = await client.call("createTopics", { topics: [{ topic, numPartitions, configs }] });
  const result = (reply["topics"] as Frame[])[0]!;
  if (result["error"]) throw new Error(`createTopics ${topic} failed: ${JSON.stringify(result["error"])}`);
}

/**
 * Produces stored batch bytes to one partition and resolves with the base offset the broker assigned.
 *
 * @example
 * ```ts
 * const base = await produceBatch(client, "t", 0, batch); // acks 1
 * ```
 */
export async function produceBatch(client: WsTestClient, topic: string, partition: number, batches: Uint8Array, acks: 1 | -1 | "all" = 1): Promise<number> {
  const reply = await client.call("produce", { acks, topic, partitions: [{ partition, batches }] });
  return baseOffsetOf(reply);
}

/**
 * The base offset of the only partition of a produce reply; throws on a partition error.
 *
 * @example
 * ```ts
 * baseOffsetOf(await client.call("produce", {...})); // 42
 * ```
 */
export function baseOffsetOf(reply: Frame): number {
  const partition = (reply["partitions"] as Frame[])[0]!;
  if (partition["error"]) throw new Error(`produce failed: ${JSON.stringify(partition["error"])}`);
  return partition["baseOffset"] as number;
}

/**
 * The stored batches of concatenated fetch bytes, each as a view.
 *
 * @example
 * ```ts
 * splitBatches(bytes).length; // how many batches the fetch returned
 * ```
 */
export function splitBatches(bytes: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 0;
  while (at + BATCH.LOG_OVERHEAD <= bytes.length) {
    const size = BATCH.LOG_OVERHEAD + view.getInt32(at + 8);
    out.push(bytes.subarray(at, at + size));
    at += size;
  }
  if (at !== bytes.length) throw new Error(`${bytes.length - at} bytes after the last whole batch`);
  return out;
}

/**
 * The baseOffset field of a stored batch.
 *
 * @example
 * ```ts
 * batchBaseOffset(splitBatches(bytes)[0]!); // 0
 * ```
 */
export function batchBaseOffset(batch: Uint8Array): number {
  return Number(new DataView(batch.buffer, batch.byteOffset, batch.byteLength).getBigInt64(0));
}

/**
 * Fetches once from `offset` (no long poll) and decodes what came back, records below `offset` skipped.
 *
 * @example
 * ```ts
 * const { reply, batches, records } = await fetchRecords(client, "t", 0, 0);
 * ```
 */
export async function fetchRecords(
  client: WsTestClient,
  topic: string,
  partition: number,
  offset: number,
): Promise<{ reply: Frame; batches: Uint8Array; records: DecodedRecord[] }> {
  const reply = await client.call("fetch", { topic, partition, offset, maxWaitMs: 0, minBytes: 0 });
  const batches = bytesField(reply["batches"]);
  return { reply, batches, records: await recordsOf(batches, offset) };
}

/**
 * Every record of a partition from `offset` up to its high watermark, fetching as often as needed.
 *
 * @example
 * ```ts
 * const all = await readAll(client, "t", 0, 0);
 * ```
 */
export async function readAll(client: WsTestClient, topic: string, partition: number, offset: number): Promise<DecodedRecord[]> {
  const out: DecodedRecord[] = [];
  let next = offset;
  for (;;) {
    const { reply, records } = await fetchRecords(client, topic, partition, next);
    out.push(...records);
    if (records.length > 0) next = records.at(-1)!.offset + 1;
    if (next >= (reply["highWatermark"] as number) || records.length === 0) return out;
  }
}

/**
 * The records pushed to subscription `sub` so far, decoded, skipping those below each push's `firstOffset`.
 *
 * @example
 * ```ts
 * (await pushedRecords(client, sub)).map((r) => r.offset); // [0, 1, 2]
 * ```
 */
export async function pushedRecords(client: WsTestClient, sub: number): Promise<DecodedRecord[]> {
  const out: DecodedRecord[] = [];
  for (const push of client.pushes(sub)) {
    if (push["push"] !== "records") continue;
    out.push(...(await recordsOf(bytesField(push["batches"]), push["firstOffset"] as number)));
  }
  return out;
}

/**
 * The offsets of a partition: log start and high watermark, through `listOffsets`.
 *
 * @example
 * ```ts
 * const { earliest, latest } = await offsetsOf(client, "t", 0);
 * ```
 */
export async function offsetsOf(client: WsTestClient, topic: string, partition: number): Promise<{ earliest: number; latest: number }> {
  const ask = async (timestamp: string): Promise<number> => {
    const reply = await client.call("listOffsets", { topic, partitions: [{ partition, timestamp }] });
    const item = (reply["partitions"] as Frame[])[0]!;
    if (item["error"]) throw new Error(`listOffsets failed: ${JSON.stringify(item["error"])}`);
    return item["offset"] as number;
  };
  return { earliest: await ask("earliest"), latest: await ask("latest") };
}

/**
 * Polls `probe` every `everyMs` until it returns true; throws after `limitMs`.
 *
 * @example
 * ```ts
 * await eventually(async () => (await offsetsOf(client, "t", 0)).latest === 5, "5 records appended");
 * ```
 */
export async function eventually(probe: () => Promise<boolean>, what: string, limitMs = 10_000, everyMs = 50): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${limitMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

/**
 * Resolves after `ms` milliseconds.
 *
 * @example
 * ```ts
 * await sleep(100);
 * ```
 */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
