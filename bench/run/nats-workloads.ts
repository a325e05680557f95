/**
 * The standard workloads run against NATS JetStream with the official clients (`@nats-io/jetstream`
 * over `@nats-io/transport-node` for TCP or `wsconnect` of `@nats-io/nats-core` for WebSocket),
 * streams on file storage with one replica:
 *
 * - persisted publish: async `js.publish` of 100 B messages keeping {@link NatsSizes.window}
 *   acks outstanding. JetStream has no batch publish, so a "batch of 1000" is 1000 async publishes
 *   to one stream; with 6 partitions, batch i goes to stream i mod 6 (one stream per partition);
 * - unbatched publish: the same sliding window of 1000 outstanding acks, one message per publish;
 * - consume: an ordered consumer (pull, `consume()` with a callback) reads a 1-million-message
 *   stream from its first message (the stream filled beforehand, unmeasured, by core publishes);
 * - end-to-end latency: an open loop publishes at a fixed rate, each message's latency counted from
 *   its scheduled send time to its arrival at an ordered consumer.
 *
 * @example
 * ```ts
 * const results = await natsSide(nats, "tcp", sizes, conditions);
 * ```
 * @module
 */
import { jetstream, jetstreamManager, StorageType, type JetStreamClient, type JetStreamManager } from "@nats-io/jetstream";
import { wsconnect, type NatsConnection } from "@nats-io/nats-core";
import { connect } from "@nats-io/transport-node";
import { cpuMeter, MiB } from "../ws/figures.ts";
import { memoryOf } from "../ws/broker-process.ts";
import { measure, measured, percentile, rssSampler, sleep, type SideResults } from "./measure.ts";
import type { NatsProcess } from "./nats-peer.ts";

/**
 * Volumes of the NATS workloads.
 *
 * @example
 * ```ts
 * const sizes: NatsSizes = { publish1: 300_000, publish6: 300_000, unbatched: 200_000, warmup: 20_000, consume: 1_000_000, window: 1000, batch: 1000, latencyRate: 10_000, latencySeconds: 10, latencyWarmupSeconds: 1, consumeMaxMessages: 10_000 };
 * ```
 */
export interface NatsSizes {
  /** Messages of the 1-stream persisted publish. */
  publish1: number;
  /** Messages of the 6-stream persisted publish. */
  publish6: number;
  /** Messages of the unbatched publish. */
  unbatched: number;
  /** Messages published (to a stream of their own) before the measured workloads. */
  warmup: number;
  /** Messages of the stream the consume workload reads from the start (filled beforehand with core publishes). */
  consume: number;
  /** Outstanding acks of every async publish workload. */
  window: number;
  /** Messages per nominal batch (to one stream). */
  batch: number;
  /** Messages per pull of the ordered consumer (`max_messages` of `consume()`). */
  consumeMaxMessages: number;
  latencyRate: number;
  latencySeconds: number;
  latencyWarmupSeconds: number;
}

/** The size of every message body (the record size on edgelog's side). */
const MESSAGE_BYTES = 100;

/** A 100-byte body; the first 4 bytes carry `index` (for the latency workload). */
function body(index = 0): Uint8Array {
  const bytes = new Uint8Array(MESSAGE_BYTES);
  for (let j = 0; j < MESSAGE_BYTES; j++) bytes[j] = (j * 7) & 0xff;
  new DataView(bytes.buffer).setUint32(0, index);
  return bytes;
}

/**
 * Connects the official client over `kind`.
 *
 * @example
 * ```ts
 * const nc = await openNats(nats, "ws");
 * ```
 */
export function openNats(nats: NatsProcess, kind: "ws" | "tcp"): Promise<NatsConnection> {
  const options = { name: "edgelog-bench", noEcho: true, maxReconnectAttempts: 0 };
  return kind === "ws" ? wsconnect({ servers: nats.wsUrl, ...options }) : connect({ servers: nats.tcpUrl, ...options });
}

