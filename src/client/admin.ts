/**
 * The admin client: topics, partitions, configs, records and offsets, with kafkajs's method names
 * where edgelog has the same operation. Each method is one request (retried after a backoff while
 * it fails with a retriable error); a per-item error (one topic of several) rejects with that
 * item's `EdgelogError`, whose `details` name the item.
 *
 * Consumer-group operations: `listGroups`, `describeGroups`, `describeLag` (what
 * `kafka-consumer-groups --describe` prints), `deleteGroups` and `resetOffsets`. A group the broker
 * does not know is described as `Dead` rather than rejected, as Kafka's admin client does.
 *
 * In a cluster each op goes where it is served (`admin-routing.ts`): offsets and record deletion
 * to each partition's leader, group ops to the group's coordinator, the rest to any live broker.
 *
 * @example
 * ```ts
 * const admin = createClient({ brokers: ["localhost:9092"] }).admin();
 * await admin.createTopics({ topics: [{ topic: "orders", numPartitions: 6, configs: { "retention.ms": "86400000" } }] });
 * console.log(await admin.listTopics());
 * await admin.disconnect();
 * ```
 * @module
 */
import type { EdgelogError } from "../core/errors.ts";
import type {
  GroupState,
  WireElectionType,
  WireGroupDescription,
  WireGroupLag,
  WireGroupListing,
  WireOngoingReassignment,
  WirePartitionsQuery,
  WirePlannedOffset,
  WireResetSpec,
  WireTopicPartition,
} from "../protocol/index.ts";
import { alterPartitionReassignments, describeCluster, electLeaders, listPartitionReassignments } from "./admin-cluster.ts";
import { alterConfigs, describeConfigs } from "./admin-configs.ts";
import { deleteGroups, describeGroups, describeLag, listGroups, resetOffsets } from "./admin-groups.ts";
import { deleteRecords, fetchTopicOffsets, fetchTopicOffsetsByTimestamp, listOffsets } from "./admin-offsets.ts";
import { type AdminRequests, adminRequester } from "./admin-request.ts";
import { AdminRouter } from "./admin-routing.ts";
import { createPartitions, createTopics, deleteTopics, fetchTopicMetadata, listTopics } from "./admin-topics.ts";
import type {
  AdminOptions,
  ClusterDescription,
  ConfigAlterationSpec,
  DescribeConfigResource,
  DescribedConfigs,
  ListedOffset,
  NewTopicSpec,
  OffsetSpec,
  TopicDescription,
} from "./admin-types.ts";
import { BrokerPool } from "./broker-pool.ts";
import type { Connection } from "./connection.ts";
import { type ResolvedRetry, resolveRetry } from "./retry.ts";

const DEFAULT_TIMEOUT_MS = 30_000;

/**
 * The admin client; see the module documentation. Made by `client.admin()`.
 *
 * @example
 * ```ts
 * const admin = client.admin();
 * await admin.deleteRecords({ topic: "orders", partitions: [{ partition: 0, offset: 100 }] });
 * ```
 */
export class Admin {
  readonly #connection: Connection;
  readonly #pool: BrokerPool;
  readonly #ownsConnection: boolean;
  readonly #requests: AdminRequests;

