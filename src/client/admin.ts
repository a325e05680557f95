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
import { EdgelogError } from "../core/errors.ts";
import type {
  AlterConfigsResponse,
  AlterPartitionReassignmentsResponse,
  ElectLeadersResponse,
  ListPartitionReassignmentsResponse,
  WireElectionType,
  WireOngoingReassignment,
  WireTopicPartition,
  CreatePartitionsResponse,
  CreateTopicsResponse,
  DeleteGroupsResponse,
  DeleteRecordsResponse,
  DeleteTopicsResponse,
  DescribeConfigsResponse,
  DescribeGroupsResponse,
  DescribeLagResponse,
  GroupState,
  ListGroupsResponse,
  ListOffsetsResponse,
  MetadataResponse,
  ResetOffsetsResponse,
  WireError,
  WireGroupDescription,
  WireGroupLag,
  WireGroupListing,
  WirePartitionsQuery,
  WirePlannedOffset,
  WireResetSpec,
} from "../protocol/index.ts";
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
import { AdminRouter } from "./admin-routing.ts";
import { BrokerPool } from "./broker-pool.ts";
import type { Connection } from "./connection.ts";
import { type ResolvedRetry, resolveRetry, withRetry } from "./retry.ts";
import { fromWireError } from "./wire-error.ts";

