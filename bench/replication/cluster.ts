/**
 * The three-broker cluster the replication bench measures: three `edgelog serve` processes (the
 * compiled binary, or the command given) joined through one etcd with `controller.etcd.endpoints`,
 * `broker.id` and `edgelog.cluster.id`, each with its own data directory; and what the bench asks
 * of it: metadata, topic creation, waiting for full ISRs and for followers to catch up, a `kill -9`
 * of one broker and its restart on the same data.
 *
 * @example
 * ```ts
 * const cluster = await startCluster({ root, etcdEndpoint, command: [BINARY], overrides: [] });
 * await cluster.createTopic("rf3", 3, 3, { "min.insync.replicas": "2" });
 * const partitions = await cluster.fullIsr("rf3", 15_000);
 * await cluster.kill(partitions[0]!.leader);
 * await cluster.restart(partitions[0]!.leader);
 * await cluster.stop();
 * ```
 * @module
 */
import { mkdir, readdir } from "node:fs/promises";
import { join } from "node:path";
import process from "node:process";
import { BenchConnection, singleRecordBatch, type Frame } from "../ws/bench-client.ts";
import { startBroker, type BrokerProcess } from "../ws/broker-process.ts";

/** The broker ids of the cluster. */
export const BROKER_IDS: readonly number[] = [1, 2, 3];

/**
 * One partition as `metadata` describes it.
 *
 * @example
 * ```ts
 * const p: PartitionInfo = { partition: 0, leader: 2, leaderEpoch: 1, replicas: [2, 3, 1], isr: [2, 3, 1] };
 * ```
 */
export interface PartitionInfo {
  partition: number;
  leader: number;
  leaderEpoch: number;
  replicas: number[];
  isr: number[];
}

/**
 * Options of {@link startCluster}.
 *
 * @example
 * ```ts
 * const options: ClusterOptions = { root: "/tmp/r", etcdEndpoint: "http://127.0.0.1:2379", command: ["dist/edgelog"], overrides: [] };
 * ```
 */
export interface ClusterOptions {
  /** Each broker's data goes to `<root>/broker-<id>`. */
  root: string;
  etcdEndpoint: string;
  /** The program and leading arguments before `serve`. */
  command: readonly string[];
  /** More `key=value` settings for every broker. */
  overrides: readonly string[];
}

/**
 * A running cluster.
 *
 * @example
 * ```ts
 * cluster.brokers.get(1)!.url; // "ws://127.0.0.1:40123"
 * ```
 */
