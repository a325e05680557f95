/**
 * Phase 5 of the WebSocket bench, the broker process itself: the time from spawn to the listening
 * line and to the first hello reply on empty data dirs, its idle memory, and the extra memory of
 * many idle connections (opened by child processes, `connections-worker.ts`).
 *
 * @example
 * ```ts
 * await startupTimes(root, conditions, 7);
 * await memory(root, conditions, { connections: 10_000, workers: 2 });
 * ```
 * @module
 */
import { mkdtemp, rm } from "node:fs/promises";
import { join } from "node:path";
import process from "node:process";
import { BenchConnection } from "./bench-client.ts";
import { memoryOf, raisedLimitScript, ROOT, startBroker, startGroup, type BrokerProcess } from "./broker-process.ts";
import { figure, MB, MiB } from "./figures.ts";

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * Starts the broker `starts` times on empty data dirs and adds the medians of the time from spawn to
 * the listening line and to the first hello reply (target ≤ 20 ms each).
 *
 * @example
 * ```ts
 * await startupTimes(root, conditions, 7);
 * ```
 */
export async function startupTimes(root: string, conditions: Record<string, unknown>, starts: number): Promise<void> {
  const listening: number[] = [];
  const hello: number[] = [];
  for (let k = 0; k < starts; k++) {
    const dataDir = await mkdtemp(join(root, "start-"));
    const broker = await startBroker({ dataDir });
    try {
      listening.push(broker.listeningAt - broker.spawnedAt);
      const conn = await BenchConnection.open(broker.url);
      hello.push(performance.now() - broker.spawnedAt);
      conn.close();
    } finally {
      await broker.stop();
      await rm(dataDir, { recursive: true, force: true });
    }
  }
  conditions["startListeningMs"] = listening;
  conditions["startHelloMs"] = hello;
  figure(`start → listening (median of ${starts})`, median(listening), "ms", { op: "≤", value: 20 });
  figure(`start → first hello reply (median of ${starts})`, median(hello), "ms", { op: "≤", value: 20 });
}

/** The broker's `edgelog_connections` gauge. */
async function connectionGauge(broker: BrokerProcess): Promise<number> {
  const response = await fetch(`${broker.url.replace(/^ws/, "http").replace(/\/$/, "")}/metrics`);
  const match = /^edgelog_connections (\d+)/m.exec(await response.text());
  return match ? Number(match[1]) : -1;
}

/**
 * Adds the idle RSS of a fresh broker (target ≤ 50 MiB) and the extra RSS once `connections` idle
 * connections said hello (target ≤ 200 MiB), opened by `workers` child processes.
 *
 * @example
 * ```ts
 * await memory(root, conditions, { connections: 10_000, workers: 2 });
 * ```
 */
export async function memory(root: string, conditions: Record<string, unknown>, options: { connections: number; workers: number }): Promise<void> {
  const { connections, workers: workerCount } = options;
  const dataDir = await mkdtemp(join(root, "idle-"));
  const broker = await startBroker({ dataDir, raiseFdLimit: true });
  const workers: ReturnType<typeof startGroup>[] = [];
  try {
    await sleep(1000);
    const idleMemory = memoryOf(broker.pid);
    const idle = idleMemory.rss;
    conditions["idleMemoryBytes"] = idleMemory;
    figure("idle RSS (empty data dir, 1 s after start)", idle / MiB, "MiB", { op: "≤", value: 50 },
      `${(idle / MB).toFixed(1)} MB; anonymous ${(idleMemory.anon / MiB).toFixed(1)} MiB, file-backed (the executable's pages) ${(idleMemory.file / MiB).toFixed(1)} MiB`);
    const per = Math.ceil(connections / workerCount);
    const started = performance.now();
    for (let w = 0; w < workerCount; w++) {
      const count = Math.min(per, connections - w * per);
      const worker = join(ROOT, "bench", "ws", "connections-worker.ts");
      workers.push(startGroup("bash", ["-c", raisedLimitScript(), process.execPath, worker, broker.url, String(count)]));
    }
    let connected = 0;
    for (const worker of workers) {
      const { line } = await worker.waitForLine(/^connected /, 180_000);
      connected += Number(/^connected (\d+)/.exec(line)![1]);
    }
    conditions["idleConnectionsOpenMs"] = Math.round(performance.now() - started);
    await sleep(2000);
    const gauge = await connectionGauge(broker);
    const loadedMemory = memoryOf(broker.pid);
    const loaded = loadedMemory.rss;
    conditions["idleConnectionsMemoryBytes"] = loadedMemory;
    conditions["idleConnectionsGauge"] = gauge;
    if (connected < connections) throw new Error(`only ${connected} of ${connections} connections said hello`);
    const extra = (loaded - idle) / MiB;
    figure(`${connections.toLocaleString("en-US")} idle connections: extra RSS`, extra, "MiB", { op: "≤", value: 200 }, `${((loaded - idle) / connections / 1024).toFixed(1)} KiB each, gauge ${gauge}`);
  } finally {
    await Promise.all(workers.map((w) => w.stop(2000)));
    await broker.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
