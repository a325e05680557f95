/**
 * The standard workloads of `npm run bench` on edgelog's side, built on the WebSocket bench's client
 * (bench/ws/bench-client.ts: CBOR frames encoded once, ids patched per send) against a running
 * broker, 100 B records, acks=1:
 *
 * - `publish1` / `publish6`: one producer sends batches of 1000 records (one RecordBatch each) to a
 *   topic of 1 or 6 partitions (batch i to partition i mod 6), {@link EdgelogSizes.publishWindow}
 *   requests in flight;
 * - `publish64k`: the same with batches sized so that each produce frame is just under 64 KiB (the
 *   frame size of the raw WebSocket limit it is compared with), {@link EdgelogSizes.frameWindow} in flight;
 * - `unbatched`: one record per request, 1000 requests in flight;
 * - `consume`: one subscriber reads a partition of exactly `consume` records from earliest, topping up
 *   its credit as it goes;
 * - `latency`: the WebSocket bench's open-loop end-to-end latency phase (bench/ws/latency-phase.ts).
 *
 * Each workload checks what the broker answers (offsets in order, every record arriving).
 *
 * @example
 * ```ts
 * await runEdgelogWorkload("consume", broker, sizes, results, notes);
 * ```
 * @module
 */
import {
  batchOf,
  BenchConnection,
  FrameTemplate,
  pipeline,
  producedOffset,
  produceTemplate,
  singleRecordBatch,
  type Frame,
} from "../ws/bench-client.ts";
import type { BrokerProcess } from "../ws/broker-process.ts";
import { cpuMeter, figures } from "../ws/figures.ts";
import { endToEndLatency } from "../ws/latency-phase.ts";
import { subscribeAll } from "../ws/subscribe-phase.ts";
import { measured, type SideResults } from "./measure.ts";

/**
 * Volumes of the edgelog workloads.
 *
 * @example
 * ```ts
 * const sizes: EdgelogSizes = { batch: 1000, publishWindow: 1, frameWindow: 16, publishBatches: 3000, warmupBatches: 300, unbatched: 300_000, unbatchedWarmup: 30_000, unbatchedInFlight: 1000, consume: 1_000_000, latencyRate: 10_000, latencySeconds: 10, latencyWarmupSeconds: 1 };
 * ```
 */
export interface EdgelogSizes {
  /** Records per batch. */
  batch: number;
  /** Produce requests (batches) in flight in `publish1` and `publish6`. */
  publishWindow: number;
  /** Produce requests in flight in `publish64k`. */
  frameWindow: number;
  /** Batches measured by each batched publish workload (after the warm-up). */
  publishBatches: number;
  warmupBatches: number;
  unbatched: number;
  unbatchedWarmup: number;
  unbatchedInFlight: number;
  /** Records of the partition the consume workload reads from the start. */
  consume: number;
  latencyRate: number;
  latencySeconds: number;
  latencyWarmupSeconds: number;
}

/**
 * A workload of {@link runEdgelogWorkload}.
 *
 * @example
 * ```ts
 * const w: EdgelogWorkload = "publish1";
 * ```
 */
export type EdgelogWorkload = "publish1" | "publish6" | "publish64k" | "unbatched" | "consume" | "latency";

/** The largest produce frame of the `publish64k` workload. */
export const FRAME_64K = 64 * 1024;

async function createTopic(conn: BenchConnection, topic: string, partitions: number): Promise<void> {
  const reply = await conn.call("createTopics", { topics: [{ topic, numPartitions: partitions }] });
  const result = (reply["topics"] as Frame[])[0]!;
  if (result["error"] !== undefined) throw new Error(`createTopics ${topic}: ${JSON.stringify(result["error"])}`);
}

/** One produce template per partition; `frameFor` sends batch i to partition i mod partitions. */
function spreadTemplates(topic: string, partitions: number, batch: Uint8Array, window: number) {
  const templates = Array.from(
    { length: partitions },
    (_, p) => new FrameTemplate({ op: "produce", acks: 1, topic, partitions: [{ partition: p, batches: batch }] }, Math.ceil(window / partitions) * 2 + 2),
  );
  return {
    frameBytes: templates[0]!.byteLength,
    frameFor: (i: number, id: number) => templates[i % partitions]!.withId(Math.floor(i / partitions), id),
  };
}

/** What {@link cpuMeter} reports. */
type CpuUse = ReturnType<ReturnType<typeof cpuMeter>["stop"]>;

/**
 * Sends `warmup` then `count` batches of `records` records spread over `partitions`; checks each
 * partition's offsets. Returns the milliseconds and the CPU use of the `count` measured batches.
 */
async function publishBatches(
  conn: BenchConnection,
  brokerPid: number,
  shape: { topic: string; partitions: number; records: number; window: number },
  warmup: number,
  count: number,
): Promise<{ ms: number; frameBytes: number; batchBytes: number; cpu: CpuUse }> {
  const { topic, partitions, records, window } = shape;
  const batch = batchOf(records);
  const { frameBytes, frameFor } = spreadTemplates(topic, partitions, batch, window);
  const expected = new Array<number>(partitions).fill(0);
  const check = (reply: Frame, i: number): void => {
    const p = i % partitions;
    const base = producedOffset(reply);
    if (base !== expected[p]) throw new Error(`produce to ${topic}-${p}: base offset ${base}, expected ${expected[p]}`);
    expected[p]! += records;
  };
  if (warmup > 0) await pipeline(conn, warmup, window, frameFor, check);
  const meter = cpuMeter(brokerPid);
  // numbered on from the warm-up, so that batch i still goes to partition i mod P
  const ms = await pipeline(conn, count, window, (i, id) => frameFor(i + warmup, id), (reply, i) => check(reply, i + warmup));
  return { ms, frameBytes, batchBytes: batch.length, cpu: meter.stop(count * records) };
}