async function addStream(jsm: JetStreamManager, name: string, subject: string): Promise<void> {
  await jsm.streams.add({ name, subjects: [subject], storage: StorageType.File, num_replicas: 1 });
}

/**
 * Publishes `count` messages keeping `window` acks outstanding, message i to `subjectOf(i)`; resolves
 * with the milliseconds from the first publish to the last ack.
 */
function publishWindow(js: JetStreamClient, count: number, window: number, subjectOf: (i: number) => string): Promise<number> {
  const payload = body();
  return new Promise((resolve, reject) => {
    let sent = 0;
    let acked = 0;
    let failed = false;
    const started = performance.now();
    const one = (): void => {
      const i = sent++;
      js.publish(subjectOf(i), payload).then(
        () => {
          if (failed) return;
          acked++;
          if (sent < count) one();
          else if (acked === count) resolve(performance.now() - started);
        },
        (error: unknown) => {
          failed = true;
          reject(error instanceof Error ? error : new Error(String(error)));
        },
      );
    };
    for (let k = 0; k < Math.min(window, count); k++) one();
  });
}

/** Stored messages of a stream (to check a workload wrote what it says). */
async function streamMessages(jsm: JetStreamManager, name: string): Promise<number> {
  return (await jsm.streams.info(name)).state.messages;
}

/**
 * Fills `stream` with `count` messages through plain (core) publishes to its subject, which the
 * stream stores like any other, in chunks that wait for the stream to catch up. Unmeasured: it only
 * prepares the partition the consume workload reads (much faster than acknowledged publishes).
 */
async function fillStream(nc: NatsConnection, jsm: JetStreamManager, stream: string, subject: string, count: number): Promise<void> {
  const payload = body();
  const chunk = 10_000;
  const deadline = performance.now() + 120_000;
  let sent = 0;
  while (sent < count) {
    const n = Math.min(chunk, count - sent);
    for (let k = 0; k < n; k++) nc.publish(subject, payload);
    sent += n;
    await nc.flush();
    while (sent - (await streamMessages(jsm, stream)) > 4 * chunk) {
      if (performance.now() > deadline) throw new Error(`filling ${stream}: the stream did not keep up`);
      await sleep(5);
    }
  }
  let stored = await streamMessages(jsm, stream);
  while (stored < count && performance.now() < deadline) {
    await sleep(20);
    stored = await streamMessages(jsm, stream);
  }
  if (stored !== count) throw new Error(`stream ${stream} holds ${stored} messages, ${count} published`);
}

/** Reads `count` messages of `stream` from its start with an ordered consumer; resolves with ms. */
async function consumeFromStart(js: JetStreamClient, stream: string, count: number, maxMessages: number): Promise<number> {
  const consumer = await js.consumers.get(stream);
  let received = 0;
  let expected = 1;
  let failure: Error | undefined;
  let finish: () => void = () => {};
  const finished = new Promise<void>((resolve) => (finish = resolve));
  const started = performance.now();
  const messages = await consumer.consume({
    max_messages: maxMessages,
    callback: (m) => {
      if (m.seq !== expected) failure ??= new Error(`ordered consumer: sequence ${m.seq}, expected ${expected}`);
      expected = m.seq + 1;
      if (++received >= count) finish();
    },
  });
  const timeout = setTimeout(() => (failure ??= new Error(`consume: only ${received} of ${count} within 120 s`), finish()), 120_000);
  await finished;
  const ms = performance.now() - started;
  clearTimeout(timeout);
  await messages.close();
  if (failure) throw failure;
  return ms;
}

