/**
 * Replication benchmark (issue #6): three brokers on this machine (the compiled `dist/edgelog`,
 * rebuilt when older than the sources; Node via tsx when it cannot be built) joined into one
 * cluster through a throwaway etcd, everything on 127.0.0.1, data in a temporary directory, fsync
 * left to the OS page cache (the brokers' defaults), replication settings at Kafka's defaults.
 *
 * 1. Produce throughput to three topics of three partitions on the same cluster: RF 1 acks=1,
 *    RF 3 acks=1 and RF 3 acks=all (min.insync.replicas=2). Leaders are spread: Kafka's assignment
 *    gives each broker the lead of one partition of each topic, and one producer connection per
 *    partition writes straight to its leader, batches of 1000 × 100 B records, 16 requests in flight
 *    each. Runs interleave (RF1, RF3 acks=1, RF3 acks=all, RF1, ...) so that machine noise hits all
 *    alike; each counts the replies of a measured interval after a warm-up, once the followers of the
 *    previous run have caught up. Reported: medians, and RF3 acks=all / RF1 (target ≥ 40 %; Kafka's
 *    2014 figure was 51 %).
 * 2. One producer, Kafka's 2014 measurement (single-producer-phase.ts): edgelog's client in this
 *    process sends 100-byte records one send() at a time to six partitions, batchSize 8196; RF 1
 *    against RF 3 acks=all, interleaved. Here the producer sets the pace, as in the run behind
 *    Kafka's 51 %, and replication costs what the acknowledgements wait for; phase 1 saturates the
 *    brokers instead and measures what replication costs their CPU.
 * 3. Fail-over: a producer writes acks=all to a partition with RF 3 and min.insync.replicas=2; its
 *    leader is killed with SIGKILL; measured is kill → first acknowledgement from the new leader
 *    (target ≤ 2 × broker.session.timeout.ms, default 9000 ms), split into lease expiry, election and
 *    client rediscovery through a watch on etcd (failover-phase.ts). The killed broker is restarted
 *    and back in the ISR before the next repetition.
 *
 * Prints a table and writes bench/results/replication-<date>.json with every run, the conditions and
 * the load average. Every process it starts runs in its own process group and is killed at the end,
 * also on failure.
 *
 * @example
 * ```sh
 * npm run bench:replication                # bun bench/replication.ts, about 2 minutes
 * BENCH_QUICK=1 bun bench/replication.ts   # one repetition of each, shorter runs: a smoke run
 * BENCH_ONLY=throughput bun bench/replication.ts   # or: single, failover (comma-separated)
 * BENCH_ONLY=throughput BENCH_CONFIGS=rf3all bun bench/replication.ts   # one configuration (rf1, rf3acks1, rf3all), e.g. under a profiler
 * BENCH_BROKER="bun src/cli/main.ts" bun bench/replication.ts   # another broker command
 * BENCH_OVERRIDES=replica.fetch.max.bytes=262144 bun bench/replication.ts   # broker settings (comma-separated key=value)
 * ```
 * @module
 */
