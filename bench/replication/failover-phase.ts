/**
 * The fail-over measurement: while a {@link FailoverProducer} writes with acks=all to a partition
 * with replication factor 3 and min.insync.replicas=2, the partition's leader is killed with
 * SIGKILL; measured is the time from the kill to the first acknowledgement from the new leader.
 * A watch on the cluster's keys in etcd splits it:
 *
 * - detection: kill → the dead broker's registration key deleted (its lease expired: at most
 *   broker.session.timeout.ms after its last keep-alive, which runs every third of it);
 * - election: → the partition's state in etcd names a new leader (the controller's election, after a
 *   controller election when the dead broker was the controller);
 * - client: → the first acknowledgement from the new leader (the producer's next metadata request,
 *   the connection, and the high watermark passing the batch once the other follower fetches from the
 *   new leader); `seen` is when metadata first named the new leader.
 *
 * Between repetitions the killed broker is started again on its data and the bench waits until it is
 * back in the ISR and the producer is writing again.
 *
 * @example
 * ```ts
 * const reps = await failovers(cluster, etcdEndpoint, { topic: "failover", repetitions: 3, sessionTimeoutMs: 9000, batch: batchOf(100) });
 * ```
 * @module
 */
import { etcdCoordination } from "../../src/adapters/etcd/etcd-coordination.ts";
import { clusterKeys } from "../../src/core/cluster/cluster-keys.ts";
import type { WatchUpdate } from "../../src/core/ports/coordination.ts";
import { eventually, type BenchCluster } from "./cluster.ts";
import { FailoverProducer } from "./failover-producer.ts";

/**
 * What {@link failovers} does.
 *
 * @example
 * ```ts
 * const options: FailoverOptions = { topic: "failover", repetitions: 3, sessionTimeoutMs: 9000, batch, window: 4 };
 * ```
 */
export interface FailoverOptions {
  topic: string;
  repetitions: number;
  sessionTimeoutMs: number;
  batch: Uint8Array;
  /** Requests the producer keeps in flight. */
  window: number;
  /** Called with a line per repetition as it ends. */
  progress?: (line: string) => void;
}

/**
 * One fail-over, in ms from the kill.
 *
 * @example
 * ```ts
 * const r: FailoverRep = { killed: 2, wasController: false, newLeader: 3, registrationGoneMs: 7012, electedMs: 7030, seenMs: 7105, ackMs: 7390, totalMs: 7390 };
 * ```
 */
export interface FailoverRep {
  killed: number;
  wasController: boolean;
  newLeader: number;
  /** Kill → the dead broker's registration deleted in etcd (seen by the bench's watch). */
  registrationGoneMs: number;
  /** Kill → the partition's state names the new leader. */
  electedMs: number;
  /** Kill → the producer's metadata first names the new leader. */
  seenMs: number;
  /** Kill → the first acknowledgement from the new leader. */
  ackMs: number;
  /** Producer failures by code meanwhile. */
  failures: Record<string, number>;
}

interface Seen {
  at: number;
  key: string;
  type: "PUT" | "DELETE";
  text?: string;
}

/**
 * Runs the fail-overs on a fresh topic; see the module documentation.
 *
 * @example
 * ```ts
 * const reps = await failovers(cluster, etcd.endpoint, options);
 * ```
 */
export async function failovers(cluster: BenchCluster, etcdEndpoint: string, options: FailoverOptions): Promise<FailoverRep[]> {
  const { topic } = options;
  const keys = clusterKeys(cluster.clusterId);
  const partitionKey = keys.partition(topic, 0);
  const store = etcdCoordination({ endpoints: etcdEndpoint });
  const seen: Seen[] = [];
  const watch = await store.watchPrefix(keys.root, {}, (update: WatchUpdate) => {
    const at = performance.now();
    if (update.type !== "events") return;
    for (const e of update.events) seen.push({ at, key: e.key, type: e.type, ...(e.type === "PUT" ? { text: e.entry.text } : {}) });
  });
  await cluster.createTopic(topic, 1, 3, { "min.insync.replicas": "2" });
  await cluster.fullIsr(topic, 30_000);
  const producer = new FailoverProducer({
    topic,
    partition: 0,
    batch: options.batch,
    window: options.window,
    brokerUrls: () => [...cluster.brokers.values()].map((b) => b.url),
  });
  const reps: FailoverRep[] = [];
  const limitMs = 4 * options.sessionTimeoutMs;
  try {
    producer.start();
    for (let rep = 0; rep < options.repetitions; rep++) {
      const before = await cluster.fullIsr(topic, 60_000);
      const acked = producer.acks.length;
      await eventually("the producer writing with the full ISR", 10_000, async () => {
        if (producer.acks.length < acked + 20) throw new Error(`${producer.acks.length - acked} acks`);
      });
      const dead = before[0]!.leader;
      const wasController = (await cluster.controllerId()) === dead;
      const failuresBefore = new Map(producer.failures);
      const killedAt = await cluster.kill(dead);
      const ack = await eventually(`an acknowledgement from a new leader after broker ${dead} was killed`, limitMs, async () => {
        const first = producer.firstAckAfter(killedAt, dead);
        if (first === undefined) throw new Error(`none; producer failures ${JSON.stringify(Object.fromEntries(producer.failures))}`);
        return first;
      });
      const gone = await eventually(`the registration of broker ${dead} deleted`, 5_000, async () => {
        const e = seen.find((s) => s.at > killedAt && s.type === "DELETE" && s.key === keys.broker(dead));
        if (e === undefined) throw new Error("not seen");
        return e;
      });
      const elected = await eventually(`a new leader of ${topic}-0 in etcd`, 5_000, async () => {
        const e = seen.find((s) => s.at > killedAt && s.type === "PUT" && s.key === partitionKey && leaderOf(s.text) !== dead && leaderOf(s.text) >= 0);
        if (e === undefined) throw new Error("not seen");
        return e;
      });
      const sighting = producer.firstSightingAfter(killedAt, dead);
      const failures: Record<string, number> = {};
      for (const [code, count] of producer.failures) if (count > (failuresBefore.get(code) ?? 0)) failures[code] = count - (failuresBefore.get(code) ?? 0);
      const r: FailoverRep = {
        killed: dead,
        wasController,
        newLeader: ack.leader,
        registrationGoneMs: gone.at - killedAt,
        electedMs: elected.at - killedAt,
        seenMs: (sighting?.at ?? ack.at) - killedAt,
        ackMs: ack.at - killedAt,
        failures,
      };
      reps.push(r);
      options.progress?.(
        `fail-over ${rep + 1}: killed broker ${dead}${wasController ? " (the controller)" : ""}; registration gone at ${r.registrationGoneMs.toFixed(0)} ms, ` +
          `leader ${r.newLeader} in etcd at ${r.electedMs.toFixed(0)} ms, in the producer's metadata at ${r.seenMs.toFixed(0)} ms, first ack at ${r.ackMs.toFixed(0)} ms`,
      );
      await cluster.restart(dead);
    }
    await cluster.fullIsr(topic, 60_000);
  } finally {
    await producer.stop();
    watch.cancel();
    await store.close();
  }
  return reps;
}

function leaderOf(text: string | undefined): number {
  try {
    const state = JSON.parse(text ?? "") as { leader?: unknown };
    return typeof state.leader === "number" ? state.leader : -1;
  } catch {
    return -1;
  }
}