  /**
   * An admin client on `connection` (closed by {@link disconnect} when `ownsConnection`).
   *
   * @example
   * ```ts
   * new Admin(new Connection({ brokers }), { retry: { retries: 0 } });
   * ```
   */
  constructor(connection: Connection, options: AdminOptions = {}, settings: { ownsConnection?: boolean; retry?: ResolvedRetry } = {}) {
    this.#connection = connection;
    this.#pool = new BrokerPool(connection);
    const router = new AdminRouter(this.#pool);
    this.#ownsConnection = settings.ownsConnection ?? true;
    const retry = resolveRetry(options.retry, settings.retry);
    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    if (!Number.isInteger(timeoutMs) || timeoutMs < 0) throw new RangeError(`timeoutMs must be a non-negative integer, got ${timeoutMs}`);
    this.#requests = adminRequester(router, retry, timeoutMs);
  }

  /**
   * Connects to a broker (the methods also connect on demand).
   *
   * @example
   * ```ts
   * await admin.connect();
   * ```
   */
  async connect(): Promise<void> {
    await this.#connection.connect();
  }

  /**
   * Closes the connections.
   *
   * @example
   * ```ts
   * await admin.disconnect();
   * ```
   */
  async disconnect(): Promise<void> {
    await this.#pool.close();
    if (this.#ownsConnection) await this.#connection.close();
  }

  /**
   * Creates topics. Resolves `true` when every topic was created, `false` when some already
   * existed (as kafkajs does); rejects with the first other per-topic error.
   *
   * @example
   * ```ts
   * await admin.createTopics({ topics: [{ topic: "orders", numPartitions: 3 }] }); // true
   * ```
   */
  createTopics(request: { topics: NewTopicSpec[]; validateOnly?: boolean; timeoutMs?: number }): Promise<boolean> {
    return createTopics(this.#requests, request);
  }

  /**
   * Deletes topics; rejects with the first per-topic error (e.g. `UNKNOWN_TOPIC_OR_PARTITION`).
   *
   * @example
   * ```ts
   * await admin.deleteTopics({ topics: ["orders"] });
   * ```
   */
  deleteTopics(request: { topics: string[]; timeoutMs?: number }): Promise<void> {
    return deleteTopics(this.#requests, request);
  }

  /**
   * The names of every topic, internal ones excluded.
   *
   * @example
   * ```ts
   * await admin.listTopics(); // ["orders", "payments"]
   * ```
   */
  listTopics(): Promise<string[]> {
    return listTopics(this.#requests);
  }

  /**
   * Describes topics (all when `topics` is absent) with their partitions' leaders and replicas;
   * rejects with a topic's error (e.g. `UNKNOWN_TOPIC_OR_PARTITION`). As in Kafka, a broker with
   * `auto.create.topics.enable` creates a named topic that does not exist.
   *
   * @example
   * ```ts
   * const { topics } = await admin.fetchTopicMetadata({ topics: ["orders"] });
   * topics[0]!.partitions.length; // 6
   * ```
   */
  fetchTopicMetadata(request: { topics?: string[] } = {}): Promise<{ topics: TopicDescription[] }> {
    return fetchTopicMetadata(this.#requests, request);
  }

  /**
   * The cluster id, the controller and the brokers with their WebSocket URLs.
   *
   * @example
   * ```ts
   * (await admin.describeCluster()).brokers; // [{ nodeId: 1, url: "ws://localhost:9092/", rack: null }]
   * ```
   */
  describeCluster(): Promise<ClusterDescription> {
    return describeCluster(this.#requests);
  }

  /**
   * Raises topics' partition counts to `count` (the new total); rejects with a per-topic error
   * (`INVALID_PARTITIONS` when not above the current count).
   *
   * @example
   * ```ts
   * await admin.createPartitions({ topicPartitions: [{ topic: "orders", count: 12 }] });
   * ```
   */
  createPartitions(request: { topicPartitions: { topic: string; count: number }[]; validateOnly?: boolean; timeoutMs?: number }): Promise<void> {
    return createPartitions(this.#requests, request);
  }

  /**
   * Reads configs of topics or brokers; rejects with a per-resource error.
   *
   * @example
   * ```ts
   * const { resources } = await admin.describeConfigs({ resources: [{ type: "topic", name: "orders" }] });
   * resources[0]!.configEntries.find((e) => e.configName === "retention.ms")?.configValue;
   * ```
   */
  describeConfigs(request: { resources: DescribeConfigResource[] }): Promise<{ resources: DescribedConfigs[] }> {
    return describeConfigs(this.#requests, request);
  }

  /**
   * Sets and deletes config keys of topics or brokers; rejects with a per-resource error
   * (`INVALID_CONFIG`, `POLICY_VIOLATION`, …).
   *
   * @example
   * ```ts
   * await admin.alterConfigs({ resources: [{ type: "topic", name: "orders", set: { "retention.ms": 3_600_000 } }] });
   * ```
   */
  alterConfigs(request: { resources: ConfigAlterationSpec[]; validateOnly?: boolean }): Promise<void> {
    return alterConfigs(this.#requests, request);
  }

  /**
   * Deletes the records of partitions before `offset` (-1: up to the high watermark) and resolves
   * with each partition's new log start offset (`lowWatermark`).
   *
   * @example
   * ```ts
   * await admin.deleteRecords({ topic: "orders", partitions: [{ partition: 0, offset: 100 }] }); // [{ partition: 0, lowWatermark: 100 }]
   * ```
   */
  deleteRecords(request: {
    topic: string;
    partitions: { partition: number; offset: number | string }[];
    timeoutMs?: number;
  }): Promise<{ partition: number; lowWatermark: number }[]> {
    return deleteRecords(this.#requests, request);
  }

  /**
   * Looks up offsets of partitions of one topic: earliest (log start), latest (high watermark), or
   * the first offset with a timestamp at or after a time.
   *
   * @example
   * ```ts
   * await admin.listOffsets({ topic: "orders", partitions: [{ partition: 0, timestamp: "earliest" }, { partition: 1, timestamp: 1_700_000_000_000 }] });
   * ```
   */
  listOffsets(request: { topic: string; partitions: { partition: number; timestamp: OffsetSpec }[] }): Promise<ListedOffset[]> {
    return listOffsets(this.#requests, request);
  }

  /**
   * Every partition's high watermark (`offset`, `high`) and log start (`low`), as kafkajs's
   * `fetchTopicOffsets`.
   *
   * @example
   * ```ts
   * await admin.fetchTopicOffsets("orders"); // [{ partition: 0, offset: 42, high: 42, low: 0 }]
   * ```
   */
  fetchTopicOffsets(topic: string): Promise<{ partition: number; offset: number; high: number; low: number }[]> {
    return fetchTopicOffsets(this.#requests, topic);
  }

  /**
   * Every partition's first offset with a timestamp at or after `timestamp`, or its high watermark
   * when there is none (or no timestamp is given), as kafkajs's `fetchTopicOffsetsByTimestamp`.
   *
   * @example
   * ```ts
   * await admin.fetchTopicOffsetsByTimestamp("orders", Date.now() - 3_600_000); // [{ partition: 0, offset: 17 }]
   * ```
   */
  fetchTopicOffsetsByTimestamp(topic: string, timestamp?: number): Promise<{ partition: number; offset: number }[]> {
    return fetchTopicOffsetsByTimestamp(this.#requests, topic, timestamp);
  }

  /**
   * The consumer groups the broker knows (with members or committed offsets), sorted by id;
   * `states` keeps only groups in those states.
   *
   * @example
   * ```ts
   * (await admin.listGroups()).groups; // [{ groupId: "billing", state: "Stable", protocolType: "consumer" }]
   * ```
   */
  listGroups(options: { states?: GroupState[] } = {}): Promise<{ groups: WireGroupListing[] }> {
    return listGroups(this.#requests, options);
  }

  /**
   * Describes groups (state, assignor, members and what each owns), in the order asked. An unknown
   * group comes back `Dead` without members; another per-group error (INVALID_GROUP_ID) rejects.
   *
   * @example
   * ```ts
   * const { groups } = await admin.describeGroups(["billing"]);
   * groups[0]!.members.map((m) => m.clientId);
   * ```
   */
  describeGroups(groupIds: string[]): Promise<{ groups: Omit<WireGroupDescription, "error">[] }> {
    return describeGroups(this.#requests, groupIds);
  }

  /**
   * What `kafka-consumer-groups --describe --group` prints, per group: one row per partition with
   * the committed offset, the log end, the lag and the owning member (`null` where the tool prints
   * "-"). An unknown group comes back `Dead` without rows; another per-group error rejects.
   *
   * @example
   * ```ts
   * const { groups } = await admin.describeLag(["billing"]);
   * groups[0]!.rows; // [{ topic: "orders", partition: 0, currentOffset: 35, logEndOffset: 35, lag: 0, consumerId: null, host: null, clientId: null }]
   * ```
   */
  describeLag(groupIds: string[]): Promise<{ groups: Omit<WireGroupLag, "error">[] }> {
    return describeLag(this.#requests, groupIds);
  }

  /**
   * Deletes groups without members and their committed offsets. Each group succeeds or fails on its
   * own, so the outcome of each is returned (`error`: NON_EMPTY_GROUP, GROUP_ID_NOT_FOUND, …) rather
   * than the first failure rejecting.
   *
   * @example
   * ```ts
   * await admin.deleteGroups(["billing"]); // [{ groupId: "billing" }]
   * ```
   */
  deleteGroups(groupIds: string[]): Promise<{ groupId: string; error?: EdgelogError }[]> {
    return deleteGroups(this.#requests, groupIds);
  }

  /**
   * Plans new committed offsets of a group's partitions by a scenario (`to-earliest`, `to-latest`,
   * `to-current`, `to-offset`, `shift-by`, `to-datetime`, `by-duration`) and, with `execute`,
   * commits them; without it, a dry run. `topics` absent: every partition with a committed offset.
   * Rejects with NON_EMPTY_GROUP while the group has members (unless `force`).
   *
   * @example
   * ```ts
   * await admin.resetOffsets({ groupId: "billing", topics: [{ topic: "orders" }], spec: { type: "to-earliest" }, execute: true });
   * ```
   */
  resetOffsets(request: {
    groupId: string;
    topics?: WirePartitionsQuery[];
    spec: WireResetSpec;
    execute?: boolean;
    force?: boolean;
  }): Promise<{ groupId: string; executed: boolean; partitions: WirePlannedOffset[] }> {
    return resetOffsets(this.#requests, request);
  }

  /**
   * Runs a leader election (Kafka's `Admin.electLeaders`): `preferred` gives partitions back to
   * their first replica, `unclean` gives leaderless partitions any live replica. `partitions`
   * absent: every partition (those that need no election are then left out of the answer). Each
   * partition answers on its own: the leader elected, or its error (ELECTION_NOT_NEEDED,
   * PREFERRED_LEADER_NOT_AVAILABLE, ELIGIBLE_LEADERS_NOT_AVAILABLE, UNKNOWN_TOPIC_OR_PARTITION).
   *
   * @example
   * ```ts
   * await admin.electLeaders({ electionType: "preferred", partitions: [{ topic: "orders", partition: 0 }] });
   * // [{ topic: "orders", partition: 0, leader: 1 }]
   * ```
   */
  electLeaders(request: {
    electionType: WireElectionType;
    partitions?: WireTopicPartition[];
    timeoutMs?: number;
  }): Promise<{ topic: string; partition: number; leader?: number; error?: EdgelogError }[]> {
    return electLeaders(this.#requests, request);
  }

  /**
   * Starts moving partitions to new replicas, or, with `replicas: null`, cancels a partition's
   * running move (Kafka's `Admin.alterPartitionReassignments`). Each partition answers on its own:
   * nothing (started), or its error (INVALID_REPLICA_ASSIGNMENT, UNKNOWN_TOPIC_OR_PARTITION,
   * NO_REASSIGNMENT_IN_PROGRESS).
   *
   * @example
   * ```ts
   * await admin.alterPartitionReassignments({ partitions: [{ topic: "orders", partition: 0, replicas: [1, 2] }] });
   * // [{ topic: "orders", partition: 0 }]
   * ```
   */
  alterPartitionReassignments(request: {
    partitions: { topic: string; partition: number; replicas: number[] | null }[];
    timeoutMs?: number;
  }): Promise<{ topic: string; partition: number; error?: EdgelogError }[]> {
    return alterPartitionReassignments(this.#requests, request);
  }

  /**
   * The partition reassignments running now (all, or those of the named partitions), with the
   * replicas (target first, then those that leave), the adding and the removing replicas (Kafka's
   * `Admin.listPartitionReassignments`). A partition missing from the answer is not moving.
   *
   * @example
   * ```ts
   * await admin.listPartitionReassignments();
   * // [{ topic: "orders", partition: 0, replicas: [1, 2, 0], addingReplicas: [], removingReplicas: [0] }]
   * ```
   */
  listPartitionReassignments(request: { partitions?: WireTopicPartition[] } = {}): Promise<WireOngoingReassignment[]> {
    return listPartitionReassignments(this.#requests, request);
  }
}