const DEFAULT_TIMEOUT_MS = 30_000;
/** Extra time the client waits beyond the broker-side timeout of an operation. */
const REPLY_MARGIN_MS = 5_000;

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
  readonly #router: AdminRouter;
  readonly #ownsConnection: boolean;
  readonly #retry: ResolvedRetry;
  readonly #timeoutMs: number;

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
    this.#router = new AdminRouter(this.#pool);
    this.#ownsConnection = settings.ownsConnection ?? true;
    this.#retry = resolveRetry(options.retry, settings.retry);
    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    if (!Number.isInteger(timeoutMs) || timeoutMs < 0) throw new RangeError(`timeoutMs must be a non-negative integer, got ${timeoutMs}`);
    this.#timeoutMs = timeoutMs;
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
  async createTopics(request: { topics: NewTopicSpec[]; validateOnly?: boolean; timeoutMs?: number }): Promise<boolean> {
    const topics = list(request?.topics, "createTopics() topics").map((t, i) => {
      if (t === null || typeof t !== "object" || typeof t.topic !== "string") throw new TypeError(`createTopics() topic ${i} needs a name`);
      const configs: Record<string, string> = {};
      for (const entry of t.configEntries ?? []) configs[entry.name] = String(entry.value);
      for (const [key, value] of Object.entries(t.configs ?? {})) configs[key] = String(value);
      return {
        topic: t.topic,
        ...(t.numPartitions === undefined ? {} : { numPartitions: t.numPartitions }),
        ...(t.replicationFactor === undefined ? {} : { replicationFactor: t.replicationFactor }),
        configs,
      };
    });
    const timeoutMs = request.timeoutMs ?? this.#timeoutMs;
    const reply = await this.#call<CreateTopicsResponse>("createTopics", { topics, validateOnly: request.validateOnly ?? false, timeoutMs }, timeoutMs);
    let allCreated = true;
    for (const result of reply.topics) {
      if (result.error === undefined) continue;
      if (result.error.code === "TOPIC_ALREADY_EXISTS") allCreated = false;
      else throw itemError(result.error, { topic: result.topic });
    }
    return allCreated;
  }

  /**
   * Deletes topics; rejects with the first per-topic error (e.g. `UNKNOWN_TOPIC_OR_PARTITION`).
   *
   * @example
   * ```ts
   * await admin.deleteTopics({ topics: ["orders"] });
   * ```
   */
  async deleteTopics(request: { topics: string[]; timeoutMs?: number }): Promise<void> {
    const topics = list(request?.topics, "deleteTopics() topics");
    const timeoutMs = request.timeoutMs ?? this.#timeoutMs;
    const reply = await this.#call<DeleteTopicsResponse>("deleteTopics", { topics, timeoutMs }, timeoutMs);
    for (const result of reply.topics) if (result.error !== undefined) throw itemError(result.error, { topic: result.topic });
  }

  /**
   * The names of every topic, internal ones excluded.
   *
   * @example
   * ```ts
   * await admin.listTopics(); // ["orders", "payments"]
   * ```
   */
  async listTopics(): Promise<string[]> {
    const reply = await this.#call<MetadataResponse>("metadata", { topics: null });
    return reply.topics.filter((t) => t.error === undefined && !t.internal).map((t) => t.topic);
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
  async fetchTopicMetadata(request: { topics?: string[] } = {}): Promise<{ topics: TopicDescription[] }> {
    const topics = request.topics === undefined ? null : list(request.topics, "fetchTopicMetadata() topics");
    const reply = await this.#call<MetadataResponse>("metadata", { topics });
    return {
      topics: reply.topics.map((t) => {
        if (t.error !== undefined) throw itemError(t.error, { topic: t.topic });
        return {
          name: t.topic,
          partitions: t.partitions.map((p) => ({
            partitionId: p.partition,
            leader: p.leader,
            leaderEpoch: p.leaderEpoch,
            replicas: p.replicas,
            isr: p.isr,
            offlineReplicas: p.offlineReplicas,
            partitionErrorCode: p.error === undefined ? 0 : fromWireError(p.error).kafkaCode,
          })),
        };
      }),
    };
  }

  /**
   * The cluster id, the controller and the brokers with their WebSocket URLs.
   *
   * @example
   * ```ts
   * (await admin.describeCluster()).brokers; // [{ nodeId: 1, url: "ws://localhost:9092/", rack: null }]
   * ```
   */
  async describeCluster(): Promise<ClusterDescription> {
    const reply = await this.#call<MetadataResponse>("metadata", { topics: [] });
    return {
      clusterId: reply.clusterId,
      controller: reply.controllerId,
      brokers: reply.brokers.map((b) => ({ nodeId: b.brokerId, url: b.url, rack: b.rack })),
    };
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
  async createPartitions(request: { topicPartitions: { topic: string; count: number }[]; validateOnly?: boolean; timeoutMs?: number }): Promise<void> {
    const topics = list(request?.topicPartitions, "createPartitions() topicPartitions").map((t) => ({ topic: t.topic, count: t.count }));
    const timeoutMs = request.timeoutMs ?? this.#timeoutMs;
    const reply = await this.#call<CreatePartitionsResponse>(
      "createPartitions",
      { topics, validateOnly: request.validateOnly ?? false, timeoutMs },
      timeoutMs,
    );
    for (const result of reply.topics) if (result.error !== undefined) throw itemError(result.error, { topic: result.topic });
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
  async describeConfigs(request: { resources: DescribeConfigResource[] }): Promise<{ resources: DescribedConfigs[] }> {
    const resources = list(request?.resources, "describeConfigs() resources").map((r) => ({
      type: r.type,
      name: r.name,
      keys: r.configNames ?? null,
    }));
    const reply = await this.#call<DescribeConfigsResponse>("describeConfigs", { resources });
    return {
      resources: reply.resources.map((r) => {
        if (r.error !== undefined) throw itemError(r.error, { type: r.type, name: r.name });
        return {
          type: r.type,
          name: r.name,
          configEntries: r.configs.map((c) => ({
            configName: c.key,
            configValue: c.value,
            readOnly: c.readOnly,
            isDefault: c.source === "DEFAULT_CONFIG",
            configSource: c.source,
            isSensitive: c.sensitive,
          })),
        };
      }),
    };
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
  async alterConfigs(request: { resources: ConfigAlterationSpec[]; validateOnly?: boolean }): Promise<void> {
    const resources = list(request?.resources, "alterConfigs() resources").map((r) => {
      const set: Record<string, string> = {};
      for (const [key, value] of Object.entries(r.set ?? {})) set[key] = String(value);
      return { type: r.type, name: r.name, set, delete: r.delete ?? [] };
    });
    const reply = await this.#call<AlterConfigsResponse>("alterConfigs", { resources, validateOnly: request.validateOnly ?? false });
    for (const r of reply.resources) if (r.error !== undefined) throw itemError(r.error, { type: r.type, name: r.name });
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
  async deleteRecords(request: {
    topic: string;
    partitions: { partition: number; offset: number | string }[];
    timeoutMs?: number;
  }): Promise<{ partition: number; lowWatermark: number }[]> {
    const partitions = list(request?.partitions, "deleteRecords() partitions").map((p) => ({
      partition: p.partition,
      offset: typeof p.offset === "string" ? Number(p.offset) : p.offset,
    }));
    const timeoutMs = request.timeoutMs ?? this.#timeoutMs;
    const reply = await this.#call<DeleteRecordsResponse>("deleteRecords", { topic: request.topic, partitions, timeoutMs }, timeoutMs);
    return reply.partitions.map((p) => {
      if (p.error !== undefined) throw itemError(p.error, { topic: request.topic, partition: p.partition });
      return { partition: p.partition, lowWatermark: p.lowWatermark };
    });
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
  async listOffsets(request: { topic: string; partitions: { partition: number; timestamp: OffsetSpec }[] }): Promise<ListedOffset[]> {
    const partitions = list(request?.partitions, "listOffsets() partitions").map((p) => ({ partition: p.partition, timestamp: p.timestamp }));
    const reply = await this.#call<ListOffsetsResponse>("listOffsets", { topic: request.topic, partitions });
    return reply.partitions.map((p) => {
      if (p.error !== undefined) throw itemError(p.error, { topic: request.topic, partition: p.partition });
      return { partition: p.partition, offset: p.offset, timestamp: p.timestamp, leaderEpoch: p.leaderEpoch };
    });
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
  async fetchTopicOffsets(topic: string): Promise<{ partition: number; offset: number; high: number; low: number }[]> {
    const partitions = await this.#partitionsOf(topic);
    const [latest, earliest] = await Promise.all([
      this.listOffsets({ topic, partitions: partitions.map((partition) => ({ partition, timestamp: "latest" as const })) }),
      this.listOffsets({ topic, partitions: partitions.map((partition) => ({ partition, timestamp: "earliest" as const })) }),
    ]);
    return latest.map((l, i) => ({ partition: l.partition, offset: l.offset, high: l.offset, low: earliest[i]!.offset }));
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
  async fetchTopicOffsetsByTimestamp(topic: string, timestamp?: number): Promise<{ partition: number; offset: number }[]> {
    const partitions = await this.#partitionsOf(topic);
    const found =
      timestamp === undefined
        ? []
        : await this.listOffsets({ topic, partitions: partitions.map((partition) => ({ partition, timestamp })) });
    const missing = partitions.filter((p) => !found.some((f) => f.partition === p && f.offset >= 0));
    const latest =
      missing.length === 0 ? [] : await this.listOffsets({ topic, partitions: missing.map((partition) => ({ partition, timestamp: "latest" as const })) });
    return partitions.map((partition) => {
      const hit = found.find((f) => f.partition === partition && f.offset >= 0) ?? latest.find((l) => l.partition === partition);
      return { partition, offset: hit!.offset };
    });
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
  async listGroups(options: { states?: GroupState[] } = {}): Promise<{ groups: WireGroupListing[] }> {
    const reply = await this.#call<ListGroupsResponse>("listGroups", options.states === undefined ? {} : { states: options.states });
    return { groups: reply.groups };
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
  async describeGroups(groupIds: string[]): Promise<{ groups: Omit<WireGroupDescription, "error">[] }> {
    const reply = await this.#call<DescribeGroupsResponse>("describeGroups", { groupIds: list(groupIds, "describeGroups() groupIds") });
    return { groups: reply.groups.map((g) => withoutNotFound(g)) };
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
  async describeLag(groupIds: string[]): Promise<{ groups: Omit<WireGroupLag, "error">[] }> {
    const reply = await this.#call<DescribeLagResponse>("describeLag", { groupIds: list(groupIds, "describeLag() groupIds") });
    return { groups: reply.groups.map((g) => withoutNotFound(g)) };
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
  async deleteGroups(groupIds: string[]): Promise<{ groupId: string; error?: EdgelogError }[]> {
    const reply = await this.#call<DeleteGroupsResponse>("deleteGroups", { groupIds: list(groupIds, "deleteGroups() groupIds") });
    return reply.groups.map((g) => (g.error === undefined ? { groupId: g.groupId } : { groupId: g.groupId, error: itemError(g.error, { groupId: g.groupId }) }));
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
  async resetOffsets(request: {
    groupId: string;
    topics?: WirePartitionsQuery[];
    spec: WireResetSpec;
    execute?: boolean;
    force?: boolean;
  }): Promise<{ groupId: string; executed: boolean; partitions: WirePlannedOffset[] }> {
    if (request === null || typeof request !== "object" || typeof request.groupId !== "string") throw new TypeError("resetOffsets() needs { groupId, spec }");
    const body: Record<string, unknown> = { groupId: request.groupId, spec: request.spec, execute: request.execute ?? false, force: request.force ?? false };
    if (request.topics !== undefined) body["topics"] = list(request.topics, "resetOffsets() topics");
    const reply = await this.#call<ResetOffsetsResponse>("resetOffsets", body);
    return { groupId: reply.groupId, executed: reply.executed, partitions: reply.partitions };
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
  async electLeaders(request: {
    electionType: WireElectionType;
    partitions?: WireTopicPartition[];
    timeoutMs?: number;
  }): Promise<{ topic: string; partition: number; leader?: number; error?: EdgelogError }[]> {
    if (request === null || typeof request !== "object" || (request.electionType !== "preferred" && request.electionType !== "unclean")) {
      throw new TypeError('electLeaders() needs { electionType: "preferred" | "unclean" }');
    }
    const timeoutMs = request.timeoutMs ?? this.#timeoutMs;
    const body: Record<string, unknown> = { electionType: request.electionType, timeoutMs };
    if (request.partitions !== undefined) body["partitions"] = list(request.partitions, "electLeaders() partitions");
    const reply = await this.#call<ElectLeadersResponse>("electLeaders", body, timeoutMs);
    return reply.partitions.map(({ topic, partition, leader, error }) => ({
      topic,
      partition,
      ...(leader === undefined ? {} : { leader }),
      ...(error === undefined ? {} : { error: itemError(error, { topic, partition }) }),
    }));
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
  async alterPartitionReassignments(request: {
    partitions: { topic: string; partition: number; replicas: number[] | null }[];
    timeoutMs?: number;
  }): Promise<{ topic: string; partition: number; error?: EdgelogError }[]> {
    const partitions = list(request?.partitions, "alterPartitionReassignments() partitions");
    const timeoutMs = request.timeoutMs ?? this.#timeoutMs;
    const reply = await this.#call<AlterPartitionReassignmentsResponse>("alterPartitionReassignments", { partitions, timeoutMs }, timeoutMs);
    return reply.partitions.map(({ topic, partition, error }) =>
      error === undefined ? { topic, partition } : { topic, partition, error: itemError(error, { topic, partition }) },
    );
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
  async listPartitionReassignments(request: { partitions?: WireTopicPartition[] } = {}): Promise<WireOngoingReassignment[]> {
    const body: Record<string, unknown> = {};
    if (request.partitions !== undefined) body["partitions"] = list(request.partitions, "listPartitionReassignments() partitions");
    const reply = await this.#call<ListPartitionReassignmentsResponse>("listPartitionReassignments", body);
    return reply.reassignments;
  }

  async #partitionsOf(topic: string): Promise<number[]> {
    const { topics } = await this.fetchTopicMetadata({ topics: [topic] });
    return topics[0]!.partitions.map((p) => p.partitionId).sort((a, b) => a - b);
  }

  /** One request (to the broker that serves it), retried while it fails as a whole with a retriable error. */
  #call<T>(op: string, body: Record<string, unknown>, brokerTimeoutMs?: number): Promise<T> {
    const options = brokerTimeoutMs === undefined ? {} : { timeoutMs: brokerTimeoutMs + REPLY_MARGIN_MS };
    return withRetry(() => this.#router.request<T>(op, body, options), this.#retry);
  }
}

function list<T>(value: T[] | undefined, what: string): T[] {
  if (!Array.isArray(value) || value.length === 0) throw new TypeError(`${what} must list at least one item`);
  return value;
}

/** A per-item error, with the item named in `details`. */
function itemError(wire: WireError, item: Record<string, string | number>): EdgelogError {
  const error = fromWireError(wire);
  return new EdgelogError(error.code, error.message, { retriable: error.retriable, details: { ...error.details, ...item } });
}

/** A group answer without its error: GROUP_ID_NOT_FOUND stays a `Dead` group; other errors throw. */
function withoutNotFound<T extends { groupId: string; error?: WireError }>(group: T): Omit<T, "error"> {
  const { error, ...rest } = group;
  if (error !== undefined && error.code !== "GROUP_ID_NOT_FOUND") throw itemError(error, { groupId: group.groupId });
  return rest;
}