/** The number of 100 B records whose produce frame is the largest not above `maxFrame` bytes. */
function recordsForFrame(topic: string, maxFrame: number): number {
  const frameOf = (n: number): number => produceTemplate(topic, batchOf(n), 1).byteLength;
  const one = frameOf(1);
  const perRecord = frameOf(2) - one;
  let n = Math.floor((maxFrame - one) / perRecord) + 1;
  while (n > 1 && frameOf(n) > maxFrame) n--;
  return n;
}

/**
 * Runs one workload on `broker` on a fresh topic named `topic` (default: the workload's name) and
 * records its figures in `results`, details in `notes`.
 *
 * @example
 * ```ts
 * await runEdgelogWorkload("publish1", broker, sizes, results, notes);
 * ```
 */
export async function runEdgelogWorkload(
  workload: EdgelogWorkload,
  broker: BrokerProcess,
  sizes: EdgelogSizes,
  results: SideResults,
  notes: Record<string, unknown>,
  topic: string = workload,
): Promise<void> {
  if (workload === "latency") {
    const before = figures.length;
    await endToEndLatency(broker, notes, { rate: sizes.latencyRate, seconds: sizes.latencySeconds, warmupSeconds: sizes.latencyWarmupSeconds, topic });
    const added = figures.slice(before);
    const at = (suffix: string): number => {
      const f = added.find((x) => x.name.endsWith(` ${suffix}`));
      if (f?.value == null) throw new Error(`The latency phase reported no ${suffix}`);
      return f.value;
    };
    const p99Note = added.find((x) => x.name.endsWith(" p99"))?.note;
    results.e2eP50 = measured(at("p50"), "ms");
    results.e2eP99 = measured(at("p99"), "ms", p99Note);
    results.e2eP999 = measured(at("p99.9"), "ms");
    notes["latencyMaxMs"] = at("max");
    return;
  }
  const conn = await BenchConnection.open(broker.url);
  try {
    if (workload === "publish1" || workload === "publish6") {
      const partitions = workload === "publish1" ? 1 : 6;
      await createTopic(conn, topic, partitions);
      const shape = { topic, partitions, records: sizes.batch, window: sizes.publishWindow };
      const { ms, frameBytes, batchBytes, cpu } = await publishBatches(conn, broker.pid, shape, sizes.warmupBatches, sizes.publishBatches);
      const records = sizes.publishBatches * sizes.batch;
      notes[`${workload}Cpu`] = cpu;
      notes[`${workload}FrameBytes`] = frameBytes;
      const text = `${records.toLocaleString("en-US")} records in ${sizes.publishBatches} batches of ${batchBytes} B, ${sizes.publishWindow} in flight; ${cpu.text}`;
      results[workload] = measured((records / ms) * 1000, "records/s", text);
      if (workload === "publish1") {
        results.publish1Bytes = measured(((sizes.publishBatches * batchBytes) / 1e6 / ms) * 1000, "MB/s", "record batch bytes (100 B values + Kafka record and batch framing)");
      }
    } else if (workload === "publish64k") {
      await createTopic(conn, topic, 1);
      const records = recordsForFrame(topic, FRAME_64K);
      const count = Math.round((sizes.publishBatches * sizes.batch) / records);
      const warmup = Math.round((sizes.warmupBatches * sizes.batch) / records);
      const shape = { topic, partitions: 1, records, window: sizes.frameWindow };
      const { ms, frameBytes, cpu } = await publishBatches(conn, broker.pid, shape, warmup, count);
      notes["publish64kCpu"] = cpu;
      results.publish64k = measured(((count * frameBytes) / 1e6 / ms) * 1000, "MB/s",
        `produce frames of ${frameBytes} B (${records} records each), ${sizes.frameWindow} in flight, bytes of whole WebSocket messages; ${cpu.text}`);
    } else if (workload === "unbatched") {
      await createTopic(conn, topic, 1);
      const template = produceTemplate(topic, singleRecordBatch(), sizes.unbatchedInFlight * 2);
      const check = (reply: Frame): void => void producedOffset(reply);
      await pipeline(conn, sizes.unbatchedWarmup, sizes.unbatchedInFlight, (i, id) => template.withId(i, id), check);
      const meter = cpuMeter(broker.pid);
      const ms = await pipeline(conn, sizes.unbatched, sizes.unbatchedInFlight, (i, id) => template.withId(i, id), check);
      const cpu = meter.stop(sizes.unbatched);
      notes["unbatchedCpu"] = cpu;
      results.unbatched = measured((sizes.unbatched / ms) * 1000, "records/s",
        `${sizes.unbatched.toLocaleString("en-US")} requests of ${template.byteLength} B, ${sizes.unbatchedInFlight} in flight; ${cpu.text}`);
    } else {
      await createTopic(conn, topic, 1);
      const batches = Math.ceil(sizes.consume / sizes.batch);
      await publishBatches(conn, broker.pid, { topic, partitions: 1, records: sizes.batch, window: 16 }, 0, batches);
      const logEnd = batches * sizes.batch;
      const meter = cpuMeter(broker.pid);
      const { ms, bytes } = await subscribeAll(broker.url, topic, logEnd);
      const cpu = meter.stop(logEnd);
      notes["consumeCpu"] = cpu;
      notes["consumeMBPerSecond"] = (bytes / 1e6 / ms) * 1000;
      results.consume = measured((logEnd / ms) * 1000, "records/s",
        `subscribe from earliest, credit 500,000 records / 64 MiB topped up at a quarter; ${((bytes / 1e6 / ms) * 1000).toFixed(0)} MB/s of batches; ${cpu.text}`);
    }
  } finally {
    conn.close();
  }
}
