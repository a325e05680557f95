/**
 * Topics of a cluster: create (replicas assigned across the live brokers as Kafka does, leaders
 * elected, every partition's first state written with the topic in one transaction), add
 * partitions, change configs and delete, each checked as the single-broker registry checks it
 * (same errors and messages) and written with compare-and-swap.
 *
 * A topic with more partitions than fit in one transaction gets the rest in further ones; the
 * controller creates any partition state still missing from the assignment stored with the topic.
 *
 * @example
 * ```ts
 * const created = await createTopicInCluster(ctx, "orders", { partitions: 6, replicationFactor: 3 });
 * created.assignment[0]; // e.g. [2, 3, 1]
 * await createPartitionsInCluster(ctx, "orders", 12);
 * await deleteTopicInCluster(ctx, "orders");
 * ```
 * @module
 */
import { EdgelogError } from "../errors.ts";
import type { TxnCompare, TxnOp } from "../ports/coordination.ts";
import { topicConfigKey, validateTopicConfigs } from "../topic/topic-config.ts";
import { newTopicId, ZERO_TOPIC_ID } from "../topic/topic-id.ts";
import { topicNamesCollide, validateTopicName } from "../topic/topic-name.ts";
import { MAX_PARTITIONS_PER_REQUEST } from "../topic/topic-registry.ts";
import { oneLine } from "../config/config-def.ts";
import { TXN_BATCH, type ClusterAdminContext } from "./admin-context.ts";
import { encodePartitionRecord, encodeTopicRecord, type PartitionRecord, type TopicRecordValue } from "./cluster-records.ts";
import { liveBrokerIds, partitionId, readClusterSnapshot, type ClusterSnapshot, type StoredTopic } from "./cluster-snapshot.ts";
import type { ClusterTopic } from "./cluster-view.ts";
import { assignReplicas, checkReplicaAssignment } from "./replica-assignment.ts";

/**
 * Options for {@link createTopicInCluster}.
 *
 * @example
 * ```ts
 * const options: CreateClusterTopicOptions = { partitions: 3, replicationFactor: 3, configs: { "min.insync.replicas": "2" } };
 * ```
 */
export interface CreateClusterTopicOptions {
  /** Omitted or -1: `num.partitions`. */
  partitions?: number;
  /** Omitted or -1: `default.replication.factor`. */
  replicationFactor?: number;
  /** Replicas per partition given by hand (then partitions and replicationFactor must be omitted or -1). */
  replicaAssignment?: number[][];
  configs?: Record<string, string>;
  /** Check everything, change nothing; the id is all zeros. */
  validateOnly?: boolean;
}

/**
 * A topic as created or changed, with its id, its replica assignment and the store revision of the write.
 *
 * @example
 * ```ts
 * const t: ClusterTopicDescription = await createTopicInCluster(ctx, "orders", { partitions: 1 });
 * await view.waitForRevision(t.revision);
 * ```
 */
export interface ClusterTopicDescription extends ClusterTopic {
  id: string;
  assignment: number[][];
  /** The store revision of the write (0 for validateOnly). */
  revision: number;
}

/**
 * A partition's first state: the live replicas of its assignment in sync, the first of them leading.
 *
 * @example
 * ```ts
 * initialPartitionRecord([2, 3, 1], new Set([1, 3])); // { replicas: [2, 3, 1], leader: 3, leaderEpoch: 0, isr: [3, 1] }
 * ```
 */
export function initialPartitionRecord(replicas: readonly number[], live: ReadonlySet<number>): PartitionRecord {
  const alive = replicas.filter((id) => live.has(id));
  // An empty partition loses nothing whoever leads it: with no live replica every replica is in sync.
  return { replicas: [...replicas], leader: alive[0] ?? -1, leaderEpoch: 0, isr: alive.length > 0 ? alive : [...replicas] };
}

