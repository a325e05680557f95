/**
 * What a client knows of the cluster from `metadata` (protocol §7.2, §14.1): the live brokers and
 * their URLs, the controller, and per topic each partition's leader, replicas and ISR. A topic's
 * entry is trusted for `maxAgeMs` (Kafka's metadata.max.age.ms) or until {@link invalidate} (after a
 * leadership error); lookups of one topic at the same time share one request. Every reply also
 * refreshes the broker list.
 *
 * @example
 * ```ts
 * import { ClusterMetadata } from "./cluster-metadata.ts";
 * const metadata = new ClusterMetadata((topics) => connection.request("metadata", { topics }), 300_000);
 * const orders = await metadata.topic("orders");
 * orders.partitions[0]!.leader; // 2
 * metadata.invalidate("orders"); // after NOT_LEADER_OR_FOLLOWER
 * ```
 * @module
 */
import { EdgelogError } from "../core/errors.ts";
import type { MetadataResponse } from "../protocol/index.ts";
import { fromWireError } from "../protocol/wire-error.ts";

/**
 * One partition's placement as `metadata` told it.
 *
 * @example
 * ```ts
 * const p: PartitionLeadership = { partition: 0, leader: 1, leaderEpoch: 3, replicas: [1, 2, 3], isr: [1, 2] };
 * ```
 */
export interface PartitionLeadership {
  partition: number;
  /** The leader's broker id; -1 while the partition has none. */
  leader: number;
  leaderEpoch: number;
  replicas: number[];
  isr: number[];
}

/**
 * One topic's partitions, by partition number.
 *
 * @example
 * ```ts
 * const t: TopicLeadership = { topic: "orders", partitions: [{ partition: 0, leader: 1, leaderEpoch: 0, replicas: [1], isr: [1] }] };
 * ```
 */
export interface TopicLeadership {
  topic: string;
  /** Sorted by partition; `partitions.length` is the partition count. */
  partitions: PartitionLeadership[];
}

/**
 * Asks a broker for `metadata` of these topics (`[]`: brokers only).
 *
 * @example
 * ```ts
 * const request: MetadataRequester = (topics) => connection.request<MetadataResponse>("metadata", { topics });
 * ```
 */
export type MetadataRequester = (topics: string[]) => Promise<MetadataResponse>;

/**
 * The cache; see the module documentation.
 *
 * @example
 * ```ts
 * metadata.leader("orders", 0); // 2, or undefined when not known
 * ```
 */
export class ClusterMetadata {
  readonly #request: MetadataRequester;
  readonly #maxAgeMs: number;
  readonly #topics = new Map<string, { entry: TopicLeadership; at: number }>();
  readonly #loading = new Map<string, Promise<TopicLeadership>>();
  #brokers = new Map<number, string>();
  #controllerId = -1;
  #clusterId: string | undefined;

  /**
   * A cache that asks through `request` and trusts a topic's answer for `maxAgeMs`.
   *
   * @example
   * ```ts
   * new ClusterMetadata((topics) => connection.request<MetadataResponse>("metadata", { topics }), 300_000);
   * ```
   */
  constructor(request: MetadataRequester, maxAgeMs: number) {
    this.#request = request;
    this.#maxAgeMs = maxAgeMs;
  }

  /**
   * The live brokers' URLs by broker id, as last told.
   *
   * @example
   * ```ts
   * metadata.brokers.get(2); // "ws://10.0.0.2:9092/"
   * ```
   */
  get brokers(): ReadonlyMap<number, string> {
    return this.#brokers;
  }

  /**
   * The controller's broker id as last told; -1 when unknown.
   *
   * @example
   * ```ts
   * metadata.controllerId; // 1
   * ```
   */
  get controllerId(): number {
    return this.#controllerId;
  }

  /**
   * The cluster id as last told.
   *
   * @example
   * ```ts
   * metadata.clusterId; // "edgelog"
   * ```
   */
  get clusterId(): string | undefined {
    return this.#clusterId;
  }

