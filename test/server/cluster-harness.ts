/**
 * In-process brokers of one cluster for tests: each runs `createBroker` on its own memory file
 * system, is served by the Node adapter on 127.0.0.1 with a free port, and reaches the cluster's
 * metadata through its own client of ONE in-memory coordination store (etcd's semantics, system
 * clock). Brokers replicate over real WebSockets, as separate processes would.
 *
 * @example
 * ```ts
 * const cluster = clusterHarness();
 * const [b1, b2, b3] = await cluster.start([1, 2, 3]);
 * await b1!.kill();               // no graceful shutdown: its session expires
 * const again = await cluster.restart(1);
 * await cluster.stopAll();
 * ```
 */
import { memoryFileSystem, type MemoryFileSystem } from "../../src/adapters/memory/file-system.ts";
import { serveNode } from "../../src/adapters/node/serve.ts";
import { nodeWebSocketClass } from "../../src/adapters/node/websocket.ts";
import type { RunningServer } from "../../src/adapters/serve-options.ts";
import { memoryCoordinationStore, type MemoryCoordination } from "../../src/core/cluster/memory-coordination.ts";
import { parseBrokerConfig } from "../../src/core/config/broker-config.ts";
import type { PartitionLog } from "../../src/core/log/partition-log.ts";
import { scanBatches } from "../../src/core/record/scan-batches.ts";
import { createBroker, type Broker } from "../../src/server/broker.ts";
import { WsTestClient } from "../support/ws-test-client.ts";
import { untilPasses } from "../support/until-passes.ts";

/** The session timeout of the test brokers (a lease of 1 s). */
export const SESSION_TIMEOUT_MS = 1000;

/** Settings every test broker runs with: short sessions, quick fetches and backoffs. */
const CLUSTER_SETTINGS: Record<string, string> = {
  "log.dirs": "data",
  listeners: "ws://127.0.0.1:0",
  "edgelog.cluster.id": "test-cluster",
  "broker.session.timeout.ms": String(SESSION_TIMEOUT_MS),
  "replica.lag.time.max.ms": "2000",
  "replica.fetch.wait.max.ms": "200",
  "replica.fetch.backoff.ms": "50",
  "replica.high.watermark.checkpoint.interval.ms": "200",
  "group.initial.rebalance.delay.ms": "0",
  "offsets.topic.num.partitions": "3",
  "offsets.topic.replication.factor": "3",
};

/** One broker of the test cluster. */
export interface ClusterBroker {
  readonly id: number;
  readonly fs: MemoryFileSystem;
  readonly broker: Broker;
  readonly server: RunningServer;
  readonly store: MemoryCoordination;
  /** e.g. "ws://127.0.0.1:40123" */
  readonly url: string;
  /** Log lines, as "level message". */
  readonly logs: string[];
  /** A protocol client connected to this broker (hello done). */
  connect(): Promise<WsTestClient>;
  /** The local log of a partition, or undefined. */
  log(topic: string, partition: number): PartitionLog | undefined;
  /**
   * Dies without a graceful shutdown: its listener closes, its lease keeper and its replication
   * stop, nothing is revoked. The cluster learns of it when its session expires.
   */
  kill(): Promise<void>;
  /** Shuts down gracefully. */
  stop(): Promise<void>;
}

/** Creates a harness over a fresh in-memory store. */
export function clusterHarness(overrides: Record<string, string> = {}) {
  const store = memoryCoordinationStore();
  const brokers = new Map<number, ClusterBroker>();
  const dead = new Map<number, ClusterBroker>();
  const clients: WsTestClient[] = [];

  async function startOne(id: number, fs: MemoryFileSystem = memoryFileSystem()): Promise<ClusterBroker> {
    const { config } = parseBrokerConfig({ ...CLUSTER_SETTINGS, ...overrides, "broker.id": String(id) });
    const logs: string[] = [];
    const coordination = store.connect();
    const broker = await createBroker({
      fs,
      config,
      coordination,
      WebSocket: nodeWebSocketClass(),
      logger: (level, message) => void logs.push(`${level} ${message}`),
    });
    const server = await serveNode(broker, { hostname: "127.0.0.1", port: 0 });
    await broker.joinCluster(server.url);
    let stopped = false;
    const one: ClusterBroker = {
      id,
      fs,
      broker,
      server,
      store: coordination,
      url: server.url,
      logs,
      async connect() {
        const client = await WsTestClient.connect(server.url, { clientId: `test-${id}` });
        clients.push(client);
        return client;
      },
      log(topic, partition) {
        const replicas = broker.cluster!.replicas;
        return replicas.leaderState(topic, partition)?.log ?? replicas.follower(topic, partition)?.log;
      },
      async kill() {
        brokers.delete(id);
        dead.set(id, one);
        await server.close();
        await coordination.close();
        await broker.cluster!.replicas.close();
      },
      async stop() {
        if (stopped) return;
        stopped = true;
        brokers.delete(id);
        dead.delete(id);
        await broker.close();
        await server.close();
      },
    };
    brokers.set(id, one);
    return one;
  }

  return {
    store,
    brokers,
    /** Starts brokers one after the other. */
    async start(ids: number[]): Promise<ClusterBroker[]> {
      const started: ClusterBroker[] = [];
      for (const id of ids) started.push(await startOne(id));
      return started;
    },
    /** Cleans up a killed broker's process remains and starts it again on its data. */
    async restart(id: number): Promise<ClusterBroker> {
      const old = dead.get(id);
      if (old === undefined) throw new Error(`Broker ${id} was not killed`);
      await old.stop();
      return startOne(id, old.fs);
    },
    async stopAll(): Promise<void> {
      for (const client of clients.splice(0)) client.terminate();
      for (const broker of [...brokers.values(), ...dead.values()]) await broker.stop().catch(() => undefined);
    },
  };
}

/** The CRC of every stored batch of a log below `end`, in order. */
export async function batchCrcs(log: PartitionLog, end: number): Promise<number[]> {
  const crcs: number[] = [];
  let offset = log.logStartOffset;
  while (offset < end) {
    const read = await log.read(offset, { maxBytes: 1 << 20, maxOffset: end });
    if (read.bytes.length === 0) break;
    const scan = scanBatches(read.bytes, 0, read.bytes.length, { checkCrc: true });
    for (const batch of scan.batches) if (batch.baseOffset < end) crcs.push(batch.crc);
    offset = read.nextOffset;
  }
  return crcs;
}

/** Waits (in real time) until `check` passes, retrying its failures; rethrows the last one after `limitMs`. */
export function eventually<T>(check: () => T | Promise<T>, limitMs = 10_000): Promise<T> {
  return untilPasses(check, limitMs, 25);
}
