/**
 * What a consumer in a consumer group takes and tells: the group options of `client.consumer()`
 * (Kafka's `group.id`, `session.timeout.ms`, `enable.auto.commit`, `auto.commit.interval.ms`,
 * `group.instance.id`, `group.remote.assignor`), the argument of `subscribe()` and
 * `commitOffsets()`, and the events a consumer emits, with the checks that turn malformed input into
 * a `TypeError`/`RangeError`.
 *
 * @example
 * ```ts
 * import { resolveGroupOptions } from "./group-options.ts";
 * const group = resolveGroupOptions({ groupId: "billing", autoCommitIntervalMs: 1000 });
 * group?.autoCommit; // true
 * ```
 * @module
 */
import type { EdgelogError } from "../core/errors.ts";
import { type TopicPartition, toOffset } from "./consumer-options.ts";
import type { AutoOffsetReset } from "./stream-host.ts";

/**
 * The group options of a consumer; see {@link ConsumerOptions}. Without `groupId` the consumer reads
 * the partitions given to `assign()`.
 *
 * @example
 * ```ts
 * const options: GroupConsumerOptions = { groupId: "billing", sessionTimeoutMs: 30_000, autoCommitIntervalMs: 1000 };
 * ```
 */
export interface GroupConsumerOptions {
  /** The consumer group to join (Kafka's `group.id`); `subscribe()` needs it. */
  groupId?: string;
  /** How long the broker waits for a heartbeat before it removes the member; default the broker's (45 000 ms). */
  sessionTimeoutMs?: number;
  /** How often to heartbeat; default the interval the broker answers (3000 ms), at most a third of `sessionTimeoutMs`. */
  heartbeatIntervalMs?: number;
  /** How long the member may take to release revoked partitions; default the broker's (300 000 ms). */
  rebalanceTimeoutMs?: number;
  /** Commit the position of what was processed every `autoCommitIntervalMs`, on revocation and on disconnect; default true. */
  autoCommit?: boolean;
  /** Kafka's `auto.commit.interval.ms`; default 5000. */
  autoCommitIntervalMs?: number;
  /** Kafka's `group.instance.id`: a static member, whose partitions wait for it while it restarts. */
  groupInstanceId?: string;
  /** The server-side assignor: "uniform" (the broker's default), "range", "roundrobin", "sticky", "cooperative-sticky". */
  assignor?: string;
  /**
   * Called when partitions are revoked, after their last records were processed (and, with
   * `autoCommit`, committed) and before the broker is told they are released: the place to commit
   * by hand. The revocation waits for it.
   */
  onPartitionsRevoked?: (partitions: TopicPartition[]) => Promise<void> | void;
}

/**
 * {@link GroupConsumerOptions} checked, with defaults.
 *
 * @example
 * ```ts
 * const resolved: ResolvedGroupOptions = resolveGroupOptions({ groupId: "g" })!;
 * ```
 */
export interface ResolvedGroupOptions {
  groupId: string;
  sessionTimeoutMs: number | undefined;
  heartbeatIntervalMs: number | undefined;
  rebalanceTimeoutMs: number | undefined;
  autoCommit: boolean;
  autoCommitIntervalMs: number;
  groupInstanceId: string | undefined;
  assignor: string | undefined;
  onPartitionsRevoked: ((partitions: TopicPartition[]) => Promise<void> | void) | undefined;
}

const DEFAULT_AUTO_COMMIT_INTERVAL_MS = 5000;

/**
 * Checks the group options; undefined without a `groupId`. A malformed value is a `TypeError` or
 * `RangeError` naming the option.
 *
 * @example
 * ```ts
 * resolveGroupOptions({ groupId: "" }); // throws TypeError: groupId must be a non-empty string
 * ```
 */