/**
 * Creates a topic; throws TOPIC_ALREADY_EXISTS, INVALID_TOPIC_EXCEPTION, INVALID_PARTITIONS,
 * INVALID_REPLICATION_FACTOR (more replicas than live brokers), INVALID_REPLICA_ASSIGNMENT,
 * INVALID_CONFIG, POLICY_VIOLATION or INVALID_REQUEST as Kafka's CreateTopics does.
 *
 * @example
 * ```ts
 * await createTopicInCluster(ctx, "orders", { partitions: 3, replicationFactor: 3 });
 * ```
 */
export async function createTopicInCluster(
  ctx: ClusterAdminContext,
  name: string,
  options: CreateClusterTopicOptions = {},
): Promise<ClusterTopicDescription> {
  validateTopicName(name);
  const manual = options.replicaAssignment;
  const unset = (value: number | undefined): boolean => value === undefined || value === -1;
  if (manual !== undefined && (!unset(options.partitions) || !unset(options.replicationFactor))) {
    throw new EdgelogError("INVALID_REQUEST", "Both numPartitions or replicationFactor and replicasAssignments were set. Both cannot be used at the same time.");
  }
  const configs = validateTopicConfigs(options.configs ?? {});
  const { snapshot } = await readClusterSnapshot(ctx.store, ctx.keys, ctx.logger);
  checkNewName(snapshot, name);
  const live = [...liveBrokerIds(snapshot)].sort((a, b) => a - b);
  let assignment: number[][];
  if (manual !== undefined) {
    checkReplicaAssignment(manual, live);
    if (manual.length > MAX_PARTITIONS_PER_REQUEST) throw tooManyPartitions();
    assignment = manual.map((r) => [...r]);
  } else {
    const partitions = unset(options.partitions) ? ctx.numPartitions : options.partitions!;
    if (!Number.isInteger(partitions) || partitions < 1) {
      throw new EdgelogError("INVALID_PARTITIONS", "Number of partitions was set to an invalid non-positive value.");
    }
    if (partitions > MAX_PARTITIONS_PER_REQUEST) throw tooManyPartitions();
    const factor = unset(options.replicationFactor) ? ctx.defaultReplicationFactor : options.replicationFactor!;
    if (!Number.isInteger(factor) || factor < 1) {
      throw new EdgelogError("INVALID_REPLICATION_FACTOR", "Replication factor must be larger than 0, or -1 to use the default value.");
    }
    if (factor > live.length) {
      throw new EdgelogError(
        "INVALID_REPLICATION_FACTOR",
        `Unable to replicate the partition ${factor} time(s): The target replication factor of ${factor} cannot be reached because only ${live.length} broker(s) are registered.`,
      );
    }
    assignment = assignReplicas({ brokers: live, partitions, replicationFactor: factor, random: ctx.random });
  }
  const record: TopicRecordValue = {
    id: options.validateOnly ? ZERO_TOPIC_ID : newTopicId(),
    partitions: assignment.length,
    replicationFactor: assignment[0]!.length,
    configs,
    assignment,
  };
  if (options.validateOnly) return describe(name, record, 0);

  const topicKey = ctx.keys.topic(name);
  const liveSet = new Set(live);
  const puts = assignment.map((replicas, p): TxnOp => ({
    type: "put",
    key: ctx.keys.partition(name, p),
    value: encodePartitionRecord(initialPartitionRecord(replicas, liveSet)),
  }));
  const first = await ctx.store.txn({
    compare: [{ key: topicKey, target: "createRevision", op: "=", value: 0 }],
    success: [{ type: "put", key: topicKey, value: encodeTopicRecord(record) }, ...puts.slice(0, TXN_BATCH - 1)],
  });
  if (!first.succeeded) throw new EdgelogError("TOPIC_ALREADY_EXISTS", `Topic '${name}' already exists.`, { details: { topic: name } });
  const revision = await writeRemaining(ctx, name, first.revision, puts.slice(TXN_BATCH - 1));
  ctx.logger("info", `Created topic ${name} with ${record.partitions} partition(s), replication factor ${record.replicationFactor}`);
  return describe(name, record, revision);
}

