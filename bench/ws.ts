/**
 * WebSocket benchmark of the compiled broker (`dist/edgelog`, rebuilt first when missing or older
 * than the sources), everything on 127.0.0.1, data in a temporary directory, fsync left to the OS
 * page cache (the broker's defaults):
 *
 * 1. produce: one connection, batches of 1000 × 100 B records encoded once, acks=1, 16 requests in
 *    flight, one partition → records/s and MB/s (target ≥ 1,000,000 records/s);
 * 2. subscribe: one subscriber reads that partition (≥ 2M records) from earliest, topping its credit
 *    up as it consumes → records/s (target ≥ 2,000,000);
 * 3. unbatched: one record per request, 1000 requests in flight → records/s (target ≥ 70,000);
 * 4. end-to-end latency: an open loop of 10,000 records/s for 10 s, one record per request, each
 *    record's latency counted from its scheduled send time to its arrival at a subscriber (so stalls
 *    are not hidden) → p50, p99 (target ≤ 5 ms), p99.9, max;
 * 5. the broker's resident memory idle on an empty data dir (VmRSS 1 s after start, target ≤ 50 MiB;
 *    the note splits it into anonymous memory and the executable's file-backed pages), the time from
 *    spawn to the listening line and to the first hello reply (median of 7 starts, target ≤ 20 ms),
 *    and the extra memory of 10,000 idle connections that each said hello (target ≤ 200 MiB).
 *
 * Memory is in MiB (the kernel's kB are KiB); throughput in MB/s is 10^6 bytes of record batches per
 * second. Each throughput figure notes the CPU the broker and the bench used per record
 * (/proc/<pid>/stat and process.cpuUsage): on a shared machine that is steadier than records/s.
 *
 * Prints a table and writes bench/results/ws-<date>.json with the figures and the conditions. Every
 * process it starts runs in its own process group and is killed at the end, also on failure.
 *
 * @example
 * ```sh
 * npm run bench:ws                  # bun bench/ws.ts
 * BENCH_QUICK=1 bun bench/ws.ts     # smaller volumes, for a smoke run
 * BENCH_ONLY=unbatched,latency bun bench/ws.ts   # some phases: produce, subscribe, unbatched, latency, startup, memory
 * BENCH_BROKER="bun --cpu-prof-md --cpu-prof-dir=/tmp/prof src/cli/main.ts" BENCH_ONLY=unbatched bun bench/ws.ts  # profile
 * ```
 * BENCH_BROKER replaces the binary for phases 1–4 (the broker under load), e.g. to profile it.
 * @module
 */