export interface BenchCluster {
  readonly clusterId: string;
  /** The running brokers by id (a killed broker is absent until restarted). */
  readonly brokers: ReadonlyMap<number, BrokerProcess>;
  /** The pids of the running brokers. */
  pids(): number[];
  /** A connection to some running broker, for metadata and topic administration. */
  admin(): Promise<BenchConnection>;
  /** The partitions of `topic` as a running broker sees them, by partition number. */
  partitions(topic: string): Promise<PartitionInfo[]>;
  /** The broker id of the controller as a running broker sees it (-1 when none). */
  controllerId(): Promise<number>;
  createTopic(topic: string, partitions: number, replicationFactor: number, configs?: Record<string, string>): Promise<void>;
  /** Deletes topics and waits until no running broker's data directory holds their logs. */
  deleteTopics(topics: readonly string[], limitMs: number): Promise<void>;
  /**
   * Waits until every partition has a leader that takes writes (one record, acks=1: metadata names
   * a leader a moment before that broker has taken up the role, as in Kafka) and every replica in
   * its ISR; rejects after `limitMs`.
   */
  fullIsr(topic: string, limitMs: number): Promise<PartitionInfo[]>;
  /** Waits until every replica's log of every partition ends where the leader's does. */
  caughtUp(topic: string, limitMs: number): Promise<void>;
  /** SIGKILL to the broker's process group; resolves with performance.now() just before the signal. */
  kill(id: number): Promise<number>;
  /** Starts a killed broker again on its data directory (a new port; it registers its new URL). */
  restart(id: number): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts three brokers and waits until every one sees all three registered.
 *
 * @example
 * ```ts
 * const cluster = await startCluster(options);
 * ```
 */
export async function startCluster(options: ClusterOptions): Promise<BenchCluster> {
  const clusterId = `bench-replication-${process.pid}-${Date.now()}`;
  const brokers = new Map<number, BrokerProcess>();
  let adminConn: { conn: BenchConnection; brokerId: number } | undefined;

  const start = async (id: number): Promise<BrokerProcess> => {
    const dataDir = join(options.root, `broker-${id}`);
    await mkdir(dataDir, { recursive: true });
    const broker = await startBroker({
      dataDir,
      command: options.command,
      overrides: [`broker.id=${id}`, `controller.etcd.endpoints=${options.etcdEndpoint}`, `edgelog.cluster.id=${clusterId}`, ...options.overrides],
    });
    brokers.set(id, broker);
    return broker;
  };

  const admin = async (): Promise<BenchConnection> => {
    if (adminConn !== undefined && brokers.has(adminConn.brokerId) && adminConn.conn.ws.readyState === WebSocket.OPEN) return adminConn.conn;
    adminConn?.conn.close();
    adminConn = undefined;
    for (const [id, broker] of brokers) {
      try {
        adminConn = { conn: await BenchConnection.open(broker.url), brokerId: id };
        return adminConn.conn;
      } catch {
        // try the next broker
      }
    }
    throw new Error("No broker of the cluster answers");
  };

  const metadata = async (topics: string[]): Promise<Frame> => (await admin()).call("metadata", { topics });

  const partitions = async (topic: string): Promise<PartitionInfo[]> => {
    const reply = await metadata([topic]);
    const described = (reply["topics"] as Frame[])[0]!;
    if (described["error"] !== undefined) throw new Error(`metadata ${topic}: ${JSON.stringify(described["error"])}`);
    return [...(described["partitions"] as PartitionInfo[])].sort((a, b) => a.partition - b.partition);
  };

  const cluster: BenchCluster = {
    clusterId,
    brokers,
    pids: () => [...brokers.values()].map((b) => b.pid),
    admin,
    partitions,
    async controllerId() {
      return (await metadata([]))["controllerId"] as number;
    },
    async createTopic(topic, count, replicationFactor, configs = {}) {
      const reply = await (await admin()).call("createTopics", { topics: [{ topic, numPartitions: count, replicationFactor, configs }] });
      const result = (reply["topics"] as Frame[])[0]!;
      if (result["error"] !== undefined) throw new Error(`createTopics ${topic}: ${JSON.stringify(result["error"])}`);
    },
    async deleteTopics(topics, limitMs) {
      const reply = await (await admin()).call("deleteTopics", { topics });
      for (const result of reply["topics"] as Frame[]) {
        if (result["error"] !== undefined) throw new Error(`deleteTopics ${String(result["topic"])}: ${JSON.stringify(result["error"])}`);
      }
      await eventually(`the logs of ${topics.join(", ")} removed`, limitMs, async () => {
        for (const id of brokers.keys()) {
          const left = (await readdir(join(options.root, `broker-${id}`))).filter((name) => topics.some((t) => name.startsWith(`${t}-`)));
          if (left.length > 0) throw new Error(`broker ${id} still has ${left.join(", ")}`);
        }
      });
    },
    async fullIsr(topic, limitMs) {
      return await eventually(`every replica of ${topic} in its ISR`, limitMs, async () => {
        const list = await partitions(topic);
        for (const p of list) {
          if (p.leader < 0 || !brokers.has(p.leader)) throw new Error(`partition ${p.partition} has no live leader: ${JSON.stringify(p)}`);
          if (p.isr.length !== p.replicas.length) throw new Error(`partition ${p.partition}: ISR [${p.isr.join(",")}] of replicas [${p.replicas.join(",")}]`);
        }
        await Promise.all(list.map((p) => probeWrite(brokers.get(p.leader)!, topic, p.partition)));
        return list;
      });
    },
    async caughtUp(topic, limitMs) {
      await eventually(`the followers of ${topic} at their leader's log end`, limitMs, async () => {
        const list = await partitions(topic);
        const ends = new Map<number, Map<number, number>>();
        for (const id of new Set(list.flatMap((p) => p.replicas))) {
          const broker = brokers.get(id);
          if (broker === undefined) throw new Error(`broker ${id} is down`);
          ends.set(id, await logEnds(broker, topic));
        }
        for (const p of list) {
          const leaderEnd = ends.get(p.leader)?.get(p.partition);
          for (const id of p.replicas) {
            const end = ends.get(id)?.get(p.partition);
            if (end !== leaderEnd) throw new Error(`partition ${p.partition}: broker ${id} at ${end}, leader ${p.leader} at ${leaderEnd}`);
          }
        }
      });
    },
    async kill(id) {
      const broker = brokers.get(id);
      if (broker === undefined) throw new Error(`broker ${id} is not running`);
      brokers.delete(id);
      if (adminConn?.brokerId === id) {
        adminConn.conn.close();
        adminConn = undefined;
      }
      const at = performance.now();
      try {
        process.kill(-broker.pid, "SIGKILL");
      } catch {
        // gone already
      }
      await broker.child.exited;
      return at;
    },
    async restart(id) {
      if (brokers.has(id)) throw new Error(`broker ${id} is running`);
      await start(id);
    },
    async stop() {
      adminConn?.conn.close();
      adminConn = undefined;
      await Promise.all([...brokers.values()].map((b) => b.stop()));
      brokers.clear();
    },
  };

  try {
    await Promise.all(BROKER_IDS.map((id) => start(id)));
    await eventually("three registered brokers", 30_000, async () => {
      const listed = ((await metadata([]))["brokers"] as Frame[]).map((b) => b["brokerId"] as number).sort();
      if (listed.join(",") !== BROKER_IDS.join(",")) throw new Error(`brokers [${listed.join(",")}]`);
    });
  } catch (error) {
    await cluster.stop();
    throw error;
  }
  return cluster;
}

/** The log end offsets of `topic`'s partitions that `broker` holds, from its `/admin/topics/<topic>`. */
/** Produces one record to `topic`-`partition` on `broker` with acks=1; rejects on any error. */
async function probeWrite(broker: BrokerProcess, topic: string, partition: number): Promise<void> {
  const conn = await BenchConnection.open(broker.url);
  try {
    const reply = await conn.call("produce", { acks: 1, timeoutMs: 5_000, topic, partitions: [{ partition, batches: singleRecordBatch() }] });
    const error = (reply["partitions"] as Frame[] | undefined)?.[0]?.["error"];
    if (error !== undefined) throw new Error(`partition ${partition} at ${broker.url}: ${JSON.stringify(error)}`);
  } finally {
    conn.close();
  }
}

async function logEnds(broker: BrokerProcess, topic: string): Promise<Map<number, number>> {
  const url = `${broker.url.replace(/^ws/, "http")}/admin/topics/${encodeURIComponent(topic)}`;
  const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
  if (!response.ok) throw new Error(`${url}: ${response.status}`);
  const body = (await response.json()) as { partitions: { partition: number; logEndOffset: number | null }[] };
  const ends = new Map<number, number>();
  for (const p of body.partitions) if (p.logEndOffset !== null) ends.set(p.partition, p.logEndOffset);
  return ends;
}

/**
 * Runs `check` every 50 ms until it resolves; rejects with its last error after `limitMs`.
 *
 * @example
 * ```ts
 * await eventually("a leader", 10_000, async () => { if ((await cluster.partitions("t"))[0]!.leader < 0) throw new Error("none"); });
 * ```
 */
export async function eventually<T>(what: string, limitMs: number, check: () => Promise<T>): Promise<T> {
  const deadline = performance.now() + limitMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (performance.now() > deadline) {
        throw new Error(`Waiting for ${what} took over ${limitMs} ms: ${error instanceof Error ? error.message : String(error)}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}