/**
 * Raises a topic's partition count to `totalCount`, assigning the new partitions as Kafka does
 * (continuing the pattern of partition 0) unless `replicaAssignment` lists them (new ones only).
 *
 * @example
 * ```ts
 * await createPartitionsInCluster(ctx, "orders", 6);
 * ```
 */
export async function createPartitionsInCluster(
  ctx: ClusterAdminContext,
  name: string,
  totalCount: number,
  options: { replicaAssignment?: number[][]; validateOnly?: boolean } = {},
): Promise<ClusterTopicDescription> {
  for (let attempt = 0; ; attempt++) {
    const { snapshot } = await readClusterSnapshot(ctx.store, ctx.keys, ctx.logger);
    const topic = existingTopic(snapshot, name);
    if (!Number.isInteger(totalCount) || totalCount < 1) {
      throw new EdgelogError("INVALID_PARTITIONS", `The partition count must be a positive integer, got ${String(totalCount)}.`);
    }
    if (totalCount < topic.partitions) {
      throw new EdgelogError("INVALID_PARTITIONS", `Topic currently has ${topic.partitions} partitions, which is higher than the requested ${totalCount}.`);
    }
    if (totalCount === topic.partitions) throw new EdgelogError("INVALID_PARTITIONS", `Topic already has ${topic.partitions} partition(s).`);
    const adding = totalCount - topic.partitions;
    if (adding > MAX_PARTITIONS_PER_REQUEST) throw tooManyPartitions();
    const live = [...liveBrokerIds(snapshot)].sort((a, b) => a - b);
    let added: number[][];
    if (options.replicaAssignment !== undefined) {
      if (options.replicaAssignment.length !== adding) {
        throw new EdgelogError("INVALID_REPLICA_ASSIGNMENT", `Increasing the number of partitions by ${adding} but ${options.replicaAssignment.length} assignments provided.`);
      }
      const factor = checkReplicaAssignment(options.replicaAssignment, live);
      if (factor !== topic.replicationFactor) {
        throw new EdgelogError("INVALID_REPLICA_ASSIGNMENT", `The replication factor of the new partitions (${factor}) differs from the topic's (${topic.replicationFactor}).`);
      }
      added = options.replicaAssignment.map((r) => [...r]);
    } else {
      if (topic.replicationFactor > live.length) {
        throw new EdgelogError("INVALID_REPLICATION_FACTOR", `Replication factor: ${topic.replicationFactor} larger than available brokers: ${live.length}.`);
      }
      const firstReplica = snapshot.partitions.get(partitionId(name, 0))?.replicas[0] ?? topic.assignment[0]![0]!;
      const startIndex = Math.max(0, live.findIndex((id) => id >= firstReplica));
      added = assignReplicas({
        brokers: live,
        partitions: adding,
        replicationFactor: topic.replicationFactor,
        startPartition: topic.partitions,
        fixedStartIndex: startIndex,
      });
    }
    const record: TopicRecordValue = { ...topic, partitions: totalCount, assignment: [...topic.assignment, ...added] };
    if (options.validateOnly) return describe(name, record, 0);
    const topicKey = ctx.keys.topic(name);
    const liveSet = new Set(live);
    const puts = added.map((replicas, i): TxnOp => ({
      type: "put",
      key: ctx.keys.partition(name, topic.partitions + i),
      value: encodePartitionRecord(initialPartitionRecord(replicas, liveSet)),
    }));
    const first = await ctx.store.txn({
      compare: [{ key: topicKey, target: "modRevision", op: "=", value: topic.version }],
      success: [{ type: "put", key: topicKey, value: encodeTopicRecord(record) }, ...puts.slice(0, TXN_BATCH - 1)],
    });
    if (!first.succeeded) {
      if (attempt < 4) continue;
      throw new EdgelogError("REQUEST_TIMED_OUT", `Topic '${name}' kept changing while partitions were added; try again`);
    }
    const revision = await writeRemaining(ctx, name, first.revision, puts.slice(TXN_BATCH - 1));
    ctx.logger("info", `Topic ${name} has ${totalCount} partition(s) now (was ${topic.partitions})`);
    return describe(name, record, revision);
  }
}

