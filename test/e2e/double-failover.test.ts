/**
 * Kafka's KIP-101 double fail-over with real processes: a test etcd and three `edgelog serve`
 * processes, a topic with replication factor 3 and min.insync.replicas=2, and high watermark
 * checkpoints so rare that every broker killed with SIGKILL comes back with a stale one.
 *
 * Each case builds the same state: records 0..N-1 committed with acks=all on all three; follower C
 * frozen (SIGSTOP, still in the ISR); a tail N..N+k-1 produced with acks=1 to leader A and fetched by
 * follower B, whose high watermark stays at N because C holds it back. Then A and B are killed, C
 * thaws and becomes the only replica, and it commits different records at the same offsets N.. under
 * a new leader epoch. The dead brokers come back in two orders:
 * - the old leader first, then B, while C leads;
 * - C killed too, then A and B first: with no in-sync replica alive there is no leader (no unclean
 *   election), until C comes back and leads again.
 * Each time the replicas must converge (A and B truncate their tail by leader epoch), no committed
 * record is lost, the high watermark a consumer sees from a leader never goes backwards, and after a
 * clean stop the three replicas hold the same batches below the high watermark.
 */
import { existsSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startEtcd, type EtcdServer } from "../support/etcd.ts";
import { batchOf, utf8, type Frame, type WsTestClient } from "../support/ws-test-client.ts";
import { BINARY_PATH, removeTempDirs, startBroker, TARGETS, type E2eBroker } from "./broker-matrix.ts";
import { expectIdenticalReplicas } from "./replica-logs.ts";
import { clusterBrokerSettings, describedAt, type DescribedPartition, fullIsr, untilPasses } from "./cluster-helpers.ts";

