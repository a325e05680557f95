/**
 * Phase 4 of the WebSocket bench, end-to-end latency: an open loop sends one record per request at
 * a fixed rate, each record's latency counted from its scheduled send time to its arrival at a
 * subscriber on another connection, so that stalls of any side are not hidden (no coordinated
 * omission). The bench's own send lag is reported apart.
 *
 * @example
 * ```ts
 * await endToEndLatency(broker, conditions, { rate: 10_000, seconds: 10, warmupSeconds: 1 });
 * ```
 * @module
 */
import { BenchConnection, createTopic, forEachBatch, produceTemplate, producedOffset, singleRecordBatch } from "./bench-client.ts";
import type { BrokerProcess } from "./broker-process.ts";
import { cpuMeter, figure, MiB } from "./figures.ts";

/**
 * How the latency phase runs.
 *
 * @example
 * ```ts
 * const options: LatencyOptions = { rate: 10_000, seconds: 10, warmupSeconds: 1 };
 * ```
 */
export interface LatencyOptions {
  /** Records per second, one per request. */
  rate: number;
  /** Seconds measured. */
  seconds: number;
  /** Seconds sent before, not counted. */
  warmupSeconds: number;
  /** The topic created and measured on (default "bench-latency"), e.g. to run the phase twice on one broker. */
  topic?: string;
}

/**
 * Runs the phase and adds its figures (p50, p99 with its target of 5 ms, p99.9, max).
 *
 * @example
 * ```ts
 * await endToEndLatency(broker, conditions, { rate: 10_000, seconds: 10, warmupSeconds: 1 });
 * ```
 */
export async function endToEndLatency(broker: BrokerProcess, conditions: Record<string, unknown>, options: LatencyOptions): Promise<void> {
  const { rate, seconds, warmupSeconds } = options;
  const topic = options.topic ?? "bench-latency";
  const producer = await BenchConnection.open(broker.url);
  const consumer = await BenchConnection.open(broker.url);
  try {
    await createTopic(producer, topic);
    const warmup = rate * warmupSeconds;
    const total = warmup + rate * seconds;
    const interval = 1000 / rate;
    const latency = new Float64Array(total).fill(Number.NaN);
    let received = 0;
    let pushes = 0;
    let failure: Error | undefined;
    let finish: () => void = () => {};
    const finished = new Promise<void>((resolve) => (finish = resolve));
    let t0 = Number.POSITIVE_INFINITY;
    consumer.onPush = (push) => {
      const now = performance.now();
      pushes++;
      if (push["push"] !== "records") {
        failure ??= new Error(`subscription ended: ${JSON.stringify(push["error"])}`);
        finish();
        return;
      }
      const first = push["firstOffset"] as number;
      forEachBatch(push["batches"] as Uint8Array, (base, last) => {
        for (let o = Math.max(base, first); o <= last && o < total; o++) {
          latency[o] = now - (t0 + o * interval);
          received++;
        }
      });
      if (received >= total) finish();
    };
    await consumer.call("subscribe", { topic, partition: 0, from: "latest", credit: { records: total * 2, bytes: 1024 * MiB } });

    // Record i is sent at t0 + i × interval as request i and lands at offset i (asserted per reply).
    const template = produceTemplate(topic, singleRecordBatch(), 4096);
    let next = 0;
    let maxInFlight = 0;
    const meter = cpuMeter(broker.pid);
    t0 = performance.now() + 20;
    // How late each record left the bench, against its schedule: the share of the latency that is
    // the client's own (timer granularity, being descheduled), not the broker's.
    const sendLag = new Float64Array(total);
    const tick = (): void => {
      const now = performance.now();
      while (next < total && t0 + next * interval <= now) {
        const i = next++;
        sendLag[i] = now - (t0 + i * interval);
        const id = producer.nextId++;
        producer.sendRaw(template.withId(i, id), id, (reply) => {
          try {
            const base = producedOffset(reply);
            if (base !== i) throw new Error(`latency: record ${i} was written at offset ${base}`);
          } catch (error) {
            failure ??= error as Error;
            finish();
          }
        });
      }
      maxInFlight = Math.max(maxInFlight, producer.inFlight);
      if (next < total && !failure) setTimeout(tick, 1);
    };
    setTimeout(tick, 20);
    const timeout = setTimeout(
      () => (failure ??= new Error(`latency: ${received} of ${total} records arrived`), finish()),
      (total / rate) * 1000 + 15_000,
    );
    await finished;
    clearTimeout(timeout);
    const cpu = meter.stop(total);
    conditions["latencyCpu"] = cpu;
    if (failure) throw failure;
    const measured = latency.subarray(warmup).slice().sort();
    const at = (p: number): number => measured[Math.min(measured.length - 1, Math.max(0, Math.ceil(p * measured.length) - 1))]!;
    conditions["latencyMaxProducerInFlight"] = maxInFlight;
    conditions["latencyRecordsPerPush"] = total / pushes;
    const lag = sendLag.subarray(warmup).slice().sort();
    const lagAt = (p: number): number => lag[Math.min(lag.length - 1, Math.max(0, Math.ceil(p * lag.length) - 1))]!;
    conditions["latencySendLagMs"] = { p50: lagAt(0.5), p99: lagAt(0.99), max: lag[lag.length - 1] };
    const label = `e2e latency (${rate.toLocaleString("en-US")} records/s open loop, ${seconds} s)`;
    figure(`${label} p50`, at(0.5), "ms");
    const lagText = `send lag of the bench itself p50 ${lagAt(0.5).toFixed(2)} ms, p99 ${lagAt(0.99).toFixed(2)} ms, max ${lag[lag.length - 1]!.toFixed(2)} ms`;
    figure(`${label} p99`, at(0.99), "ms", { op: "≤", value: 5 }, `${cpu.text}; ${(total / pushes).toFixed(1)} records per push; ${lagText}`);
    figure(`${label} p99.9`, at(0.999), "ms");
    figure(`${label} max`, measured[measured.length - 1]!, "ms");
  } finally {
    producer.close();
    consumer.close();
  }
}