import { execFileSync } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { cpus, loadavg, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { median } from "./run/measure.ts";
import { startCluster, type BenchCluster } from "./replication/cluster.ts";
import { startEtcd } from "./replication/etcd-process.ts";
import { failovers, type FailoverRep } from "./replication/failover-phase.ts";
import { RETRY_BACKOFF_MS } from "./replication/failover-producer.ts";
import {
  KAFKA_2014_BATCH_SIZE,
  SINGLE_PRODUCER_IN_FLIGHT,
  SINGLE_PRODUCER_LINGER_MS,
  SINGLE_PRODUCER_PENDING,
  singleProducerRun,
  type SingleProducerRun,
} from "./replication/single-producer-phase.ts";
import { timedProduce, type TimedProduceRun } from "./replication/throughput-phase.ts";
import { batchOf, RECORD_BYTES } from "./ws/bench-client.ts";
import { BINARY, cleanUpOnExit, ensureBinary, killAll, ROOT } from "./ws/broker-process.ts";
import { figure, MiB, phase, printFigures, saveFigures } from "./ws/figures.ts";

const quick = process.env["BENCH_QUICK"] === "1";
const only = process.env["BENCH_ONLY"]?.split(",").map((p) => p.trim());
const brokerCommand = process.env["BENCH_BROKER"]?.split(" ").filter((w) => w.length > 0);
const runs = (name: string): boolean => only === undefined || only.includes(name);
/** BENCH_CONFIGS=rf3all (or rf1, rf3acks1; comma-separated) runs only those configurations, e.g. under a profiler. */
const configKeys = process.env["BENCH_CONFIGS"]?.split(",").map((k) => k.trim());

const BATCH_RECORDS = 1000;
const WINDOW = 16;
const PARTITIONS = 3;
const REPETITIONS = quick ? 1 : 5;
const WARMUP_MS = quick ? 500 : 1_000;
const MEASURE_MS = quick ? 1_500 : 3_000;
const FAILOVERS = quick ? 1 : 3;
const FAILOVER_BATCH_RECORDS = 100;
const FAILOVER_WINDOW = 4;
/** Kafka's default of broker.session.timeout.ms, left as it is on the brokers. */
const SESSION_TIMEOUT_MS = 9_000;
const RATIO_TARGET = 40;

/** The three configurations, in the order each repetition runs them. */
const ALL_CONFIGS = [
  { key: "rf1", label: "RF 1, acks=1", topic: "rf1-acks1", replicationFactor: 1, acks: 1 as const },
  { key: "rf3acks1", label: "RF 3, acks=1", topic: "rf3-acks1", replicationFactor: 3, acks: 1 as const },
  { key: "rf3all", label: "RF 3, acks=all (min.insync.replicas=2)", topic: "rf3-acksall", replicationFactor: 3, acks: -1 as const },
];
const CONFIGS = ALL_CONFIGS.filter((c) => configKeys === undefined || configKeys.includes(c.key));

let tempRoot: string | undefined;

function uptime(): string {
  try {
    return execFileSync("uptime", { encoding: "utf8" }).trim();
  } catch {
    return `load average: ${loadavg().map((l) => l.toFixed(2)).join(", ")}`;
  }
}

/** The broker command: BENCH_BROKER, else the binary (built when stale), else Node with tsx. */
function brokerProgram(conditions: Record<string, unknown>): readonly string[] {
  if (brokerCommand) return brokerCommand;
  try {
    conditions["binaryRebuilt"] = ensureBinary();
    return [BINARY];
  } catch (error) {
    console.log(`Cannot build dist/edgelog (${error instanceof Error ? error.message : String(error)}): running the brokers on Node with tsx`);
    return ["node", "--import", "tsx", join(ROOT, "src", "cli", "main.ts")];
  }
}

/** One run of phase 1 with the time its followers took to catch up afterwards. */
type ThroughputRun = TimedProduceRun & { catchUpMs: number };

/** Phase 1: interleaved repetitions of the three configurations. */
async function throughput(cluster: BenchCluster, etcdPid: number, conditions: Record<string, unknown>): Promise<void> {
  for (const c of CONFIGS) await cluster.createTopic(c.topic, PARTITIONS, c.replicationFactor, c.replicationFactor > 1 ? { "min.insync.replicas": "2" } : {});
  const leaders: Record<string, number[]> = {};
  for (const c of CONFIGS) {
    const list = await cluster.fullIsr(c.topic, 30_000);
    leaders[c.topic] = list.map((p) => p.leader);
    if (new Set(leaders[c.topic]).size !== PARTITIONS) console.log(`  note: the leaders of ${c.topic} are not spread: [${leaders[c.topic]!.join(",")}]`);
  }
  conditions["leaders"] = leaders;
  const batch = batchOf(BATCH_RECORDS);
  conditions["batchBytes"] = batch.length;
  const results = new Map<string, ThroughputRun[]>(CONFIGS.map((c) => [c.key, []]));
  for (let rep = 0; rep < REPETITIONS; rep++) {
    for (const c of CONFIGS) {
      const measured = await timedProduce(cluster, { topic: c.topic, acks: c.acks, batch, batchRecords: BATCH_RECORDS, window: WINDOW, warmupMs: WARMUP_MS, measureMs: MEASURE_MS, extraPids: [etcdPid] });
      // The next run starts once every follower holds what this one wrote (with acks=1 they lag).
      const caughtUpFrom = performance.now();
      await cluster.caughtUp(c.topic, 60_000);
      const run: ThroughputRun = { ...measured, catchUpMs: performance.now() - caughtUpFrom };
      results.get(c.key)!.push(run);
      const others = run.disturbance === null ? "" : `, others ${(run.disturbance * 100).toFixed(0)} %`;
      const produce = run.requests["produce"];
      console.log(
        `  ${rep + 1}/${REPETITIONS} ${c.label}: ${Math.round(run.recordsPerSecond).toLocaleString("en-US")} records/s, ${run.megabytesPerSecond.toFixed(1)} MB/s, ` +
          `broker CPU ${run.brokerUsPerRecord.toFixed(2)} µs/record${others}, load ${run.load1.toFixed(2)}` +
          `${produce ? `, produce latency ${produce.meanMs.toFixed(1)} ms` : ""}${c.replicationFactor > 1 ? `, followers caught up ${run.catchUpMs.toFixed(0)} ms after` : ""}`,
      );
    }
  }
  conditions["throughputRuns"] = Object.fromEntries(results);
  const med = (key: string, pick: (r: ThroughputRun) => number): number => median(results.get(key)!.map(pick));
  const cpu = (key: string): number => med(key, (r) => r.brokerUsPerRecord);
  for (const c of CONFIGS) {
    const values = results.get(c.key)!.map((r) => Math.round(r.recordsPerSecond).toLocaleString("en-US")).join(", ");
    figure(`${c.label}: produce (median)`, med(c.key, (r) => r.recordsPerSecond), "records/s", undefined, `runs ${values}; broker CPU ${cpu(c.key).toFixed(2)} µs/record (3 brokers + etcd)`);
    figure(`${c.label}: throughput (median)`, med(c.key, (r) => r.megabytesPerSecond), "MB/s");
  }
  if (CONFIGS.length < ALL_CONFIGS.length) return;
  const rf1 = med("rf1", (r) => r.recordsPerSecond);
  const perRep = (key: string): string =>
    results.get(key)!.map((r, i) => `${((r.recordsPerSecond / results.get("rf1")![i]!.recordsPerSecond) * 100).toFixed(0)}`).join(", ");
  figure("RF 3 acks=1 / RF 1", (med("rf3acks1", (r) => r.recordsPerSecond) / rf1) * 100, "%", undefined, `per repetition ${perRep("rf3acks1")} %; its followers lag during a run and catch up after it`);
  figure("RF 3 acks=all / RF 1", (med("rf3all", (r) => r.recordsPerSecond) / rf1) * 100, "%", { op: "≥", value: RATIO_TARGET },
    `per repetition ${perRep("rf3all")} %; Kafka's 2014 figure: 51 %; ` +
      `the CPU-bound ceiling, RF 1's broker CPU per record over RF 3 acks=all's, is ${((cpu("rf1") / cpu("rf3all")) * 100).toFixed(0)} %`);
}

/** Kafka's 2014 run: six partitions, one producer; RF 1 against RF 3 acks=all (min.insync.replicas=2). */
const SINGLE_CONFIGS = [
  { key: "rf1", label: "one producer, RF 1, acks=1", topic: "single-rf1", replicationFactor: 1, acks: 1 as const },
  { key: "rf3all", label: "one producer, RF 3, acks=all", topic: "single-rf3-acksall", replicationFactor: 3, acks: -1 as const },
];
const SINGLE_PARTITIONS = 6;

/** Phase 2: Kafka's 2014 measurement, one producer thread, interleaved repetitions. */
async function singleProducer(cluster: BenchCluster, conditions: Record<string, unknown>): Promise<void> {
  for (const c of SINGLE_CONFIGS) await cluster.createTopic(c.topic, SINGLE_PARTITIONS, c.replicationFactor, c.replicationFactor > 1 ? { "min.insync.replicas": "2" } : {});
  for (const c of SINGLE_CONFIGS) await cluster.fullIsr(c.topic, 30_000);
  conditions["singleProducer"] = {
    partitions: SINGLE_PARTITIONS,
    producer: `edgelog's client in the bench process, send() per 100-byte record, batchSize ${KAFKA_2014_BATCH_SIZE}, lingerMs ${SINGLE_PRODUCER_LINGER_MS}, maxInFlightRequests ${SINGLE_PRODUCER_IN_FLIGHT} per partition, at most ${SINGLE_PRODUCER_PENDING} records unacknowledged`,
  };
  const results = new Map<string, SingleProducerRun[]>(SINGLE_CONFIGS.map((c) => [c.key, []]));
  for (let rep = 0; rep < REPETITIONS; rep++) {
    for (const c of SINGLE_CONFIGS) {
      const run = await singleProducerRun(cluster, { topic: c.topic, acks: c.acks, warmupMs: WARMUP_MS, measureMs: MEASURE_MS });
      await cluster.caughtUp(c.topic, 60_000);
      results.get(c.key)!.push(run);
      console.log(`  ${rep + 1}/${REPETITIONS} ${c.label}: ${Math.round(run.recordsPerSecond).toLocaleString("en-US")} records/s, ${run.megabytesPerSecond.toFixed(1)} MB/s, producer CPU ${run.producerUsPerRecord.toFixed(2)} µs/record`);
    }
  }
  conditions["singleProducerRuns"] = Object.fromEntries(results);
  const rate = (key: string): number => median(results.get(key)!.map((r) => r.recordsPerSecond));
  for (const c of SINGLE_CONFIGS) {
    figure(`${c.label} (median)`, rate(c.key), "records/s", undefined, `runs ${results.get(c.key)!.map((r) => Math.round(r.recordsPerSecond).toLocaleString("en-US")).join(", ")}`);
  }
  const perRep = results.get("rf3all")!.map((r, i) => ((r.recordsPerSecond / results.get("rf1")![i]!.recordsPerSecond) * 100).toFixed(0)).join(", ");
  figure("one producer: RF 3 acks=all / RF 1", (rate("rf3all") / rate("rf1")) * 100, "%", { op: "≥", value: RATIO_TARGET }, `per repetition ${perRep} %; Kafka's 2014 figure, measured this way: 421,823 / 821,557 = 51 %`);
}

/** Phase 3: fail-overs under an acks=all producer. */
async function failover(cluster: BenchCluster, etcdEndpoint: string, conditions: Record<string, unknown>): Promise<void> {
  const reps: FailoverRep[] = await failovers(cluster, etcdEndpoint, {
    topic: "failover",
    repetitions: FAILOVERS,
    sessionTimeoutMs: SESSION_TIMEOUT_MS,
    batch: batchOf(FAILOVER_BATCH_RECORDS),
    window: FAILOVER_WINDOW,
    progress: (line) => console.log(`  ${line}`),
  });
  conditions["failovers"] = reps;
  const target = { op: "≤" as const, value: 2 * SESSION_TIMEOUT_MS };
  const totals = reps.map((r) => r.ackMs);
  figure(`fail-over: kill -9 leader → first ack on new leader (median of ${reps.length})`, median(totals), "ms", target, `runs ${totals.map((t) => t.toFixed(0)).join(", ")} ms`);
  figure("fail-over: max", Math.max(...totals), "ms", target);
  figure("  split: detection (kill → lease expired, registration gone)", median(reps.map((r) => r.registrationGoneMs)), "ms", undefined, `session ${SESSION_TIMEOUT_MS} ms = lease TTL ${SESSION_TIMEOUT_MS / 1000} s, keep-alive every TTL/3`);
  figure("  split: election (registration gone → new leader in etcd)", median(reps.map((r) => r.electedMs - r.registrationGoneMs)), "ms", undefined, `the killed broker was the controller in ${reps.filter((r) => r.wasController).length} of ${reps.length}`);
  figure("  split: client (new leader in etcd → first ack)", median(reps.map((r) => r.ackMs - r.electedMs)), "ms", undefined,
    `of which leader in etcd → in the producer's metadata ${median(reps.map((r) => r.seenMs - r.electedMs)).toFixed(0)} ms (retry backoff ${RETRY_BACKOFF_MS} ms), metadata → ack ${median(reps.map((r) => r.ackMs - r.seenMs)).toFixed(0)} ms`);
}

async function main(): Promise<void> {
  const startedAt = performance.now();
  const loadAtStart = uptime();
  const conditions: Record<string, unknown> = {
    quick,
    benchRuntime: `bun ${process.versions["bun"] ?? "?"}`,
    platform: `${process.platform} ${process.arch}`,
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model,
    totalMemoryMiB: Math.round(totalmem() / MiB),
    uptimeAtStart: loadAtStart,
    loadAverageAtStart: loadavg(),
    brokers: 3,
    recordBytes: RECORD_BYTES,
    batchRecords: BATCH_RECORDS,
    partitionsPerTopic: PARTITIONS,
    producers: `${PARTITIONS} connections, one per partition, each to its partition's leader`,
    leaderPlacement: "spread: Kafka's replica assignment gives each broker the lead of one partition of each topic",
    windowPerProducer: WINDOW,
    repetitions: REPETITIONS,
    order: "interleaved: RF1, RF3 acks=1, RF3 acks=all, RF1, ...",
    warmupMs: WARMUP_MS,
    measureMs: MEASURE_MS,
    failoverRepetitions: FAILOVERS,
    failoverProducer: `acks=all, ${FAILOVER_BATCH_RECORDS} × ${RECORD_BYTES} B per request, ${FAILOVER_WINDOW} in flight, retry backoff ${RETRY_BACKOFF_MS} ms`,
    brokerSettings: "defaults: broker.session.timeout.ms=9000, replica.fetch.wait.max.ms=500, replica.fetch.backoff.ms=1000, replica.lag.time.max.ms=30000, replica.fetch.max.bytes=1048576",
    fsyncPolicy: "OS page cache (log.flush.* at their defaults)",
    etcd: "single member, --unsafe-no-fsync, heartbeat 50 ms, election timeout 500 ms",
  };
  console.log(`edgelog replication benchmark${quick ? " (quick)" : ""}: ${conditions["benchRuntime"]} client; ${loadAtStart}\n`);
  const root = await mkdtemp(join(tmpdir(), "edgelog-bench-replication-"));
  tempRoot = root;
  try {
    const command = brokerProgram(conditions);
    conditions["brokerCommand"] = command.join(" ");
    const etcd = await startEtcd(join(root, "etcd"));
    const overrides = (process.env["BENCH_OVERRIDES"] ?? "").split(",").filter((o) => o !== "");
    conditions["brokerOverrides"] = overrides;
    const cluster = await startCluster({ root, etcdEndpoint: etcd.endpoint, command, overrides });
    conditions["brokerRuntime"] = [...cluster.brokers.values()][0]!.runtime;
    console.log(`cluster of 3 brokers (${conditions["brokerRuntime"]}) up in ${((performance.now() - startedAt) / 1000).toFixed(1)} s`);
    try {
      if (runs("throughput")) {
        await phase(["RF 3 acks=all / RF 1"], () => throughput(cluster, etcd.pid, conditions), "produce throughput");
        // A broker killed next recovers only what the fail-over writes, not this phase's gigabytes.
        await cluster.deleteTopics(CONFIGS.map((c) => c.topic), 60_000).catch((error: unknown) => console.log(`  deleting the throughput topics failed: ${String(error)}`));
      }
      if (runs("single")) {
        await phase(["one producer: RF 3 acks=all / RF 1"], () => singleProducer(cluster, conditions), "one producer (Kafka's 2014 measurement)");
        await cluster.deleteTopics(SINGLE_CONFIGS.map((c) => c.topic), 60_000).catch((error: unknown) => console.log(`  deleting the one-producer topics failed: ${String(error)}`));
      }
      if (runs("failover")) await phase(["fail-over: kill -9 leader"], () => failover(cluster, etcd.endpoint, conditions), "fail-over");
    } finally {
      await cluster.stop();
      await etcd.stop();
    }
  } finally {
    killAll();
    await rm(root, { recursive: true, force: true });
  }
  conditions["uptimeAtEnd"] = uptime();
  conditions["durationSeconds"] = Math.round((performance.now() - startedAt) / 1000);

  printFigures();
  console.log(`\nload: ${loadAtStart} → ${String(conditions["uptimeAtEnd"])}; ${String(conditions["durationSeconds"])} s in all`);
  await saveFigures("replication-", conditions);
}

cleanUpOnExit(() => tempRoot);
await main();
