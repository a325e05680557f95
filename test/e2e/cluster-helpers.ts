/**
 * Steps the real-process cluster scenarios share: retry an assertion until it holds, bound a wait,
 * and read the JSON event lines of Kafka-style verifiable tools.
 *
 * @example
 * ```ts
 * const leader = await untilPasses(async () => { const p = await describe(); expect(p.leader).toBeGreaterThan(0); return p.leader; }, 10_000);
 * const acked = toolEvents(producer, "producer_send_success");
 * ```
 * @module
 */
import { expect } from "vitest";
import type { Child } from "../support/child-process.ts";
import type { Frame, WsTestClient } from "../support/ws-test-client.ts";

import { untilPasses } from "../support/until-passes.ts";

export { untilPasses };

/**
 * Resolves with `promise`, or rejects with "`what` took over `ms` ms".
 *
 * @example
 * ```ts
 * const code = await within(broker.stop(), 20_000, "the clean stop of broker 1");
 * ```
 */
export async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} took over ${ms} ms`)), ms)));
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The JSON event lines named `name` that a verifiable producer or consumer printed so far.
 *
 * @example
 * ```ts
 * toolEvents(producer, "producer_send_error").length; // 3
 * ```
 */
export function toolEvents(child: Child, name: string): Frame[] {
  return child.stdout
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as Frame)
    .filter((event) => event["name"] === name);
}

/**
 * A record a verifiable producer printed as acknowledged.
 *
 * @example
 * ```ts
 * const a: AcknowledgedRecord = { partition: 0, offset: 12, value: "12", timestamp: 1736513686054 };
 * ```
 */
export interface AcknowledgedRecord {
  partition: number;
  offset: number;
  value: string;
  /** When the producer printed it (ms since the epoch). */
  timestamp: number;
}

/**
 * The records `producer` (a verifiable producer) printed as acknowledged so far, in that order.
 *
 * @example
 * ```ts
 * acknowledgedRecords(producer).filter((a) => a.partition === 0).length;
 * ```
 */
export function acknowledgedRecords(producer: Child): AcknowledgedRecord[] {
  return toolEvents(producer, "producer_send_success").map((e) => ({
    partition: e["partition"] as number,
    offset: e["offset"] as number,
    value: e["value"] as string,
    timestamp: e["timestamp"] as number,
  }));
}

/**
 * Partition 0 of a topic as one broker describes it over HTTP (`/admin/topics/<topic>`).
 *
 * @example
 * ```ts
 * const p: DescribedPartition = await describedAt(broker.httpUrl, "orders");
 * ```
 */
export interface DescribedPartition {
  leader: number;
  isr: number[];
  logEndOffset: number;
  highWatermark: number;
}

/**
 * Partition 0 of `topic` as the broker at `httpUrl` describes it (fails on a status other than 200
 * or after 2 s).
 *
 * @example
 * ```ts
 * (await describedAt(broker.httpUrl, "orders")).leader; // 2
 * ```
 */
export async function describedAt(httpUrl: string, topic: string): Promise<DescribedPartition> {
  const response = await fetch(`${httpUrl}/admin/topics/${topic}`, { signal: AbortSignal.timeout(2_000) });
  expect(response.status, `describe ${topic} at ${httpUrl}`).toBe(200);
  return ((await response.json()) as { partitions: DescribedPartition[] }).partitions[0]!;
}

/**
 * Waits until the broker at `httpUrl` sees a leader of `topic`'s partition 0 and all of `brokerIds`
 * in its ISR; answers that description.
 *
 * @example
 * ```ts
 * await fullIsr(brokers.get(1)!.httpUrl, "orders", [1, 2, 3], 20_000);
 * ```
 */
export async function fullIsr(httpUrl: string, topic: string, brokerIds: readonly number[], limitMs: number): Promise<DescribedPartition> {
  return await untilPasses(async () => {
    const p = await describedAt(httpUrl, topic);
    expect(p.leader, `leader of ${topic} at ${httpUrl}`).toBeGreaterThan(0);
    expect([...p.isr].sort(), `ISR of ${topic} at ${httpUrl}`).toEqual([...brokerIds].sort());
    return p;
  }, limitMs);
}

/**
 * Waits until `client`'s broker lists exactly `brokerIds` in its metadata: the cluster has formed.
 *
 * @example
 * ```ts
 * await untilClusterFormed(admin, [1, 2, 3], 20_000);
 * ```
 */
export async function untilClusterFormed(client: WsTestClient, brokerIds: readonly number[], limitMs: number): Promise<void> {
  await untilPasses(async () => {
    const metadata = await client.call("metadata", { topics: [] });
    expect((metadata["brokers"] as Frame[]).map((b) => b["brokerId"])).toEqual(brokerIds);
  }, limitMs);
}

/**
 * The settings of broker `id` in a test cluster: joined through the etcd at `etcdEndpoint` under
 * `clusterId`, with a short session and quick replica fetches (wait 200 ms, backoff 100 ms,
 * replica.lag.time.max.ms 5 s, high-watermark checkpoints every 500 ms); `extra` adds or replaces
 * settings.
 *
 * @example
 * ```ts
 * startBroker(target, { overrides: clusterBrokerSettings(1, etcd.endpoint, "c1", 3000, { "replica.lag.time.max.ms": "3000" }) });
 * ```
 */
export function clusterBrokerSettings(
  id: number,
  etcdEndpoint: string,
  clusterId: string,
  sessionTimeoutMs: number,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    "broker.id": String(id),
    "controller.etcd.endpoints": etcdEndpoint,
    "edgelog.cluster.id": clusterId,
    "broker.session.timeout.ms": String(sessionTimeoutMs),
    "replica.lag.time.max.ms": "5000",
    "replica.fetch.wait.max.ms": "200",
    "replica.fetch.backoff.ms": "100",
    "replica.high.watermark.checkpoint.interval.ms": "500",
    ...extra,
  };
}