  /**
   * A topic's partitions: from the cache while fresh, else asked. Rejects with the broker's error
   * for the topic (`UNKNOWN_TOPIC_OR_PARTITION`, retriable: the topic may be on its way) or
   * `LEADER_NOT_AVAILABLE` when it has no partitions yet.
   *
   * @example
   * ```ts
   * (await metadata.topic("orders")).partitions.length; // 6
   * ```
   */
  topic(topic: string): Promise<TopicLeadership> {
    const known = this.fresh(topic);
    if (known !== undefined) return Promise.resolve(known);
    let loading = this.#loading.get(topic);
    if (loading === undefined) {
      loading = this.#load(topic).finally(() => this.#loading.delete(topic));
      this.#loading.set(topic, loading);
    }
    return loading;
  }

  /**
   * A topic's entry when the cache holds one younger than `maxAgeMs`, without a lookup: what
   * {@link topic} would resolve with at once.
   *
   * @example
   * ```ts
   * const count = metadata.fresh("orders")?.partitions.length ?? (await metadata.topic("orders")).partitions.length;
   * ```
   */
  fresh(topic: string): TopicLeadership | undefined {
    const known = this.#topics.get(topic);
    return known !== undefined && Date.now() - known.at < this.#maxAgeMs ? known.entry : undefined;
  }

  /**
   * The leader of a partition as cached (even when stale), undefined when not known.
   *
   * @example
   * ```ts
   * metadata.leader("orders", 3); // -1 while it has no leader
   * ```
   */
  leader(topic: string, partition: number): number | undefined {
    return this.#topics.get(topic)?.entry.partitions[partition]?.leader;
  }

  /**
   * Forgets a topic, so that the next lookup asks again (after a leadership error).
   *
   * @example
   * ```ts
   * metadata.invalidate("orders");
   * ```
   */
  invalidate(topic: string): void {
    this.#topics.delete(topic);
  }

  /**
   * Asks for the brokers (and the controller) alone.
   *
   * @example
   * ```ts
   * await metadata.refreshBrokers();
   * ```
   */
  async refreshBrokers(): Promise<void> {
    this.apply(await this.#request([]));
  }

  /**
   * Takes in a `metadata` reply: the brokers, the controller and every topic it describes without
   * an error.
   *
   * @example
   * ```ts
   * metadata.apply(await connection.request<MetadataResponse>("metadata", { topics: null }));
   * ```
   */
  apply(reply: MetadataResponse): void {
    if (Array.isArray(reply.brokers)) this.#brokers = new Map(reply.brokers.map((b) => [b.brokerId, b.url]));
    if (typeof reply.controllerId === "number") this.#controllerId = reply.controllerId;
    if (typeof reply.clusterId === "string") this.#clusterId = reply.clusterId;
    const at = Date.now();
    for (const t of reply.topics ?? []) {
      if (t.error !== undefined || !Array.isArray(t.partitions) || t.partitions.length === 0) continue;
      const partitions = t.partitions
        .map((p) => ({ partition: p.partition, leader: p.leader, leaderEpoch: p.leaderEpoch, replicas: p.replicas, isr: p.isr }))
        .sort((a, b) => a.partition - b.partition);
      this.#topics.set(t.topic, { entry: { topic: t.topic, partitions }, at });
    }
  }

  async #load(topic: string): Promise<TopicLeadership> {
    const reply = await this.#request([topic]);
    this.apply(reply);
    const entry = reply.topics?.find((t) => t.topic === topic);
    if (entry === undefined) throw new EdgelogError("UNKNOWN_TOPIC_OR_PARTITION", `The broker did not describe topic ${topic}`);
    if (entry.error !== undefined) throw fromWireError(entry.error);
    if (!Array.isArray(entry.partitions) || entry.partitions.length === 0) {
      throw new EdgelogError("LEADER_NOT_AVAILABLE", `Topic ${topic} has no partitions yet`);
    }
    return this.#topics.get(topic)!.entry;
  }
}