import { mkdtemp, rm } from "node:fs/promises";
import { cpus, loadavg, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import process from "node:process";
import {
  batchOf,
  BenchConnection,
  createTopic,
  pipeline,
  producedOffset,
  produceTemplate,
  RECORD_BYTES,
  singleRecordBatch,
  type Frame,
} from "./ws/bench-client.ts";
import { cleanUpOnExit, ensureBinary, killAll, startBroker, type BrokerProcess } from "./ws/broker-process.ts";
import { cpuMeter, figure, MB, MiB, phase, printFigures, saveFigures } from "./ws/figures.ts";
import { endToEndLatency } from "./ws/latency-phase.ts";
import { memory, startupTimes } from "./ws/lifecycle-phases.ts";
import { SUBSCRIBE_CREDIT, subscribeAll } from "./ws/subscribe-phase.ts";

const quick = process.env["BENCH_QUICK"] === "1";
const only = process.env["BENCH_ONLY"]?.split(",").map((p) => p.trim());
const brokerCommand = process.env["BENCH_BROKER"]?.split(" ").filter((w) => w.length > 0);
/** Whether a phase runs (BENCH_ONLY lists phases; the subscribe phase reads what produce wrote). */
const runs = (name: string): boolean => only === undefined || only.includes(name) || (name === "produce" && only.includes("subscribe"));
const BATCH_RECORDS = 1000;
const PRODUCE_WINDOW = 16;
const PRODUCE_WARMUP_BATCHES = quick ? 50 : 300;
const PRODUCE_BATCHES = quick ? 500 : 3000;
const UNBATCHED_IN_FLIGHT = 1000;
const UNBATCHED_WARMUP = quick ? 5_000 : 30_000;
const UNBATCHED_REQUESTS = quick ? 30_000 : 300_000;
const LATENCY_RATE = 10_000;
const LATENCY_WARMUP_S = 1;
const LATENCY_SECONDS = quick ? 3 : 10;
const STARTS = 7;
const IDLE_CONNECTIONS = quick ? 1_000 : 10_000;
const CONNECTION_WORKERS = 2;
const FSYNC_POLICY = "OS page cache (log.flush.interval.messages and log.flush.interval.ms at their defaults: no fsync per append)";

/** The temporary directory of this run, removed also when a signal ends the run. */
let tempRoot: string | undefined;

/** Phase 1: batched produce; returns the log end offset of the partition. */
async function produceThroughput(conn: BenchConnection, brokerPid: number, topic: string, conditions: Record<string, unknown>): Promise<number> {
  const batch = batchOf(BATCH_RECORDS);
  conditions["batchBytes"] = batch.length;
  const template = produceTemplate(topic, batch, PRODUCE_WINDOW * 2);
  conditions["produceFrameBytes"] = template.byteLength;
  let expected = 0;
  const check = (reply: Frame): void => {
    const base = producedOffset(reply);
    if (base !== expected) throw new Error(`produce: base offset ${base}, expected ${expected}`);
    expected += BATCH_RECORDS;
  };
  await pipeline(conn, PRODUCE_WARMUP_BATCHES, PRODUCE_WINDOW, (i, id) => template.withId(i, id), check);
  const meter = cpuMeter(brokerPid);
  const ms = await pipeline(conn, PRODUCE_BATCHES, PRODUCE_WINDOW, (i, id) => template.withId(i, id), check);
  const records = PRODUCE_BATCHES * BATCH_RECORDS;
  const cpu = meter.stop(records);
  conditions["produceCpu"] = cpu;
  figure("produce, batched (1000 × 100 B, acks=1)", (records / ms) * 1000, "records/s", { op: "≥", value: 1_000_000 }, cpu.text);
  figure("produce, batched: throughput", ((PRODUCE_BATCHES * batch.length) / MB / ms) * 1000, "MB/s", undefined, "record batch bytes");
  return expected;
}

/** Phase 2: one subscriber reads the partition from earliest. */
async function subscribeThroughput(broker: BrokerProcess, topic: string, logEnd: number, conditions: Record<string, unknown>): Promise<void> {
  const meter = cpuMeter(broker.pid);
  const { ms, bytes } = await subscribeAll(broker.url, topic, logEnd);
  const cpu = meter.stop(logEnd);
  conditions["subscribeCpu"] = cpu;
  figure(`subscribe from earliest (${(logEnd / 1e6).toFixed(1)}M records)`, (logEnd / ms) * 1000, "records/s", { op: "≥", value: 2_000_000 }, cpu.text);
  figure("subscribe: throughput", (bytes / MB / ms) * 1000, "MB/s", undefined, "record batch bytes");
}

/** Phase 3: one record per request, 1000 in flight. */
async function unbatchedThroughput(conn: BenchConnection, brokerPid: number, topic: string, conditions: Record<string, unknown>): Promise<void> {
  const template = produceTemplate(topic, singleRecordBatch(), UNBATCHED_IN_FLIGHT * 2);
  let expected = 0;
  const check = (reply: Frame): void => {
    producedOffset(reply);
    expected++;
  };
  await pipeline(conn, UNBATCHED_WARMUP, UNBATCHED_IN_FLIGHT, (i, id) => template.withId(i, id), check);
  const meter = cpuMeter(brokerPid);
  const ms = await pipeline(conn, UNBATCHED_REQUESTS, UNBATCHED_IN_FLIGHT, (i, id) => template.withId(i, id), check);
  const cpu = meter.stop(UNBATCHED_REQUESTS);
  conditions["unbatchedCpu"] = cpu;
  figure("produce, unbatched (1 record/request, 1000 in flight)", (UNBATCHED_REQUESTS / ms) * 1000, "records/s", { op: "≥", value: 70_000 }, cpu.text);
}

async function main(): Promise<void> {
  const load = loadavg();
  const built = ensureBinary();
  const root = await mkdtemp(join(tmpdir(), "edgelog-bench-ws-"));
  tempRoot = root;
  const conditions: Record<string, unknown> = {
    quick,
    binaryRebuilt: built,
    benchRuntime: `bun ${process.versions["bun"] ?? "?"}`,
    platform: `${process.platform} ${process.arch}`,
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model,
    totalMemoryMiB: Math.round(totalmem() / MiB),
    loadAverageAtStart: load,
    recordBytes: RECORD_BYTES,
    batchRecords: BATCH_RECORDS,
    acks: 1,
    partitions: 1,
    produceWindow: PRODUCE_WINDOW,
    produceBatches: PRODUCE_BATCHES,
    subscribeCredit: SUBSCRIBE_CREDIT,
    unbatchedInFlight: UNBATCHED_IN_FLIGHT,
    unbatchedRequests: UNBATCHED_REQUESTS,
    latencyRate: LATENCY_RATE,
    latencySeconds: LATENCY_SECONDS,
    latencyWarmupSeconds: LATENCY_WARMUP_S,
    fsyncPolicy: FSYNC_POLICY,
    frames: "CBOR, request frames encoded once with the id patched per send",
  };
  console.log(`edgelog WebSocket benchmark${quick ? " (quick)" : ""}: ${conditions["benchRuntime"]} client, load average ${load.map((l) => l.toFixed(2)).join(" ")}\n`);
  try {
    const dataDir = await mkdtemp(join(root, "main-"));
    const broker = await startBroker({ dataDir, raiseFdLimit: true, ...(brokerCommand ? { command: brokerCommand } : {}) });
    conditions["brokerRuntime"] = broker.runtime;
    if (brokerCommand) conditions["brokerCommand"] = brokerCommand.join(" ");
    try {
      const conn = await BenchConnection.open(broker.url);
      let logEnd = 0;
      if (runs("produce")) await phase(["produce, batched"], async () => {
        await createTopic(conn, "bench-produce");
        logEnd = await produceThroughput(conn, broker.pid, "bench-produce", conditions);
      });
      if (logEnd > 0 && runs("subscribe")) await phase(["subscribe from earliest"], () => subscribeThroughput(broker, "bench-produce", logEnd, conditions));
      if (runs("unbatched")) await phase(["produce, unbatched"], async () => {
        await createTopic(conn, "bench-unbatched");
        await unbatchedThroughput(conn, broker.pid, "bench-unbatched", conditions);
      });
      conn.close();
      if (runs("latency")) await phase(["e2e latency"], () => endToEndLatency(broker, conditions, { rate: LATENCY_RATE, seconds: LATENCY_SECONDS, warmupSeconds: LATENCY_WARMUP_S }));
    } finally {
      await broker.stop();
    }
    if (runs("startup")) await phase(["start → listening", "start → first hello reply"], () => startupTimes(root, conditions, STARTS));
    if (runs("memory")) await phase(["idle RSS", "idle connections"], () => memory(root, conditions, { connections: IDLE_CONNECTIONS, workers: CONNECTION_WORKERS }));
  } finally {
    killAll();
    await rm(root, { recursive: true, force: true });
  }

  printFigures();
  await saveFigures("ws-", conditions);
}

cleanUpOnExit(() => tempRoot);
await main();
