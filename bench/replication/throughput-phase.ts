/**
 * One timed produce run of the replication bench: one producer connection per partition, each
 * connected straight to that partition's leader, sending batches of 1000 × 100 B records (encoded
 * once, as the WebSocket bench's batched produce phase) with a window of requests in flight, for a
 * warm-up and then a measured interval. Counted are the records whose produce reply arrived inside
 * the measured interval, so the figure is the steady rate, not the ramp-up or the drain. Meanwhile it
 * measures the CPU the brokers (and etcd) used per record and how much of the machine others used.
 *
 * @example
 * ```ts
 * const run = await timedProduce(cluster, { topic: "rf3-all", acks: -1, batch: batchOf(1000), batchRecords: 1000, window: 8, warmupMs: 1000, measureMs: 3000, extraPids: [etcd.pid] });
 * console.log(run.recordsPerSecond, run.megabytesPerSecond);
 * ```
 * @module
 */
import { loadavg } from "node:os";
import process from "node:process";
import { disturbanceMeter } from "../run/disturbance.ts";
import { BenchConnection, FrameTemplate, type Frame } from "../ws/bench-client.ts";
import { cpuMillis } from "../ws/broker-process.ts";
import { MB } from "../ws/figures.ts";
import type { BenchCluster } from "./cluster.ts";

/**
 * What {@link timedProduce} does.
 *
 * @example
 * ```ts
 * const options: TimedProduceOptions = { topic: "rf1", acks: 1, batch, batchRecords: 1000, window: 8, warmupMs: 1000, measureMs: 3000, extraPids: [] };
 * ```
 */
export interface TimedProduceOptions {
  topic: string;
  /** 1 or -1 (all). */
  acks: 1 | -1;
  /** One encoded RecordBatch, sent as it is in every request. */
  batch: Uint8Array;
  batchRecords: number;
  /** Requests in flight per producer. */
  window: number;
  warmupMs: number;
  measureMs: number;
  /** Processes besides the brokers that are part of the system under test (etcd). */
  extraPids: readonly number[];
}

/**
 * The outcome of one run.
 *
 * @example
 * ```ts
 * `${run.recordsPerSecond.toFixed(0)} records/s, broker CPU ${run.brokerUsPerRecord.toFixed(2)} µs/record`;
 * ```
 */
export interface TimedProduceRun {
  topic: string;
  acks: 1 | -1;
  /** Leader broker id of each partition, by partition. */
  leaders: number[];
  records: number;
  recordsPerSecond: number;
  megabytesPerSecond: number;
  /** CPU time of all brokers (and etcd) in the measured interval, per record acknowledged. */
  brokerUsPerRecord: number;
  /** The same per broker id. */
  brokerUsPerRecordById: Record<number, number>;
  clientUsPerRecord: number;
  /**
   * Requests the brokers answered in the measured interval by op, with their mean time from request
   * to reply, from each broker's `edgelog_request_latency_seconds` (client ops such as `produce`;
   * broker-internal ones such as `replicaFetch` are not in it).
   */
  requests: Record<string, { count: number; meanMs: number }>;
  /** Share of the machine's CPU others used in the measured interval (bench/run/disturbance.ts). */
  disturbance: number | null;
  load1: number;
}

interface Snapshot {
  at: number;
  acked: number;
  cpu: Map<number, number>;
  client: NodeJS.CpuUsage;
  latency: Promise<Map<string, { count: number; sum: number }>>;
}

/** The request counts and latency sums by op of every broker, added up, from their `/metrics`. */
async function requestLatency(urls: readonly string[]): Promise<Map<string, { count: number; sum: number }>> {
  const total = new Map<string, { count: number; sum: number }>();
  await Promise.all(
    urls.map(async (url) => {
      const text = await (await fetch(`${url.replace(/^ws/, "http")}/metrics`, { signal: AbortSignal.timeout(5_000) })).text();
      for (const match of text.matchAll(/^edgelog_request_latency_seconds_(sum|count)\{op="([^"]+)"\} (\S+)$/gm)) {
        const entry = total.get(match[2]!) ?? { count: 0, sum: 0 };
        entry[match[1] as "sum" | "count"] += Number(match[3]);
        total.set(match[2]!, entry);
      }
    }),
  );
  return total;
}

/**
 * Produces to every partition of `options.topic` at once, each from its own connection to the
 * partition's leader; rejects on any error reply.
 *
 * @example
 * ```ts
 * const run = await timedProduce(cluster, options);
 * ```
 */
