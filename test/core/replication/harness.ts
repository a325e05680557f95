/**
 * An in-process cluster for replication tests: brokers with their own memory file system, a
 * {@link FakeController}, {@link ReplicaManager}s talking through in-process clients over links the
 * test can pause, one manual clock. `settle()` lets every promise chain run to a standstill (nothing
 * in the cluster waits on real time).
 *
 * @example
 * ```ts
 * const cluster = await TestCluster.create({ brokers: [1, 2, 3] });
 * const { done } = await cluster.produce(["a", "b"], "all");
 * await cluster.settle();
 * await done;
 * ```
 * @module
 */
import { memoryFileSystem, type MemoryFileSystem } from "../../../src/adapters/memory/file-system.ts";
import { EdgelogError } from "../../../src/core/errors.ts";
import { openPartitionLog, type PartitionLog } from "../../../src/core/log/partition-log.ts";
import { manualClock, type ManualClock } from "../../../src/core/ports/clock.ts";
import { decodeRecordBatchSync } from "../../../src/core/record/record-batch.ts";
import { scanBatches } from "../../../src/core/record/scan-batches.ts";
import { inProcessFetchClient } from "../../../src/core/replication/in-process-fetch-client.ts";
import { ReplicaManager } from "../../../src/core/replication/replica-manager.ts";
import type { ReplicaFetchClientFactory } from "../../../src/core/replication/replica-transport.ts";
import type { ReplicationConfig } from "../../../src/core/replication/replication-config.ts";
import { batchOf, testConfig } from "../log/helpers.ts";
import { FakeController } from "./fake-controller.ts";

/** One broker of the test cluster. */
export interface TestBroker {
  id: number;
  fs: MemoryFileSystem;
  logs: Map<string, Promise<PartitionLog>>;
  manager: ReplicaManager | undefined;
}

/** Options of {@link TestCluster.create}. */
export interface ClusterOptions {
  brokers?: number[];
  topic?: string;
  /** The replicas, preferred leader first; default every broker. */
  replicas?: number[];
  minInsyncReplicas?: number;
  replication?: Partial<ReplicationConfig>;
  segmentBytes?: number;
}