const SESSION_TIMEOUT_MS = 3000;
const BROKER_IDS = [1, 2, 3];
const COMMITTED = 20;
const TAIL = 5;
const TARGET = TARGETS.find((t) => t.name === (existsSync(BINARY_PATH) ? "binary" : "node"))!;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe("double fail-over with follower high watermarks behind their logs (KIP-101)", () => {
  let etcd: EtcdServer | undefined;
  const brokers = new Map<number, E2eBroker>();
  /** Each broker's log directory, by broker id. */
  const logDirs = (): Map<number, string> => new Map(BROKER_IDS.map((id) => [id, brokers.get(id)!.dataDir]));
  const clients: WsTestClient[] = [];
  /** Per topic: the high watermark at the end of its case, for the replica comparison. */
  const finalHighWatermarks = new Map<string, number>();

  /** Topic `topic`'s partition 0 as broker `id` describes it. */
  const describedBy = (id: number, topic: string): Promise<DescribedPartition> => describedAt(brokers.get(id)!.httpUrl, topic);

  /** Waits until broker `id` sees a leader and the full ISR of `topic`. */
  const fullIsrAt = (id: number, topic: string, limitMs: number): Promise<DescribedPartition> => fullIsr(brokers.get(id)!.httpUrl, topic, BROKER_IDS, limitMs);

  async function connect(id: number): Promise<WsTestClient> {
    const client = await brokers.get(id)!.connect({ timeoutMs: 10_000 });
    clients.push(client);
    return client;
  }

  /**
   * Produces `values` one record at a time to broker `id`; resolves with their offsets. Retries
   * NOT_LEADER_OR_FOLLOWER (refused before any append: the broker has not taken up a leadership
   * its view already shows) for up to 5 s; throws on any other error.
   */
  async function produce(id: number, topic: string, values: string[], acks: 1 | -1): Promise<Map<number, string>> {
    const client = await connect(id);
    const out = new Map<number, string>();
    try {
      for (const value of values) {
        const deadline = Date.now() + 5_000;
        for (;;) {
          const reply = await client.call("produce", {
            acks,
            timeoutMs: 5_000,
            topic,
            partitions: [{ partition: 0, batches: batchOf([{ key: null, value: utf8(value) }]) }],
          });
          const result = (reply["partitions"] as Frame[])[0]!;
          const error = result["error"] as Frame | undefined;
          if (error === undefined) {
            out.set(result["baseOffset"] as number, value);
            break;
          }
          if (error["code"] !== "NOT_LEADER_OR_FOLLOWER" || Date.now() > deadline) {
            throw new Error(`produce ${value} to broker ${id} failed: ${JSON.stringify(error)}`);
          }
          await sleep(100);
        }
      }
    } finally {
      client.terminate();
    }
    return out;
  }

  /**
   * Watches, every 100 ms, the high watermark each live broker that calls itself the leader of
   * `topic` would give a consumer; `stop()` looks once more and resolves with every drop below an
   * earlier one.
   */
  function watchHighWatermark(topic: string): { stop(): Promise<string[]>; highest(): number } {
    let highest = -1;
    const drops: string[] = [];
    let stopping = false;
    const loop = (async () => {
      for (;;) {
        const last = stopping;
        for (const id of BROKER_IDS) {
          const broker = brokers.get(id)!;
          if (broker.child.process.exitCode !== null || broker.child.process.signalCode !== null) continue;
          try {
            const response = await fetch(`${broker.httpUrl}/admin/topics/${topic}`, { signal: AbortSignal.timeout(500) });
            if (response.status !== 200) continue;
            const p = ((await response.json()) as { partitions: DescribedPartition[] }).partitions[0]!;
            if (p.leader !== id) continue;
            if (p.highWatermark < highest) drops.push(`broker ${id} leads ${topic} with high watermark ${p.highWatermark} after ${highest} was seen`);
            highest = Math.max(highest, p.highWatermark);
          } catch {
            // A stopped or frozen broker does not answer.
          }
        }
        if (last) return;
        await sleep(100);
      }
    })();
    return {
      highest: () => highest,
      async stop() {
        stopping = true;
        await loop;
        return drops;
      },
    };
  }

  /**
   * Builds the KIP-101 state on a fresh topic and leaves C the only live replica, leading with
   * records of its own at the offsets of the dead brokers' tail. Resolves with the records that
   * are committed (below a high watermark) and the brokers' roles.
   */
  async function divergedTails(topic: string): Promise<{ committed: Map<number, string>; a: number; b: number; c: number; cEnd: number }> {
    const created = await fetch(`${brokers.get(1)!.httpUrl}/admin/topics`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: topic, partitions: 1, replicationFactor: 3, configs: { "min.insync.replicas": 2 } }),
    });
    expect(created.status, await created.clone().text()).toBe(201);
    const a = (await fullIsrAt(1, topic, 15_000)).leader;
    const [b, c] = BROKER_IDS.filter((id) => id !== a) as [number, number];
    const committed = await produce(a, topic, Array.from({ length: COMMITTED }, (_, i) => `committed-${i}`), -1);
    expect([...committed.keys()]).toEqual(Array.from({ length: COMMITTED }, (_, i) => i));

    // C stops fetching but stays in the ISR; the acks=1 tail reaches A and B only.
    brokers.get(c)!.child.process.kill("SIGSTOP");
    let tail: Map<number, string>;
    try {
      tail = await produce(a, topic, Array.from({ length: TAIL }, (_, i) => `tail-${i}`), 1);
      const onB = await untilPasses(async () => {
        const p = await describedBy(b, topic);
        expect(p.logEndOffset, "B fetched the tail").toBe(COMMITTED + TAIL);
        return p;
      }, 2_000);
      expect(onB.highWatermark, "B's high watermark is held back by the frozen C").toBe(COMMITTED);
      await Promise.all([brokers.get(a)!.kill(), brokers.get(b)!.kill()]);
    } finally {
      brokers.get(c)!.child.process.kill("SIGCONT");
    }

    // C, the only live replica in the ISR, leads and commits other records at offsets N...
    const alone = await untilPasses(async () => {
      const p = await describedBy(c, topic);
      expect(p.leader, "C leads").toBe(c);
      expect(p.isr).toEqual([c]);
      return p;
    }, 4 * SESSION_TIMEOUT_MS);
    // A fetch reply in C's socket when it froze may have brought it the first of the tail.
    const cEnd = alone.logEndOffset;
    expect(cEnd, "C's log ends inside the tail A and B hold").toBeGreaterThanOrEqual(COMMITTED);
    expect(cEnd, "C's log ends inside the tail A and B hold").toBeLessThan(COMMITTED + TAIL);
    for (const [offset, value] of tail) if (offset < cEnd) committed.set(offset, value);
    const own = await produce(c, topic, Array.from({ length: TAIL + 3 }, (_, i) => `alone-${i}`), 1);
    expect(Math.min(...own.keys()), "C writes from where its log ended").toBe(cEnd);
    for (const [offset, value] of own) committed.set(offset, value);
    await untilPasses(async () => expect((await describedBy(c, topic)).highWatermark).toBe(cEnd + TAIL + 3), 2_000);
    return { committed, a, b, c, cEnd };
  }

  /** Full ISR, more acks=all records, and every committed record at its offset on the leader. */
  async function checkConverged(topic: string, committed: Map<number, string>, leader: number): Promise<void> {
    for (const id of BROKER_IDS) await fullIsrAt(id, topic, 20_000);
    for (const [offset, value] of await produce(leader, topic, ["after-0", "after-1", "after-2"], -1)) committed.set(offset, value);
    const hw = await untilPasses(async () => {
      const p = await describedBy(leader, topic);
      expect(p.highWatermark).toBe(p.logEndOffset);
      return p.highWatermark;
    }, 10_000);
    expect(hw).toBe(committed.size);
    finalHighWatermarks.set(topic, hw);
    for (const id of BROKER_IDS) {
      await untilPasses(async () => expect((await describedBy(id, topic)).logEndOffset, `log end of ${topic} on broker ${id}`).toBe(hw), 10_000);
    }
    const reader = await connect(leader);
    const reply = await reader.call("fetch", { topic, partition: 0, offset: 0, maxWaitMs: 0, format: "records", valueEncoding: "utf8" });
    const log = new Map((reply["records"] as { offset: number; value: string }[]).map((r) => [r.offset, r.value]));
    expect(log, `the log of ${topic} holds exactly the committed records`).toEqual(committed);
  }

  beforeAll(async () => {
    etcd = await startEtcd();
    const clusterId = `kip101-${process.pid}-${Date.now()}`;
    const started = await Promise.all(
      BROKER_IDS.map((id) =>
        startBroker(TARGET, {
          overrides: clusterBrokerSettings(id, etcd!.endpoint, clusterId, SESSION_TIMEOUT_MS, {
            "replica.lag.time.max.ms": "10000",
            "replica.fetch.wait.max.ms": "500",
            // Killed brokers come back with a stale high watermark: they must not truncate to it.
            "replica.high.watermark.checkpoint.interval.ms": "600000",
          }),
        }),
      ),
    );
    started.forEach((broker, i) => brokers.set(BROKER_IDS[i]!, broker));
    const admin = await connect(1);
    await untilPasses(async () => {
      const metadata = await admin.call("metadata", { topics: [] });
      expect((metadata["brokers"] as Frame[]).map((b) => b["brokerId"])).toEqual(BROKER_IDS);
    }, 20_000);
  });

  afterAll(async () => {
    for (const client of clients) client.terminate();
    for (const broker of brokers.values()) {
      broker.child.process.kill("SIGCONT");
      await broker.kill();
    }
    await etcd?.destroy();
    removeTempDirs();
  });

  test("the old leader restarted first, then the other follower: both truncate their tail by leader epoch and converge on the survivor's log", async () => {
    const topic = "kip101-leader-first";
    const watch = watchHighWatermark(topic);
    const { committed, a, b, c, cEnd } = await divergedTails(topic);
    brokers.set(a, await brokers.get(a)!.restart());
    await untilPasses(async () => expect([...(await describedBy(c, topic)).isr].sort()).toEqual([a, c].sort()), 15_000);
    brokers.set(b, await brokers.get(b)!.restart());
    await checkConverged(topic, committed, c);
    expect(await watch.stop()).toEqual([]);
    expect(watch.highest()).toBe(finalHighWatermarks.get(topic));
    for (const id of [a, b]) {
      expect(brokers.get(id)!.child.stdout.some((l) => l.includes(`Truncating ${topic}-0 from ${COMMITTED + TAIL} to ${cEnd}`)), `broker ${id} truncated its tail`).toBe(true);
    }
  });

  test("all three killed and the stale replicas restarted first: no leader until the last in-sync replica returns, then they converge on it", async () => {
    const topic = "kip101-survivor-last";
    const watch = watchHighWatermark(topic);
    const { committed, a, b, c, cEnd } = await divergedTails(topic);
    await brokers.get(c)!.kill();
    brokers.set(b, await brokers.get(b)!.restart());
    brokers.set(a, await brokers.get(a)!.restart());
    // Only C is in the ISR: A and B must not lead (no unclean election) however long C is away.
    await sleep(2 * SESSION_TIMEOUT_MS);
    for (const id of [a, b]) expect((await describedBy(id, topic)).leader, `leader as broker ${id} sees it while C is down`).not.toBeOneOf([a, b]);
    brokers.set(c, await brokers.get(c)!.restart());
    await untilPasses(async () => expect((await describedBy(c, topic)).leader).toBe(c), 4 * SESSION_TIMEOUT_MS);
    await checkConverged(topic, committed, c);
    expect(await watch.stop()).toEqual([]);
    expect(watch.highest()).toBe(finalHighWatermarks.get(topic));
    for (const id of [a, b]) {
      expect(brokers.get(id)!.child.stdout.some((l) => l.includes(`Truncating ${topic}-0 from ${COMMITTED + TAIL} to ${cEnd}`)), `broker ${id} truncated its tail`).toBe(true);
    }
  });

  test("after a clean stop the three replicas of each topic hold the same batches below the high watermark", async () => {
    expect([...finalHighWatermarks.keys()].sort()).toEqual(["kip101-leader-first", "kip101-survivor-last"]);
    for (const [id, broker] of brokers) expect(await broker.stop(), `broker ${id} exit code:\n${broker.output()}`).toBe(0);
    for (const [topic, hw] of finalHighWatermarks) expectIdenticalReplicas(logDirs(), topic, 0, hw);
  });
});
