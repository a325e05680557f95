/**
 * The number of partitions of each topic, from `metadata`, kept for `maxAgeMs` (Kafka's
 * metadata.max.age.ms) so that a producer partitions by key exactly as the broker would. Lookups of
 * one topic at the same time share one request.
 *
 * @example
 * ```ts
 * import { PartitionCounts } from "./partition-counts.ts";
 * const counts = new PartitionCounts(connection, 300_000);
 * const n = await counts.get("orders");
 * partitionForKey(key, n);
 * ```
 * @module
 */
import { EdgelogError } from "../core/errors.ts";
import type { MetadataResponse } from "../protocol/index.ts";
import type { Connection } from "./connection.ts";
import { fromWireError } from "./wire-error.ts";

/**
 * A cache of partition counts; see the module documentation.
 *
 * @example
 * ```ts
 * counts.invalidate("orders"); // after NOT_LEADER_OR_FOLLOWER or UNKNOWN_TOPIC_OR_PARTITION
 * ```
 */
export class PartitionCounts {
  readonly #connection: Connection;
  readonly #maxAgeMs: number;
  readonly #known = new Map<string, { count: number; at: number }>();
  readonly #loading = new Map<string, Promise<number>>();

  /**
   * A cache that asks `connection` and trusts an answer for `maxAgeMs`.
   *
   * @example
   * ```ts
   * new PartitionCounts(connection, 300_000);
   * ```
   */
  constructor(connection: Connection, maxAgeMs: number) {
    this.#connection = connection;
    this.#maxAgeMs = maxAgeMs;
  }

  /**
   * The topic's partition count. Rejects with the broker's error for the topic, e.g.
   * `UNKNOWN_TOPIC_OR_PARTITION` (retriable: the topic may be on its way) when it does not exist and
   * the broker does not create topics on demand.
   *
   * @example
   * ```ts
   * await counts.get("orders"); // 6
   * ```
   */
  get(topic: string): Promise<number> {
    const known = this.#known.get(topic);
    if (known !== undefined && Date.now() - known.at < this.#maxAgeMs) return Promise.resolve(known.count);
    let loading = this.#loading.get(topic);
    if (loading === undefined) {
      loading = this.#load(topic).finally(() => this.#loading.delete(topic));
      this.#loading.set(topic, loading);
    }
    return loading;
  }

  /**
   * Forgets the topic's count, so that the next lookup asks again.
   *
   * @example
   * ```ts
   * counts.invalidate("orders");
   * ```
   */
  invalidate(topic: string): void {
    this.#known.delete(topic);
  }

  async #load(topic: string): Promise<number> {
    const reply = await this.#connection.request<MetadataResponse>("metadata", { topics: [topic] });
    const entry = reply.topics?.find((t) => t.topic === topic);
    if (entry === undefined) throw new EdgelogError("UNKNOWN_TOPIC_OR_PARTITION", `The broker did not describe topic ${topic}`);
    if (entry.error !== undefined) throw fromWireError(entry.error);
    const count = entry.partitions.length;
    if (count === 0) throw new EdgelogError("LEADER_NOT_AVAILABLE", `Topic ${topic} has no partitions yet`);
    this.#known.set(topic, { count, at: Date.now() });
    return count;
  }
}