export function resolveGroupOptions(options: GroupConsumerOptions): ResolvedGroupOptions | undefined {
  const { groupId } = options;
  const groupOnly = ["sessionTimeoutMs", "heartbeatIntervalMs", "rebalanceTimeoutMs", "autoCommit", "autoCommitIntervalMs", "groupInstanceId", "assignor", "onPartitionsRevoked"] as const;
  if (groupId === undefined) {
    const given = groupOnly.find((key) => options[key] !== undefined);
    if (given !== undefined) throw new TypeError(`${given} needs a groupId`);
    return undefined;
  }
  if (typeof groupId !== "string" || groupId === "") throw new TypeError("groupId must be a non-empty string");
  if (options.autoCommit !== undefined && typeof options.autoCommit !== "boolean") throw new TypeError("autoCommit must be a boolean");
  if (options.groupInstanceId !== undefined && (typeof options.groupInstanceId !== "string" || options.groupInstanceId === "")) {
    throw new TypeError("groupInstanceId must be a non-empty string");
  }
  if (options.assignor !== undefined && (typeof options.assignor !== "string" || options.assignor === "")) throw new TypeError("assignor must be a non-empty string");
  if (options.onPartitionsRevoked !== undefined && typeof options.onPartitionsRevoked !== "function") {
    throw new TypeError("onPartitionsRevoked must be a function");
  }
  return {
    groupId,
    sessionTimeoutMs: optionalMs("sessionTimeoutMs", options.sessionTimeoutMs),
    heartbeatIntervalMs: optionalMs("heartbeatIntervalMs", options.heartbeatIntervalMs),
    rebalanceTimeoutMs: optionalMs("rebalanceTimeoutMs", options.rebalanceTimeoutMs),
    autoCommit: options.autoCommit ?? true,
    autoCommitIntervalMs: optionalMs("autoCommitIntervalMs", options.autoCommitIntervalMs) ?? DEFAULT_AUTO_COMMIT_INTERVAL_MS,
    groupInstanceId: options.groupInstanceId,
    assignor: options.assignor,
    onPartitionsRevoked: options.onPartitionsRevoked,
  };
}

function optionalMs(name: string, value: number | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isSafeInteger(value) || value < 1 || value > 2_147_483_647) throw new RangeError(`${name} must be a positive integer of milliseconds, got ${value}`);
  return value;
}

/**
 * The argument of `subscribe()`, as kafkajs takes it: topics by name or by regular expression
 * (matched against whole topic names by the broker), and `fromBeginning` (true: partitions without
 * a committed offset start at the log start, as `autoOffsetReset: "earliest"`).
 *
 * @example
 * ```ts
 * await consumer.subscribe({ topics: ["orders", /^audit-.+/], fromBeginning: true });
 * ```
 */
export interface SubscribeOptions {
  topics?: (string | RegExp)[];
  topic?: string | RegExp;
  fromBeginning?: boolean;
}

/**
 * A subscription checked: the topic names and the regular expression the broker gets.
 *
 * @example
 * ```ts
 * checkSubscribe({ topic: "orders", fromBeginning: true }); // { topics: ["orders"], pattern: undefined, fromBeginning: true }
 * ```
 */
export function checkSubscribe(options: SubscribeOptions): { topics: string[]; pattern: string | undefined; fromBeginning: boolean | undefined } {
  if (options === null || typeof options !== "object") throw new TypeError("subscribe() needs { topics } or { topic }");
  const list = [...(options.topics ?? []), ...(options.topic === undefined ? [] : [options.topic])];
  if (options.topics !== undefined && !Array.isArray(options.topics)) throw new TypeError("subscribe() topics must be a list");
  if (list.length === 0) throw new TypeError("subscribe() needs at least one topic");
  if (options.fromBeginning !== undefined && typeof options.fromBeginning !== "boolean") throw new TypeError("subscribe() fromBeginning must be a boolean");
  const topics: string[] = [];
  const patterns: string[] = [];
  for (const t of list) {
    if (typeof t === "string" && t !== "") topics.push(t);
    else if (t instanceof RegExp) patterns.push(`(?:${t.source})`);
    else throw new TypeError("subscribe() topics must be topic names or regular expressions");
  }
  return { topics, pattern: patterns.length === 0 ? undefined : patterns.join("|"), fromBeginning: options.fromBeginning };
}