export async function timedProduce(cluster: BenchCluster, options: TimedProduceOptions): Promise<TimedProduceRun> {
  const partitions = await cluster.partitions(options.topic);
  const leaders = partitions.map((p) => p.leader);
  const pidsById = new Map<number, number>();
  for (const [id, broker] of cluster.brokers) pidsById.set(id, broker.pid);
  const urls = [...cluster.brokers.values()].map((b) => b.url);
  const connections: BenchConnection[] = [];
  try {
    for (const p of partitions) {
      const broker = cluster.brokers.get(p.leader);
      if (broker === undefined) throw new Error(`partition ${p.partition} of ${options.topic} has no live leader`);
      connections.push(await BenchConnection.open(broker.url));
    }
    let acked = 0;
    let failure: Error | undefined;
    const started = performance.now();
    const measureFrom = started + options.warmupMs;
    const measureTo = measureFrom + options.measureMs;
    const snapshot = (): Snapshot => {
      const cpu = new Map<number, number>();
      for (const [id, pid] of pidsById) cpu.set(id, cpuMillis(pid));
      for (const pid of options.extraPids) cpu.set(-pid, cpuMillis(pid));
      const latency = requestLatency(urls);
      latency.catch(() => undefined);
      return { at: performance.now(), acked, cpu, client: process.cpuUsage(), latency };
    };
    let first: Snapshot | undefined;
    let last: Snapshot | undefined;
    let meter: { stop(): number | undefined } | undefined;
    let disturbance: number | undefined;
    const allPids = [...pidsById.values(), ...options.extraPids];
    // The interval's ends are marked by the first event past each boundary (a reply, or the timer
    // when no reply comes): a late timer on a busy machine neither loses nor stretches the interval.
    const mark = (): void => {
      const now = performance.now();
      if (first === undefined && now >= measureFrom) {
        first = snapshot();
        meter = disturbanceMeter(allPids);
      }
      if (first !== undefined && last === undefined && now >= measureTo) {
        last = snapshot();
        disturbance = meter?.stop();
      }
    };
    const startTimer = setTimeout(mark, options.warmupMs);
    const endTimer = setTimeout(mark, options.warmupMs + options.measureMs);

    await Promise.all(
      partitions.map(
        (p, k) =>
          new Promise<void>((resolve) => {
            const conn = connections[k]!;
            const template = new FrameTemplate(
              { op: "produce", acks: options.acks, timeoutMs: 30_000, topic: options.topic, partitions: [{ partition: p.partition, batches: options.batch }] },
              options.window * 2,
            );
            let sent = 0;
            let inFlight = 0;
            const onReply = (frame: Frame): void => {
              inFlight--;
              mark();
              const error = frame["error"] ?? (frame["partitions"] as Frame[] | undefined)?.[0]?.["error"];
              if (error !== undefined) failure ??= new Error(`produce to ${options.topic}-${p.partition} (acks=${options.acks}): ${JSON.stringify(error)}`);
              else acked += options.batchRecords;
              sendMore();
            };
            const sendMore = (): void => {
              while (failure === undefined && inFlight < options.window && performance.now() < measureTo) {
                const id = conn.nextId++;
                inFlight++;
                try {
                  conn.sendRaw(template.withId(sent++, id), id, onReply);
                } catch (error) {
                  inFlight--;
                  failure ??= error instanceof Error ? error : new Error(String(error));
                }
              }
              if (inFlight === 0) resolve();
            };
            sendMore();
          }),
      ),
    );
    clearTimeout(startTimer);
    clearTimeout(endTimer);
    mark();
    if (failure !== undefined) throw failure;
    if (first === undefined || last === undefined) throw new Error("The run ended before its measured interval");
    const records = last.acked - first.acked;
    if (records <= 0) throw new Error(`No produce reply within the measured ${options.measureMs} ms`);
    const seconds = (last.at - first.at) / 1000;
    const byId: Record<number, number> = {};
    let cpuMs = 0;
    for (const [key, before] of first.cpu) {
      const used = last.cpu.get(key)! - before;
      cpuMs += used;
      if (key > 0) byId[key] = (used * 1000) / records;
    }
    const [latencyBefore, latencyAfter] = await Promise.all([first.latency, last.latency]);
    const requests: Record<string, { count: number; meanMs: number }> = {};
    for (const [op, after] of latencyAfter) {
      const before = latencyBefore.get(op) ?? { count: 0, sum: 0 };
      const count = after.count - before.count;
      if (count > 0) requests[op] = { count, meanMs: ((after.sum - before.sum) / count) * 1000 };
    }
    const clientUs = last.client.user + last.client.system - first.client.user - first.client.system;
    return {
      topic: options.topic,
      acks: options.acks,
      leaders,
      records,
      recordsPerSecond: records / seconds,
      megabytesPerSecond: ((records / options.batchRecords) * options.batch.length) / MB / seconds,
      brokerUsPerRecord: (cpuMs * 1000) / records,
      brokerUsPerRecordById: byId,
      clientUsPerRecord: clientUs / records,
      requests,
      disturbance: disturbance ?? null,
      load1: loadavg()[0]!,
    };
  } finally {
    for (const conn of connections) conn.close();
  }
}
