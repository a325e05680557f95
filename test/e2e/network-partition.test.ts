/**
 * Network partitions with real processes: three `edgelog serve` processes, each in its own Linux
 * network namespace joined to a bridge (test/support/netns.ts), a test etcd on the bridge's address
 * in the root namespace, and `edgelog verifiable-producer --acks -1` producing all the time to
 * topics with replication factor 3 and min.insync.replicas=2.
 *
 * (a) The leader is cut off from everything (etcd, the other brokers, the clients of the root
 * namespace); a second producer inside its namespace still reaches it. A new leader comes from the
 * ISR and the root producer carries on with it; the isolated leader acknowledges nothing; after the
 * heal it truncates what it took alone and rejoins the ISR.
 * (b) A follower is cut from the leader only (it still reaches etcd): it leaves the ISR, acks=all
 * carries on with two in the ISR, and after the heal it catches up and rejoins.
 *
 * Every acknowledged record must be in the final log at its offset, and after a clean stop the three
 * replicas must hold the same batches (base offset, CRC, leader epoch) below the high watermark.
 * Needs root: without network namespaces the file fails, it never skips.
 */
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, test } from "vitest";
import { startChild, type Child } from "../support/child-process.ts";
import { startEtcd, type EtcdServer } from "../support/etcd.ts";
import { createNetnsLab, type NetnsLab } from "../support/netns.ts";
import type { Frame, WsTestClient } from "../support/ws-test-client.ts";
import { BINARY_PATH, removeTempDirs, startBroker, tempDataDir, TARGETS, type E2eBroker } from "./broker-matrix.ts";
import { expectIdenticalReplicas } from "./replica-logs.ts";
import { acknowledgedRecords, clusterBrokerSettings, describedAt, type DescribedPartition, fullIsr, toolEvents, untilClusterFormed, untilPasses } from "./cluster-helpers.ts";

const SESSION_TIMEOUT_MS = 3000;
const LAG_TIME_MAX_MS = 3000;
const BROKER_IDS = [1, 2, 3];
const PORT = 9092; // every broker has its own namespace, so the same port
/** What runs the brokers and the producers: the compiled binary (the e2e global setup builds it), else Node. */
const TARGET = TARGETS.find((t) => t.name === (existsSync(BINARY_PATH) ? "binary" : "node"))!;

function sendErrors(producer: Child): Frame[] {
  return toolEvents(producer, "producer_send_error");
}

