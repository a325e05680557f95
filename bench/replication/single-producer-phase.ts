/**
 * Kafka's 2014 replication measurement, repeated on edgelog: one producer thread (edgelog's own
 * client, in the bench process) sends 100-byte records one `send()` at a time to a topic of six
 * partitions spread over the three brokers, with batch.size 8196 as Kafka's run used, and the
 * records acknowledged in a measured interval are counted. It is the measurement behind Kafka's
 * figures (no replication 821,557 records/s; 3× synchronous 421,823, 51 %), where one producer
 * sets the pace and replication costs what the acknowledgements wait for; the saturation runs of
 * throughput-phase.ts measure what replication costs the brokers' CPU instead.
 *
 * @example
 * ```ts
 * const run = await singleProducerRun(cluster, { topic: "k-rf3", acks: -1, warmupMs: 1000, measureMs: 3000 });
 * console.log(run.recordsPerSecond);
 * ```
 * @module
 */
import { createClient } from "../../src/client/index.ts";
import { RECORD_BYTES } from "../ws/bench-client.ts";
import type { BenchCluster } from "./cluster.ts";

/** batch.size of Kafka's 2014 run ("batch.size=8196"). */
export const KAFKA_2014_BATCH_SIZE = 8196;
/** linger.ms: Kafka's default since 4.0; the 2014 producer's sender thread batched what queued while it was busy. */
export const SINGLE_PRODUCER_LINGER_MS = 5;
/** max.in.flight.requests.per.connection: Kafka's default (edgelog counts it per partition). */
export const SINGLE_PRODUCER_IN_FLIGHT = 5;
/** Records sent and not yet acknowledged at most: buffer.memory 64 MiB of 100-byte records, as Kafka's run set it, rounded down. */
export const SINGLE_PRODUCER_PENDING = 100_000;

/** Sends per call of the pump before it lets replies in. */
const SEND_SLICE = 1000;

/**
 * What {@link singleProducerRun} does.
 *
 * @example
 * ```ts
 * const options: SingleProducerOptions = { topic: "k-rf1", acks: 1, warmupMs: 1000, measureMs: 3000 };
 * ```
 */
export interface SingleProducerOptions {
  topic: string;
  acks: 1 | -1;
  warmupMs: number;
  measureMs: number;
}

/**
 * The outcome of one run.
 *
 * @example
 * ```ts
 * `${Math.round(run.recordsPerSecond)} records/s, producer CPU ${run.producerUsPerRecord.toFixed(2)} µs/record`;
 * ```
 */
export interface SingleProducerRun {
  topic: string;
  acks: 1 | -1;
  records: number;
  recordsPerSecond: number;
  megabytesPerSecond: number;
  /** CPU the bench process (the producer) used per record acknowledged in the interval. */
  producerUsPerRecord: number;
}

/**
 * One producer writes to every partition of `options.topic` for a warm-up and a measured interval;
 * rejects on any failed send.
 *
 * @example
 * ```ts
 * const run = await singleProducerRun(cluster, { topic: "k-rf3", acks: -1, warmupMs: 1000, measureMs: 3000 });
 * ```
 */
export async function singleProducerRun(cluster: BenchCluster, options: SingleProducerOptions): Promise<SingleProducerRun> {
  const urls = [...cluster.brokers.values()].map((b) => b.url);
  const client = createClient({ brokers: urls, clientId: "bench-single-producer" });
  const producer = client.producer({
    acks: options.acks,
    batchSize: KAFKA_2014_BATCH_SIZE,
    lingerMs: SINGLE_PRODUCER_LINGER_MS,
    maxInFlightRequests: SINGLE_PRODUCER_IN_FLIGHT,
  });
  await producer.connect();
  const value = new Uint8Array(RECORD_BYTES).map((_, i) => (i * 31 + 7) & 0xff);
  const message = { topic: options.topic, messages: [{ value }] };
  try {
    let acked = 0;
    let pending = 0;
    let failure: unknown;
    let first: { at: number; acked: number; cpu: NodeJS.CpuUsage } | undefined;
    let last: typeof first;
    const started = performance.now();
    const measureFrom = started + options.warmupMs;
    const measureTo = measureFrom + options.measureMs;
    const mark = (): void => {
      const now = performance.now();
      if (first === undefined && now >= measureFrom) first = { at: now, acked, cpu: process.cpuUsage() };
      if (first !== undefined && last === undefined && now >= measureTo) last = { at: now, acked, cpu: process.cpuUsage() };
    };
    const timers = [setTimeout(mark, options.warmupMs), setTimeout(mark, options.warmupMs + options.measureMs)];
    await new Promise<void>((resolve) => {
      const onAck = (): void => {
        pending--;
        acked++;
        mark();
        pump();
      };
      const onError = (error: unknown): void => {
        pending--;
        failure ??= error;
        pump();
      };
      // Sends until the pending records reach the limit; called again as acknowledgements arrive, in
      // slices, so that replies are read between them.
      const pump = (): void => {
        let sent = 0;
        while (sent < SEND_SLICE && failure === undefined && pending < SINGLE_PRODUCER_PENDING && performance.now() < measureTo) {
          pending++;
          sent++;
          producer.send(message).then(onAck, onError);
        }
        if (pending === 0) resolve();
        else if (sent === SEND_SLICE) setTimeout(pump, 0);
      };
      pump();
    });
    for (const timer of timers) clearTimeout(timer);
    mark();
    if (failure !== undefined) throw failure instanceof Error ? failure : new Error(String(failure));
    if (first === undefined || last === undefined) throw new Error("The run ended before its measured interval");
    const records = last.acked - first.acked;
    const seconds = (last.at - first.at) / 1000;
    const cpuUs = last.cpu.user + last.cpu.system - first.cpu.user - first.cpu.system;
    return {
      topic: options.topic,
      acks: options.acks,
      records,
      recordsPerSecond: records / seconds,
      megabytesPerSecond: (records * RECORD_BYTES) / 1e6 / seconds,
      producerUsPerRecord: cpuUs / Math.max(1, records),
    };
  } finally {
    await producer.disconnect().catch(() => undefined);
  }
}