/** Lets every pending promise chain run (a macrotask turn drains the microtask queue). */
export function settleOnce(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/** The test cluster. */
export class TestCluster {
  readonly clock: ManualClock = manualClock(1_700_000_000_000);
  readonly controller = new FakeController();
  readonly brokers = new Map<number, TestBroker>();
  readonly topic: string;
  readonly partition = 0;
  /** Every OffsetsForLeaderEpoch request sent, in order. */
  readonly epochQueries: Array<{ from: number; to: number; leaderEpoch: number }> = [];
  private readonly paused = new Set<string>();
  private readonly gates = new Set<() => void>();
  private readonly options: ClusterOptions;

  private constructor(options: ClusterOptions) {
    this.options = options;
    this.topic = options.topic ?? "t";
  }

  static async create(options: ClusterOptions = {}): Promise<TestCluster> {
    const cluster = new TestCluster(options);
    const ids = options.brokers ?? [1, 2, 3];
    for (const id of ids) {
      cluster.brokers.set(id, { id, fs: memoryFileSystem(), logs: new Map(), manager: undefined });
      cluster.controller.addBroker(id);
    }
    cluster.controller.createPartition(cluster.topic, cluster.partition, options.replicas ?? ids);
    for (const id of ids) await cluster.startManager(id);
    await cluster.settle();
    return cluster;
  }

  broker(id: number): TestBroker {
    const b = this.brokers.get(id);
    if (b === undefined) throw new Error(`no broker ${id}`);
    return b;
  }

  manager(id: number): ReplicaManager {
    const m = this.broker(id).manager;
    if (m === undefined) throw new Error(`broker ${id} is down`);
    return m;
  }

  /** The log of a broker (opened on demand). */
  log(id: number): Promise<PartitionLog> {
    return this.logFor(this.broker(id), this.topic, this.partition);
  }

  get leaderId(): number {
    return this.controller.state(this.topic, this.partition).leader;
  }

  /** Runs every promise chain to a standstill. */
  async settle(rounds = 3): Promise<void> {
    for (let i = 0; i < rounds; i++) await settleOnce();
  }

  /** Moves the clock in steps, settling after each. */
  async advance(ms: number, step = 100): Promise<void> {
    for (let done = 0; done < ms; done += step) {
      this.clock.advance(Math.min(step, ms - done));
      await this.settle(1);
    }
    await this.settle();
  }

  /**
   * A clean election of `id`, then time for followers that asked the new leader before it took over
   * (and were told NOT_LEADER_OR_FOLLOWER) to back off and ask again.
   */
  async elect(id: number): Promise<void> {
    this.controller.electLeader(this.topic, this.partition, id);
    await this.settle();
    await this.advance(1_000);
  }

  /** Requests from `from` to `to` wait until {@link resume}. */
  pause(from: number, to: number): void {
    this.paused.add(`${from}>${to}`);
  }

  /** Only fetches from `from` to `to` wait (OffsetsForLeaderEpoch still goes through). */
  pauseFetches(from: number, to: number): void {
    this.paused.add(`${from}>${to} fetch`);
  }

  resume(from: number, to: number): void {
    this.paused.delete(`${from}>${to}`);
    this.paused.delete(`${from}>${to} fetch`);
    for (const wake of [...this.gates]) wake();
  }

  resumeAll(): void {
    this.paused.clear();
    for (const wake of [...this.gates]) wake();
  }

  /**
   * Produces one batch of `values` to the leader as the produce handler does: acks=all refuses with
   * NOT_ENOUGH_REPLICAS below min.insync.replicas before appending, then waits for the replicas.
   */
  async produce(values: string[], acks: "all" | 1, timeoutMs = 30_000): Promise<{ baseOffset: number; lastOffset: number; done: Promise<void> }> {
    const leader = this.manager(this.leaderId);
    const state = leader.requireLeader(this.topic, this.partition);
    const log = state.log;
    if (acks === "all") {
      const isr = leader.inSyncReplicas(this.topic, this.partition);
      if (isr.length < log.config.minInsyncReplicas) {
        throw new EdgelogError("NOT_ENOUGH_REPLICAS", `ISR [${isr.join(",")}] is below min.insync.replicas ${log.config.minInsyncReplicas}`);
      }
    }
    const info = await log.append(batchOf(values, { timestamp: this.clock.now() }), { leaderEpoch: leader.leaderEpoch(this.topic, this.partition) });
    const done = acks === "all" ? leader.waitForReplicas(this.topic, this.partition, info.lastOffset + 1, timeoutMs) : Promise.resolve();
    done.catch(() => undefined);
    return { baseOffset: info.baseOffset, lastOffset: info.lastOffset, done };
  }

  /**
   * Crashes a broker: it stops answering, the controller fences it, its replication stops and its
   * file system loses what `keepUnsynced` says.
   */
  async crash(id: number, keepUnsynced: "none" | "all" | "random" = "random", random: () => number = Math.random): Promise<void> {
    const broker = this.broker(id);
    const manager = broker.manager;
    broker.manager = undefined;
    broker.fs.crash({ keepUnsynced, random });
    broker.logs.clear();
    this.controller.brokerDown(id);
    for (const wake of [...this.gates]) wake();
    await manager?.close();
    await this.settle();
  }

  /**
   * Restarts a broker so quickly that the controller does not notice (it stays in the ISR): its
   * process stops (written data survives) and comes back with recovered logs and a new manager.
   */
  async bounce(id: number): Promise<void> {
    const broker = this.broker(id);
    const manager = broker.manager;
    broker.manager = undefined;
    broker.fs.crash({ keepUnsynced: "all" });
    broker.logs.clear();
    await manager?.close();
    await this.startManager(id);
    await this.settle();
  }

  /** Brings a crashed broker back: logs recovered from its file system, a new replica manager. */
  async restart(id: number): Promise<void> {
    await this.startManager(id);
    this.controller.brokerUp(id);
    await this.settle();
  }

  /** Stops every broker's replication and closes the logs of those still up. */
  async shutdown(): Promise<void> {
    for (const broker of this.brokers.values()) {
      const manager = broker.manager;
      broker.manager = undefined;
      await manager?.close();
      for (const log of broker.logs.values()) await (await log).close();
    }
  }

  /** The CRCs and offsets of a log's batches in [logStart, upTo). */
  async batches(id: number, upTo?: number): Promise<Array<{ base: number; last: number; epoch: number; crc: number }>> {
    const log = await this.log(id);
    const end = upTo ?? log.logEndOffset;
    const out: Array<{ base: number; last: number; epoch: number; crc: number }> = [];
    let offset = log.logStartOffset;
    while (offset < end) {
      const read = await log.read(offset, { maxBytes: 1 << 20, maxOffset: end });
      if (read.bytes.length === 0) break;
      for (const h of scanBatches(read.bytes, 0, read.bytes.length, { checkCrc: true }).batches) {
        out.push({ base: h.baseOffset, last: h.lastOffset, epoch: h.partitionLeaderEpoch, crc: h.crc });
      }
      offset = read.nextOffset;
    }
    return out;
  }

  /** Each record's value by offset, from the whole log. */
  async values(id: number): Promise<Map<number, string>> {
    const log = await this.log(id);
    const out = new Map<number, string>();
    let offset = log.logStartOffset;
    while (offset < log.logEndOffset) {
      const read = await log.read(offset, { maxBytes: 1 << 20, maxOffset: log.logEndOffset });
      if (read.bytes.length === 0) break;
      for (const h of scanBatches(read.bytes, 0, read.bytes.length).batches) {
        const batch = decodeRecordBatchSync(read.bytes, h.offset);
        for (const r of batch.records) out.set(r.offset, r.value === null ? "" : new TextDecoder().decode(r.value));
      }
      offset = read.nextOffset;
    }
    return out;
  }

  private async startManager(id: number): Promise<void> {
    const broker = this.broker(id);
    const manager = new ReplicaManager({
      view: this.controller.view(id),
      clock: this.clock,
      clientFactory: this.clientFactory(id),
      logFor: (topic, partition) => this.logFor(broker, topic, partition),
      config: { replicaLagTimeMaxMs: 10_000, replicaFetchWaitMaxMs: 500, replicaFetchBackoffMs: 1_000, ...this.options.replication },
    });
    broker.manager = manager;
    await manager.start();
  }

  private logFor(broker: TestBroker, topic: string, partition: number): Promise<PartitionLog> {
    const key = `${topic}-${partition}`;
    let log = broker.logs.get(key);
    if (log === undefined) {
      const config = testConfig({ minInsyncReplicas: this.options.minInsyncReplicas ?? 2, segmentBytes: this.options.segmentBytes ?? 1 << 20 });
      log = openPartitionLog({ fs: broker.fs, clock: this.clock, dir: `data/${key}`, topic, partition, config });
      broker.logs.set(key, log);
    }
    return log;
  }

  /** In-process clients whose requests wait while their link is paused and fail while the target is down. */
  private clientFactory(from: number): ReplicaFetchClientFactory {
    return (target) => {
      const inner = inProcessFetchClient(() => this.brokers.get(target.id)?.manager);
      const gate = (signal: AbortSignal | undefined, fetch = false): Promise<void> =>
        new Promise((resolve, reject) => {
          const link = `${from}>${target.id}`;
          const check = (): void => {
            const aborted = signal?.aborted === true;
            const held = this.paused.has(link) || (fetch && this.paused.has(`${link} fetch`));
            if (!aborted && held && this.brokers.get(from)?.manager !== undefined) return;
            this.gates.delete(check);
            signal?.removeEventListener("abort", check);
            if (aborted) reject(new EdgelogError("NETWORK_EXCEPTION", "aborted"));
            else resolve();
          };
          this.gates.add(check);
          signal?.addEventListener("abort", check, { once: true });
          check();
        });
      return {
        async fetch(request, signal) {
          await gate(signal, true);
          return inner.fetch(request, signal);
        },
        offsetForLeaderEpoch: async (request, signal) => {
          await gate(signal);
          this.epochQueries.push({ from, to: target.id, leaderEpoch: request.leaderEpoch });
          return inner.offsetForLeaderEpoch(request, signal);
        },
        close: () => inner.close(),
      };
    };
  }
}