/**
 * Sets and removes config overrides of a topic (INVALID_CONFIG for an unknown key or bad value).
 *
 * @example
 * ```ts
 * await alterTopicConfigsInCluster(ctx, "orders", { "retention.ms": "3600000" }, ["cleanup.policy"]);
 * ```
 */
export async function alterTopicConfigsInCluster(
  ctx: ClusterAdminContext,
  name: string,
  set: Record<string, string>,
  remove: string[] = [],
  options: { validateOnly?: boolean } = {},
): Promise<ClusterTopicDescription> {
  for (const key of remove) {
    if (Object.hasOwn(set, key)) throw new EdgelogError("INVALID_REQUEST", `Error due to duplicate config keys: ${key}`);
    if (!topicConfigKey(key)) throw new EdgelogError("INVALID_CONFIG", `Unknown topic config name: ${key}`, { details: { config: key } });
  }
  for (let attempt = 0; ; attempt++) {
    const { snapshot } = await readClusterSnapshot(ctx.store, ctx.keys, ctx.logger);
    const topic = existingTopic(snapshot, name);
    const merged: Record<string, string> = { ...topic.configs, ...set };
    for (const key of remove) delete merged[key];
    const record: TopicRecordValue = { ...topic, configs: validateTopicConfigs(merged) };
    if (options.validateOnly) return describe(name, record, 0);
    const topicKey = ctx.keys.topic(name);
    const result = await ctx.store.txn({
      compare: [{ key: topicKey, target: "modRevision", op: "=", value: topic.version }],
      success: [{ type: "put", key: topicKey, value: encodeTopicRecord(record) }],
    });
    if (result.succeeded) return describe(name, record, result.revision);
    if (attempt >= 4) throw new EdgelogError("REQUEST_TIMED_OUT", `Topic '${name}' kept changing while its configs were altered; try again`);
  }
}

/**
 * Deletes a topic: its key, its partition states and its reassignments (TOPIC_DELETION_DISABLED
 * when `delete.topic.enable` is false; UNKNOWN_TOPIC_OR_PARTITION when there is no such topic).
 * Brokers see the topic go at once; partition states a crash leaves behind are deleted by the controller.
 *
 * @example
 * ```ts
 * await deleteTopicInCluster(ctx, "orders");
 * ```
 */
export async function deleteTopicInCluster(ctx: ClusterAdminContext, name: string): Promise<{ revision: number }> {
  for (let attempt = 0; ; attempt++) {
    const { snapshot } = await readClusterSnapshot(ctx.store, ctx.keys, ctx.logger);
    const topic = existingTopic(snapshot, name);
    if (!ctx.deleteTopicEnable) throw new EdgelogError("TOPIC_DELETION_DISABLED", "Topic deletion is disabled.", { details: { topic: name } });
    const topicKey = ctx.keys.topic(name);
    const deletes: TxnOp[] = [];
    for (const s of snapshot.partitions.values()) if (s.topic === name) deletes.push({ type: "delete", key: ctx.keys.partition(name, s.partition) });
    for (const r of snapshot.reassignments.values()) if (r.topic === name) deletes.push({ type: "delete", key: ctx.keys.reassignment(name, r.partition) });
    const first = await ctx.store.txn({
      compare: [{ key: topicKey, target: "modRevision", op: "=", value: topic.version }],
      success: [{ type: "delete", key: topicKey }, ...deletes.slice(0, TXN_BATCH - 1)],
    });
    if (!first.succeeded) {
      if (attempt < 4) continue;
      throw new EdgelogError("REQUEST_TIMED_OUT", `Topic '${name}' kept changing while it was deleted; try again`);
    }
    // The rest only while no topic of that name was created again.
    const absent: TxnCompare = { key: topicKey, target: "createRevision", op: "=", value: 0 };
    let revision = first.revision;
    for (let i = TXN_BATCH - 1; i < deletes.length; i += TXN_BATCH) {
      const result = await ctx.store.txn({ compare: [absent], success: deletes.slice(i, i + TXN_BATCH) });
      if (!result.succeeded) break;
      revision = result.revision;
    }
    ctx.logger("info", `Deleted topic ${name}`);
    return { revision };
  }
}