/** The open-loop latency workload; returns sorted latencies (ms) and the send lag percentiles. */
async function openLoopLatency(js: JetStreamClient, jsm: JetStreamManager, sizes: NatsSizes, stream: string): Promise<{ sorted: Float64Array; lagP99: number }> {
  const { latencyRate: rate, latencySeconds: seconds, latencyWarmupSeconds: warmupSeconds } = sizes;
  const subject = stream.toLowerCase();
  await addStream(jsm, stream, subject);
  const warmup = rate * warmupSeconds;
  const total = warmup + rate * seconds;
  const interval = 1000 / rate;
  const latency = new Float64Array(total).fill(Number.NaN);
  const sendLag = new Float64Array(total);
  let received = 0;
  let failure: Error | undefined;
  let finish: () => void = () => {};
  const finished = new Promise<void>((resolve) => (finish = resolve));
  let t0 = Number.POSITIVE_INFINITY;
  const consumer = await js.consumers.get(stream);
  const messages = await consumer.consume({
    callback: (m) => {
      const now = performance.now();
      const i = new DataView(m.data.buffer, m.data.byteOffset, m.data.byteLength).getUint32(0);
      if (m.seq !== i + 1) failure ??= new Error(`latency: message ${i} stored at sequence ${m.seq}`);
      if (i < total && Number.isNaN(latency[i]!)) {
        latency[i] = now - (t0 + i * interval);
        received++;
      }
      if (received >= total) finish();
    },
  });
  let next = 0;
  t0 = performance.now() + 20;
  const tick = (): void => {
    const now = performance.now();
    while (next < total && t0 + next * interval <= now) {
      const i = next++;
      sendLag[i] = now - (t0 + i * interval);
      js.publish(subject, body(i)).catch((error: unknown) => {
        failure ??= error instanceof Error ? error : new Error(String(error));
        finish();
      });
    }
    if (next < total && !failure) setTimeout(tick, 1);
  };
  setTimeout(tick, 20);
  const timeout = setTimeout(() => (failure ??= new Error(`latency: ${received} of ${total} messages arrived`), finish()), (total / rate) * 1000 + 15_000);
  await finished;
  clearTimeout(timeout);
  await messages.close();
  if (failure) throw failure;
  const lag = sendLag.subarray(warmup).slice().sort();
  return { sorted: latency.subarray(warmup).slice().sort(), lagP99: percentile(lag, 0.99) };
}

/**
 * Runs every NATS workload over `kind` against a fresh server and returns its figures (idle RSS,
 * peak RSS under load, publish 1 and 6 streams, unbatched publish, consume, e2e latency); notes go
 * into `conditions`.
 *
 * @example
 * ```ts
 * const ws = await natsSide(nats, "ws", sizes, conditions);
 * ```
 */