/**
 * One offset to commit: the next offset to consume of a partition (as Kafka commits), with optional
 * metadata (at most 4096 UTF-8 bytes by default).
 *
 * @example
 * ```ts
 * await consumer.commitOffsets([{ topic: "orders", partition: 0, offset: record.offset + 1 }]);
 * ```
 */
export interface TopicPartitionOffset {
  topic: string;
  partition: number;
  offset: number | string;
  metadata?: string;
}

/**
 * Checks the argument of `commitOffsets()`: a `TypeError` naming the entry that is malformed.
 *
 * @example
 * ```ts
 * checkCommitOffsets([{ topic: "orders", partition: 0, offset: "42" }]); // [{ topic: "orders", partition: 0, offset: 42 }]
 * ```
 */
export function checkCommitOffsets(offsets: TopicPartitionOffset[]): { topic: string; partition: number; offset: number; metadata?: string }[] {
  if (!Array.isArray(offsets)) throw new TypeError("commitOffsets() needs a list of { topic, partition, offset }");
  return offsets.map((o, i) => {
    if (o === null || typeof o !== "object" || typeof o.topic !== "string" || !Number.isInteger(o.partition) || o.partition < 0) {
      throw new TypeError(`commitOffsets() entry ${i} must be { topic, partition, offset }`);
    }
    if (o.metadata !== undefined && typeof o.metadata !== "string") throw new TypeError(`commitOffsets() entry ${i} metadata must be a string`);
    const offset = toOffset(o.offset, `commitOffsets() entry ${i} offset`);
    return { topic: o.topic, partition: o.partition, offset, ...(o.metadata === undefined ? {} : { metadata: o.metadata }) };
  });
}

/**
 * Partitions by topic, as a group assignment lists them.
 *
 * @example
 * ```ts
 * const assignment: GroupAssignment = [{ topic: "orders", partitions: [0, 2] }];
 * ```
 */
export type GroupAssignment = { topic: string; partitions: number[] }[];

/**
 * What {@link Consumer.on} listeners receive, named after kafkajs's consumer events.
 *
 * @example
 * ```ts
 * consumer.on("rebalance", ({ assigned, revoked }) => console.log("got", assigned, "gave up", revoked));
 * ```
 */
export interface ConsumerEvents {
  /** The member joined the group (again, after a rejoin): its id, epoch and first assignment. */
  "group.join": { groupId: string; memberId: string; memberEpoch: number; assignment: GroupAssignment };
  /**
   * The assignment changed: partitions gained, revoked (released after processing) or lost (taken
   * away without a commit: the member was fenced or removed, or the broker forgot it).
   */
  rebalance: {
    groupId: string;
    memberId: string;
    memberEpoch: number;
    assigned: TopicPartition[];
    revoked: TopicPartition[];
    lost: TopicPartition[];
    assignment: GroupAssignment;
  };
  /** Offsets were committed (by hand or automatically). */
  commit: { groupId: string; offsets: { topic: string; partition: number; offset: number }[] };
  /** A heartbeat was answered. */
  heartbeat: { groupId: string; memberId: string; memberEpoch: number };
  /** The consumer stopped for good with this error (the iteration and `run()` throw it too). */
  crash: { error: EdgelogError; groupId: string | undefined };
}

/**
 * The policy of a group subscription: `fromBeginning` wins over the consumer's `autoOffsetReset`,
 * whose default in a group is Kafka's "latest".
 *
 * @example
 * ```ts
 * groupOffsetReset(undefined, true); // "earliest"
 * ```
 */
export function groupOffsetReset(configured: AutoOffsetReset | undefined, fromBeginning: boolean | undefined): AutoOffsetReset {
  if (fromBeginning === true) return "earliest";
  return configured ?? "latest";
}