/**
 * Writes the partition states beyond the first transaction, each only where none exists (the
 * controller may have created some meanwhile), while the topic stays as written. Answers the
 * highest revision at which a state of the topic was written.
 */
async function writeRemaining(ctx: ClusterAdminContext, name: string, topicRevision: number, puts: TxnOp[]): Promise<number> {
  const topicKey = ctx.keys.topic(name);
  let revision = topicRevision;
  let pending = puts;
  for (let attempt = 0; pending.length > 0 && attempt < 5; attempt++) {
    const failed: TxnOp[] = [];
    for (let i = 0; i < pending.length; i += TXN_BATCH) {
      const batch = pending.slice(i, i + TXN_BATCH);
      const compare: TxnCompare[] = [
        { key: topicKey, target: "modRevision", op: "=", value: topicRevision },
        ...batch.map((op): TxnCompare => ({ key: (op as { key: string }).key, target: "createRevision", op: "=", value: 0 })),
      ];
      const result = await ctx.store.txn({ compare, success: batch });
      if (result.succeeded) revision = Math.max(revision, result.revision);
      else failed.push(...batch);
    }
    if (failed.length === 0) break;
    const [{ entry: topic }, { entries }] = await Promise.all([ctx.store.get(topicKey), ctx.store.getPrefix(ctx.keys.partitionsOf(name))]);
    if (topic?.modRevision !== topicRevision) break; // Changed or deleted: whoever did it owns the rest.
    const existing = new Map(entries.map((e) => [e.key, e.modRevision]));
    for (const op of failed) revision = Math.max(revision, existing.get((op as { key: string }).key) ?? 0);
    pending = failed.filter((op) => !existing.has((op as { key: string }).key));
  }
  return revision;
}

function checkNewName(snapshot: ClusterSnapshot, name: string): void {
  if (snapshot.topics.has(name)) throw new EdgelogError("TOPIC_ALREADY_EXISTS", `Topic '${name}' already exists.`, { details: { topic: name } });
  for (const s of snapshot.partitions.values()) {
    if (s.topic === name) throw new EdgelogError("TOPIC_ALREADY_EXISTS", `Topic '${name}' is marked for deletion.`, { details: { topic: name } });
  }
  for (const other of snapshot.topics.keys()) {
    if (topicNamesCollide(name, other)) {
      throw new EdgelogError("INVALID_TOPIC_EXCEPTION", `Topic '${name}' collides with existing topic: ${other}`, { details: { topic: name } });
    }
  }
}

function existingTopic(snapshot: ClusterSnapshot, name: string): StoredTopic {
  const topic = snapshot.topics.get(name);
  if (topic === undefined) {
    throw new EdgelogError("UNKNOWN_TOPIC_OR_PARTITION", `Topic '${oneLine(String(name))}' does not exist.`, { details: { topic: name } });
  }
  return topic;
}

function tooManyPartitions(): EdgelogError {
  return new EdgelogError("POLICY_VIOLATION", "Excessively large number of partitions per request.");
}

function describe(name: string, record: TopicRecordValue, revision: number): ClusterTopicDescription {
  return {
    name,
    partitions: record.partitions,
    replicationFactor: record.replicationFactor,
    configs: { ...record.configs },
    id: record.id,
    assignment: record.assignment.map((r) => [...r]),
    revision,
  };
}