export async function natsSide(nats: NatsProcess, kind: "ws" | "tcp", sizes: NatsSizes, conditions: Record<string, unknown>): Promise<SideResults> {
  const results: SideResults = {};
  const notes: Record<string, unknown> = {};
  conditions[`nats-${kind}`] = notes;
  await sleep(1000);
  const idle = memoryOf(nats.pid).rss;
  results.idleRss = measured(idle / MiB, "MiB", "1 s after start, empty store");
  const nc = await openNats(nats, kind);
  const sampler = rssSampler(nats.pid);
  try {
    const js = jetstream(nc);
    const jsm = await jetstreamManager(nc);
    // one publish run to its own stream first, unmeasured: the client's and the server's warm-up
    await addStream(jsm, "WARMUP", "warmup");
    await publishWindow(js, sizes.warmup, sizes.window, () => "warmup");
    /** Publishes `count` messages with the window; returns the rate and a note with the CPU used. */
    const timedPublish = async (label: string, count: number, subjectOf: (i: number) => string): Promise<{ perSecond: number; note: string }> => {
      const meter = cpuMeter(nats.pid);
      const ms = await publishWindow(js, count, sizes.window, subjectOf);
      const cpu = meter.stop(count);
      notes[`${label}Cpu`] = cpu;
      return { perSecond: (count / ms) * 1000, note: `${count.toLocaleString("en-US")} messages, ${sizes.window} acks outstanding; ${cpu.text}` };
    };
    const options = { pids: [nats.pid], retry: true };
    // each attempt writes to streams of its own
    const suffix = (attempt: number): string => (attempt === 0 ? "" : `_${attempt}`);
    await measure(results, ["publish1", "publish1Bytes"], `NATS (${kind}) publish, 1 stream`, options, async (attempt, into) => {
      const stream = `P1${suffix(attempt)}`;
      const subject = `p1${suffix(attempt)}`;
      await addStream(jsm, stream, subject);
      const count = sizes.publish1;
      const { perSecond, note } = await timedPublish("publish1", count, () => subject);
      const stored = await streamMessages(jsm, stream);
      if (stored !== count) throw new Error(`stream ${stream} holds ${stored} messages, ${count} published`);
      into.publish1 = measured(perSecond, "records/s", note);
      into.publish1Bytes = measured((perSecond * MESSAGE_BYTES) / 1e6, "MB/s", "message bodies");
    });
    await measure(results, ["publish6"], `NATS (${kind}) publish, 6 streams`, options, async (attempt, into) => {
      const subjects = Array.from({ length: 6 }, (_, p) => `p6${suffix(attempt)}.${p}`);
      for (let p = 0; p < 6; p++) await addStream(jsm, `P6${suffix(attempt)}_${p}`, subjects[p]!);
      const count = sizes.publish6;
      const { perSecond, note } = await timedPublish("publish6", count, (i) => subjects[Math.floor(i / sizes.batch) % 6]!);
      let stored = 0;
      for (let p = 0; p < 6; p++) stored += await streamMessages(jsm, `P6${suffix(attempt)}_${p}`);
      if (stored !== count) throw new Error(`the 6 streams hold ${stored} messages, ${count} published`);
      into.publish6 = measured(perSecond, "records/s", `${note}; batch i to stream i mod 6`);
    });
    await measure(results, ["unbatched"], `NATS (${kind}) unbatched publish`, options, async (attempt, into) => {
      const stream = `UNBATCHED${suffix(attempt)}`;
      const subject = `unbatched${suffix(attempt)}`;
      await addStream(jsm, stream, subject);
      const count = sizes.unbatched;
      const { perSecond, note } = await timedPublish("unbatched", count, () => subject);
      if ((await streamMessages(jsm, stream)) !== count) throw new Error(`stream ${stream} does not hold the ${count} messages published`);
      into.unbatched = measured(perSecond, "records/s", note);
    });
    await measure(results, ["consume"], `NATS (${kind}) consume ${(sizes.consume / 1e6).toFixed(1)}M from the start`, options, async (attempt, into) => {
      const stream = "CONSUME";
      if (attempt === 0) {
        await addStream(jsm, stream, "consume");
        await fillStream(nc, jsm, stream, "consume", sizes.consume);
      }
      const meter = cpuMeter(nats.pid);
      const ms = await consumeFromStart(js, stream, sizes.consume, sizes.consumeMaxMessages);
      const cpu = meter.stop(sizes.consume);
      notes["consumeCpu"] = cpu;
      into.consume = measured((sizes.consume / ms) * 1000, "records/s", `ordered consumer, max_messages ${sizes.consumeMaxMessages}; ${cpu.text}`);
    });
    await measure(results, ["e2eP50", "e2eP99", "e2eP999"], `NATS (${kind}) e2e latency`, options, async (attempt, into) => {
      const meter = cpuMeter(nats.pid);
      const { sorted, lagP99 } = await openLoopLatency(js, jsm, sizes, `LATENCY${suffix(attempt)}`);
      const cpu = meter.stop(sizes.latencyRate * (sizes.latencySeconds + sizes.latencyWarmupSeconds));
      notes["latencyCpu"] = cpu;
      notes["latencySendLagP99Ms"] = lagP99;
      notes["latencyMaxMs"] = sorted[sorted.length - 1];
      into.e2eP50 = measured(percentile(sorted, 0.5), "ms");
      into.e2eP99 = measured(percentile(sorted, 0.99), "ms", `${cpu.text}; send lag of the bench p99 ${lagP99.toFixed(2)} ms`);
      into.e2eP999 = measured(percentile(sorted, 0.999), "ms");
    });
  } finally {
    const peak = sampler.stop();
    results.loadRss = measured(peak / MiB, "MiB", "peak VmRSS sampled every 50 ms during the workloads");
    await nc.close();
  }
  return results;
}