describe("replication across network partitions (one network namespace per broker)", () => {
  let lab: NetnsLab | undefined;
  let etcd: EtcdServer | undefined;
  const brokers = new Map<number, E2eBroker>();
  /** Each broker's log directory, by broker id. */
  const logDirs = (): Map<number, string> => new Map(BROKER_IDS.map((id) => [id, brokers.get(id)!.dataDir]));
  const children: Child[] = [];
  const clients: WsTestClient[] = [];
  /** The high watermark of each topic once its case ended, for the replica comparison. */
  const finalHighWatermarks = new Map<string, number>();
  let producerConfig: string;

  const hostOf = (id: number): string => `b${id}`;

  /** Topic `topic`'s partition 0 as broker `id` describes it. */
  const describedBy = (id: number, topic: string): Promise<DescribedPartition> => describedAt(brokers.get(id)!.httpUrl, topic);

  /** Waits until broker `id` sees a leader and the full ISR of `topic`. */
  const fullIsrAt = (id: number, topic: string, limitMs: number): Promise<DescribedPartition> => fullIsr(brokers.get(id)!.httpUrl, topic, BROKER_IDS, limitMs);

  /** Starts `verifiable-producer --acks -1` on `topic`, inside `host`'s namespace when given. */
  function startProducer(topic: string, bootstrap: number[], valuePrefix: number, host?: string): Child {
    const args = [
      ...TARGET.args,
      "verifiable-producer",
      "--bootstrap-server",
      bootstrap.map((id) => brokers.get(id)!.url).join(","),
      "--topic",
      topic,
      "--acks",
      "-1",
      "--throughput",
      "100",
      "--value-prefix",
      String(valuePrefix),
      "--producer.config",
      producerConfig,
    ];
    const [command, ...prefix] = host === undefined ? [TARGET.command] : [...lab!.commandPrefix(host), TARGET.command];
    const child = startChild(command!, [...prefix, ...args]);
    children.push(child);
    return child;
  }

  async function stopProducer(producer: Child): Promise<void> {
    producer.kill("SIGTERM");
    const killer = setTimeout(() => producer.kill("SIGKILL"), 15_000);
    await producer.exited;
    clearTimeout(killer);
    expect(toolEvents(producer, "shutdown_complete"), `the producer's shutdown:\n${producer.stderr.join("\n")}`).toHaveLength(1);
  }

  /** Waits for more acknowledgements than `count` on `producer`. */
  async function acksPass(producer: Child, count: number, what: string, limitMs = 10_000): Promise<void> {
    await untilPasses(async () => {
      const errors = sendErrors(producer);
      expect(acknowledgedRecords(producer).length, `${what}; ${errors.length} send errors, the last: ${JSON.stringify(errors.slice(-2))}`).toBeGreaterThan(count);
    }, limitMs);
  }

  /**
   * Reads `topic` from its leader up to the high watermark (once it reached the log end), checks
   * every record acknowledged to `producers` is at its offset, and keeps the high watermark.
   */
  async function checkAcknowledgedRecords(topic: string, leader: number, producers: Child[]): Promise<void> {
    const hw = await untilPasses(async () => {
      const p = await describedBy(leader, topic);
      expect(p.highWatermark, `high watermark of ${topic} reaches its log end`).toBe(p.logEndOffset);
      return p.highWatermark;
    }, 10_000);
    finalHighWatermarks.set(topic, hw);
    const reader = await brokers.get(leader)!.connect({ timeoutMs: 10_000 });
    clients.push(reader);
    const log = new Map<number, string>();
    for (let offset = 0; offset < hw; ) {
      const reply = await reader.call("fetch", { topic, partition: 0, offset, maxWaitMs: 0, format: "records", valueEncoding: "utf8" });
      const records = reply["records"] as { offset: number; value: string }[];
      expect(records.length, `records of ${topic} from offset ${offset}`).toBeGreaterThan(0);
      for (const r of records) {
        expect(r.offset, `offsets of ${topic} have no gap`).toBe(offset);
        log.set(r.offset, r.value);
        offset = r.offset + 1;
      }
    }
    for (const producer of producers) {
      const acked = acknowledgedRecords(producer);
      const missing = acked.filter((a) => log.get(a.offset) !== a.value);
      expect(
        missing.slice(0, 5).map((a) => ({ ...a, found: log.get(a.offset) ?? null })),
        `${missing.length} of ${acked.length} acknowledged records of ${topic} are not at their offset`,
      ).toEqual([]);
    }
  }

  beforeAll(async () => {
    lab = createNetnsLab(BROKER_IDS.map(hostOf));
    etcd = await startEtcd({ host: lab.bridgeAddress });
    const dir = tempDataDir();
    producerConfig = join(dir, "producer.properties");
    writeFileSync(producerConfig, "request.timeout.ms=2000\nmetadata.max.age.ms=1000\nretry.backoff.ms=100\n");
    const clusterId = `netns-${process.pid}-${Date.now()}`;
    const started = await Promise.all(
      BROKER_IDS.map((id) =>
        startBroker(TARGET, {
          host: lab!.host(hostOf(id)).address,
          port: PORT,
          commandPrefix: lab!.commandPrefix(hostOf(id)),
          overrides: clusterBrokerSettings(id, etcd!.endpoint, clusterId, SESSION_TIMEOUT_MS, { "replica.lag.time.max.ms": String(LAG_TIME_MAX_MS) }),
        }),
      ),
    );
    started.forEach((broker, i) => brokers.set(BROKER_IDS[i]!, broker));
    const admin = await brokers.get(1)!.connect({ timeoutMs: 10_000 });
    clients.push(admin);
    await untilClusterFormed(admin, BROKER_IDS, 20_000);
  });

  // A failed case must not leave its cut behind for the next one.
  afterEach(() => lab?.heal());

  afterAll(async () => {
    try {
      lab?.heal();
      for (const child of children) {
        if (child.process.exitCode === null && child.process.signalCode === null) {
          child.kill("SIGKILL");
          await child.exited;
        }
      }
      for (const client of clients) client.terminate();
      for (const broker of brokers.values()) await broker.kill();
      await etcd?.destroy();
    } finally {
      lab?.destroy();
      removeTempDirs();
    }
  });

  async function createTopic(topic: string): Promise<DescribedPartition> {
    const response = await fetch(`${brokers.get(1)!.httpUrl}/admin/topics`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: topic, partitions: 1, replicationFactor: 3, configs: { "min.insync.replicas": 2 } }),
    });
    expect(response.status, await response.clone().text()).toBe(201);
    return await fullIsrAt(1, topic, 15_000);
  }

  test("a leader cut off from everything acknowledges nothing, a new leader takes over, and the old one truncates and rejoins after the heal", async () => {
    const topic = "cut-leader";
    const initial = await createTopic(topic);
    const oldLeader = initial.leader;
    const survivors = BROKER_IDS.filter((id) => id !== oldLeader);
    const outside = startProducer(topic, BROKER_IDS, 1);
    const inside = startProducer(topic, [oldLeader], 2, hostOf(oldLeader));
    await acksPass(outside, 50, "the outside producer before the cut");
    await acksPass(inside, 50, "the producer beside the leader before the cut");

    const cutAt = Date.now();
    lab!.isolate(hostOf(oldLeader));
    const after = await untilPasses(async () => {
      const p = await describedBy(survivors[0]!, topic);
      expect(survivors, `leader after the cut`).toContain(p.leader);
      expect(p.isr).not.toContain(oldLeader);
      return p;
    }, 4 * SESSION_TIMEOUT_MS);
    // Producing carries on with the majority.
    // (Its requests to the silent broker run into the client's timeouts first: the produce reply
    // timeout, and for a metadata request sent there the connection's 30 s request timeout.)
    await acksPass(outside, acknowledgedRecords(outside).length + 100, "the outside producer after the election", 40_000);
    // The isolated leader still takes writes from its neighbour, but cannot acknowledge them.
    await untilPasses(async () => {
      expect(sendErrors(inside).filter((e) => (e["timestamp"] as number) > cutAt).length, "the isolated leader's neighbour sees its sends fail").toBeGreaterThan(0);
    }, 10_000);
    const healAt = Date.now();
    const ackedWhileCut = acknowledgedRecords(inside).filter((a) => a.timestamp > cutAt + 1_000 && a.timestamp <= healAt);
    expect(ackedWhileCut.slice(0, 5), `${ackedWhileCut.length} records acknowledged by the isolated leader`).toEqual([]);

    lab!.heal();
    await fullIsrAt(after.leader, topic, 20_000);
    const rejoined = await fullIsrAt(oldLeader, topic, 10_000);
    expect(rejoined.leader).toBe(after.leader);
    expect(brokers.get(oldLeader)!.child.stdout.some((l) => l.includes(`Truncating ${topic}-0 from`)), "the old leader truncated its unacknowledged tail").toBe(true);
    // Its neighbour reaches the new leader through the healed link.
    await acksPass(inside, acknowledgedRecords(inside).length + 20, "the producer beside the old leader after the heal");

    await stopProducer(outside);
    await stopProducer(inside);
    await checkAcknowledgedRecords(topic, after.leader, [outside, inside]);
    console.log(
      [
        `cut-leader: broker ${oldLeader} isolated for ${healAt - cutAt} ms, broker ${after.leader} leads at epoch-change; ` +
          `outside ${acknowledgedRecords(outside).length} acked / ${sendErrors(outside).length} failed, beside ${acknowledgedRecords(inside).length} acked / ${sendErrors(inside).length} failed`,
        ...brokers.get(oldLeader)!.child.stdout.filter((l) => l.includes(`${topic}-0`)),
      ].join("\n"),
    );
  });

  test("a follower cut from the leader alone leaves the ISR while acks=all carries on, and catches up and rejoins after the heal", async () => {
    const topic = "cut-follower";
    const initial = await createTopic(topic);
    const leader = initial.leader;
    const follower = BROKER_IDS.find((id) => id !== leader)!;
    const producer = startProducer(topic, BROKER_IDS, 3);
    await acksPass(producer, 50, "the producer before the cut");

    lab!.cut(hostOf(leader), hostOf(follower));
    const shrunk = await untilPasses(async () => {
      const p = await describedBy(leader, topic);
      expect(p.isr, "ISR after the cut").not.toContain(follower);
      return p;
    }, LAG_TIME_MAX_MS + 3 * SESSION_TIMEOUT_MS);
    expect(shrunk.leader, "the leader keeps its leadership").toBe(leader);
    expect(shrunk.isr).toHaveLength(2);
    await acksPass(producer, acknowledgedRecords(producer).length + 100, "the producer with two in the ISR");

    lab!.heal();
    await fullIsrAt(leader, topic, 20_000);
    await stopProducer(producer);
    await checkAcknowledgedRecords(topic, leader, [producer]);
  });

  test("after a clean stop the three replicas of each topic hold the same batches below the high watermark", async () => {
    expect([...finalHighWatermarks.keys()].sort()).toEqual(["cut-follower", "cut-leader"]);
    for (const [topic] of finalHighWatermarks) await fullIsrAt(1, topic, 20_000);
    for (const [id, broker] of brokers) expect(await broker.stop(), `broker ${id} exit code:\n${broker.output()}`).toBe(0);
    for (const [topic, hw] of finalHighWatermarks) expectIdenticalReplicas(logDirs(), topic, 0, hw);
  });
});
