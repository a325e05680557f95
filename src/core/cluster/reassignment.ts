/**
 * Moving partitions between brokers (Kafka's AlterPartitionReassignments, `edgelog
 * reassign-partitions`), with Kafka's plan format
 * `{"version":1,"partitions":[{"topic":"orders","partition":0,"replicas":[2,3,4]}]}`:
 *
 * 1. Start: the partition's replicas become the target followed by the replicas that leave, so the
 *    new replicas start fetching; `reassignments/<topic>/<p>` records the target and the original.
 * 2. The leader adds each new replica to the ISR once it has caught up (replication, via alterIsr).
 * 3. The controller completes it once every target replica is in the ISR: the replicas become the
 *    target, the others leave the ISR, leadership moves when the leader leaves (see
 *    `completeReassignment`). A reassignment whose target is in sync already (a reordering, a
 *    removal) completes when it starts.
 *
 * {@link describeReassignments} reports progress; {@link cancelReassignmentsInCluster} goes back to
 * the original replicas; {@link planDecommission} moves every replica off a broker, after which
 * ({@link replicasOnBroker} is empty) the broker can be shut down for good.
 *
 * @example
 * ```ts
 * const plan = parseReassignmentPlan(await readFile("plan.json"));
 * await reassignPartitionsInCluster(ctx, plan);
 * describeReassignments(snapshot); // [{ topic, partition, addingReplicas: [4], inSyncAdding: [], ... }]
 * ```
 * @module
 */
import { EdgelogError, type ErrorCode } from "../errors.ts";
import { TXN_BATCH, type ClusterAdminContext } from "./admin-context.ts";
import type { PartitionRecord } from "./cluster-records.ts";
import { byTopicPartition, liveBrokerIds, partitionId, readClusterSnapshot, visiblePartition, visiblePartitions, type ClusterSnapshot } from "./cluster-snapshot.ts";
import type { TopicPartition } from "./leader-election.ts";
import { applyPartitionChange, type PartitionChange } from "./partition-change.ts";
import { completeReassignment, replicasDuringReassignment } from "./partition-election.ts";

/**
 * Kafka's reassignment JSON.
 *
 * @example
 * ```ts
 * const plan: ReassignmentPlan = { version: 1, partitions: [{ topic: "orders", partition: 0, replicas: [2, 3, 4] }] };
 * ```
 */
export interface ReassignmentPlan {
  version: 1;
  partitions: { topic: string; partition: number; replicas: number[]; log_dirs?: string[] }[];
}

/**
 * What a reassignment request did for one partition: nothing wrong, or the error.
 *
 * @example
 * ```ts
 * const r: ReassignmentResult = { topic: "orders", partition: 0, error: { code: "INVALID_REPLICA_ASSIGNMENT", message: "..." } };
 * ```
 */
export interface ReassignmentResult extends TopicPartition {
  error?: { code: ErrorCode; message: string };
}

/**
 * A running reassignment and how far it got.
 *
 * @example
 * ```ts
 * const p: ReassignmentProgress = describeReassignments(snapshot)[0]!;
 * console.log(`${p.topic}-${p.partition}: ${p.inSyncAdding.length}/${p.addingReplicas.length} new replicas in sync`);
 * ```
 */
export interface ReassignmentProgress extends TopicPartition {
  /** The replicas now (target first, then those that leave). */
  replicas: number[];
  targetReplicas: number[];
  originalReplicas: number[];
  addingReplicas: number[];
  removingReplicas: number[];
  /** The adding replicas that are in the ISR already. */
  inSyncAdding: number[];
  leader: number;
  isr: number[];
}

/**
 * Reads Kafka's reassignment JSON (a string or a parsed value); INVALID_REQUEST names what is wrong.
 * `log_dirs` is accepted and ignored (a broker has one place per partition).
 *
 * @example
 * ```ts
 * parseReassignmentPlan('{"version":1,"partitions":[{"topic":"t","partition":0,"replicas":[1,2]}]}');
 * ```
 */
export function parseReassignmentPlan(input: string | unknown): ReassignmentPlan {
  let value: unknown = input;
  if (typeof input === "string") {
    try {
      value = JSON.parse(input);
    } catch (error) {
      throw new EdgelogError("INVALID_REQUEST", `The reassignment plan is not JSON: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  const bad = (why: string): EdgelogError => new EdgelogError("INVALID_REQUEST", `Invalid reassignment plan: ${why}`);
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw bad("expected an object with version and partitions");
  const { version, partitions } = value as Record<string, unknown>;
  if (version !== 1) throw bad(`unsupported version ${JSON.stringify(version)}; expected 1`);
  if (!Array.isArray(partitions)) throw bad("partitions must be an array");
  const seen = new Set<string>();
  const entries = partitions.map((item: unknown, i) => {
    if (typeof item !== "object" || item === null) throw bad(`partitions[${i}] is not an object`);
    const { topic, partition, replicas, log_dirs } = item as Record<string, unknown>;
    if (typeof topic !== "string" || topic === "") throw bad(`partitions[${i}].topic must be a topic name`);
    if (!Number.isInteger(partition) || (partition as number) < 0) throw bad(`partitions[${i}].partition must be a partition number`);
    if (!Array.isArray(replicas) || replicas.length === 0 || !replicas.every((id) => Number.isInteger(id) && id >= 0)) {
      throw bad(`partitions[${i}].replicas must be a non-empty list of broker ids`);
    }
    const id = partitionId(topic, partition as number);
    if (seen.has(id)) throw bad(`partition ${topic}-${String(partition)} is listed twice`);
    seen.add(id);
    if (log_dirs !== undefined && (!Array.isArray(log_dirs) || !log_dirs.every((d) => typeof d === "string"))) {
      throw bad(`partitions[${i}].log_dirs must be a list of strings`);
    }
    return { topic, partition: partition as number, replicas: [...(replicas as number[])] };
  });
  return { version: 1, partitions: entries };
}

/**
 * Starts (or replaces) the reassignments of a plan; see the module documentation. Answers per
 * partition: UNKNOWN_TOPIC_OR_PARTITION, INVALID_REPLICA_ASSIGNMENT (duplicates, a broker that is
 * not alive, a replacement that would leave no replica in sync) or success.
 *
 * @example
 * ```ts
 * const results = await reassignPartitionsInCluster(ctx, { version: 1, partitions: [{ topic: "orders", partition: 0, replicas: [2, 3, 4] }] });
 * ```
 */
export async function reassignPartitionsInCluster(ctx: ClusterAdminContext, plan: ReassignmentPlan): Promise<ReassignmentResult[]> {
  const checked = parseReassignmentPlan(plan);
  return await changeEach(ctx, checked.partitions, (snapshot, entry) => {
    const state = visiblePartition(snapshot, entry.topic, entry.partition);
    if (state === undefined) return failure("UNKNOWN_TOPIC_OR_PARTITION", `Partition ${entry.topic}-${entry.partition} does not exist`);
    const target = entry.replicas;
    if (new Set(target).size !== target.length) return failure("INVALID_REPLICA_ASSIGNMENT", `Duplicate replicas in [${target.join(",")}]`);
    const dead = target.filter((id) => !snapshot.brokers.has(id));
    if (dead.length > 0) return failure("INVALID_REPLICA_ASSIGNMENT", `Broker(s) ${dead.join(",")} of [${target.join(",")}] are not alive`);
    const running = snapshot.reassignments.get(partitionId(entry.topic, entry.partition));
    const original = running?.original ?? state.replicas;
    if (running === undefined && sameList(target, state.replicas)) return "nothing";
    const replicas = replicasDuringReassignment(original, target);
    const isr = state.isr.filter((id) => replicas.includes(id));
    if (isr.length === 0) {
      return failure("INVALID_REPLICA_ASSIGNMENT", `No in-sync replica of ${entry.topic}-${entry.partition} [${state.isr.join(",")}] would remain`);
    }
    const live = liveBrokerIds(snapshot);
    const keepLeader = state.leader !== -1 && replicas.includes(state.leader);
    const leader = keepLeader ? state.leader : (replicas.find((id) => isr.includes(id) && live.has(id)) ?? -1);
    const removed = state.replicas.some((id) => !replicas.includes(id));
    const moving: PartitionRecord = {
      replicas,
      leader,
      leaderEpoch: leader !== state.leader || removed ? state.leaderEpoch + 1 : state.leaderEpoch,
      isr,
    };
    const expectedVersion = running?.version ?? 0;
    const done = completeReassignment(moving, { target, original }, live);
    const leaderRevision = (id: number): number | undefined => snapshot.brokers.get(id)?.revision;
    if (done !== undefined) {
      // Completing at once: one epoch bump for the whole change.
      const changed = done.record.leader !== state.leader || state.replicas.some((id) => !done.record.replicas.includes(id));
      const record = { ...done.record, leaderEpoch: changed ? state.leaderEpoch + 1 : state.leaderEpoch };
      const reassignment = running === undefined ? undefined : ({ delete: true, expectedVersion } as const);
      return { state, record, leaderRevision: leaderRevision(record.leader), reassignment };
    }
    return { state, record: moving, leaderRevision: leaderRevision(leader), reassignment: { put: { target, original }, expectedVersion } };
  });
}

/**
 * Cancels running reassignments (all when no partition is named): each partition goes back to its
 * original replicas at once, keeping the ISR members among them (INVALID_REPLICA_ASSIGNMENT when
 * none is in sync; NO_REASSIGNMENT_IN_PROGRESS for a partition that is not moving).
 *
 * @example
 * ```ts
 * await cancelReassignmentsInCluster(ctx, [{ topic: "orders", partition: 0 }]);
 * ```
 */
export async function cancelReassignmentsInCluster(ctx: ClusterAdminContext, partitions?: readonly TopicPartition[]): Promise<ReassignmentResult[]> {
  const targets =
    partitions === undefined
      ? (await readClusterSnapshot(ctx.store, ctx.keys, ctx.logger)).snapshot.reassignments.values()
      : partitions;
  return await changeEach(ctx, [...targets].map(({ topic, partition }) => ({ topic, partition })), (snapshot, entry) => {
    const state = visiblePartition(snapshot, entry.topic, entry.partition);
    if (state === undefined) return failure("UNKNOWN_TOPIC_OR_PARTITION", `Partition ${entry.topic}-${entry.partition} does not exist`);
    const running = snapshot.reassignments.get(partitionId(entry.topic, entry.partition));
    if (running === undefined) return failure("NO_REASSIGNMENT_IN_PROGRESS", `No reassignment of ${entry.topic}-${entry.partition} is in progress`);
    const { original } = running;
    const isr = state.isr.filter((id) => original.includes(id));
    if (isr.length === 0) {
      return failure("INVALID_REPLICA_ASSIGNMENT", `No replica of the original [${original.join(",")}] is in sync: the reassignment cannot be cancelled`);
    }
    const live = liveBrokerIds(snapshot);
    const keep = state.leader !== -1 && original.includes(state.leader);
    const leader = keep ? state.leader : (original.find((id) => isr.includes(id) && live.has(id)) ?? -1);
    const changed = leader !== state.leader || state.replicas.some((id) => !original.includes(id));
    const record: PartitionRecord = { replicas: [...original], leader, leaderEpoch: changed ? state.leaderEpoch + 1 : state.leaderEpoch, isr };
    return {
      state,
      record,
      leaderRevision: snapshot.brokers.get(leader)?.revision,
      reassignment: { delete: true, expectedVersion: running.version },
    };
  });
}

/**
 * The running reassignments (all, or the named partitions') and their progress.
 *
 * @example
 * ```ts
 * describeReassignments(snapshot).map((p) => `${p.topic}-${p.partition} adding [${p.addingReplicas}]`);
 * ```
 */
export function describeReassignments(snapshot: ClusterSnapshot, partitions?: readonly TopicPartition[]): ReassignmentProgress[] {
  const wanted = partitions === undefined ? undefined : new Set(partitions.map((p) => partitionId(p.topic, p.partition)));
  const found: ReassignmentProgress[] = [];
  for (const r of snapshot.reassignments.values()) {
    if (wanted !== undefined && !wanted.has(partitionId(r.topic, r.partition))) continue;
    const state = visiblePartition(snapshot, r.topic, r.partition);
    if (state === undefined) continue;
    const adding = r.target.filter((id) => !r.original.includes(id));
    found.push({
      topic: r.topic,
      partition: r.partition,
      replicas: [...state.replicas],
      targetReplicas: [...r.target],
      originalReplicas: [...r.original],
      addingReplicas: adding,
      removingReplicas: r.original.filter((id) => !r.target.includes(id)),
      inSyncAdding: adding.filter((id) => state.isr.includes(id)),
      leader: state.leader,
      isr: [...state.isr],
    });
  }
  return found.sort(byTopicPartition);
}

/**
 * The partitions that have (or are getting) a replica on `brokerId`.
 *
 * @example
 * ```ts
 * if (replicasOnBroker(snapshot, 3).length === 0) console.log("broker 3 can be shut down for good");
 * ```
 */
export function replicasOnBroker(snapshot: ClusterSnapshot, brokerId: number): TopicPartition[] {
  return visiblePartitions(snapshot)
    .filter((s) => s.replicas.includes(brokerId) || snapshot.reassignments.get(partitionId(s.topic, s.partition))?.target.includes(brokerId))
    .map(({ topic, partition }) => ({ topic, partition }));
}

/**
 * A plan that moves every replica off `brokerId`: each goes, in the same position of the replica
 * list, to the live broker holding the fewest replicas that does not have one of that partition.
 * Throws INVALID_REPLICATION_FACTOR when a partition has no such broker.
 *
 * @example
 * ```ts
 * await reassignPartitionsInCluster(ctx, planDecommission(snapshot, 3));
 * ```
 */
export function planDecommission(snapshot: ClusterSnapshot, brokerId: number): ReassignmentPlan {
  const candidates = [...liveBrokerIds(snapshot)].filter((id) => id !== brokerId).sort((a, b) => a - b);
  const load = new Map(candidates.map((id) => [id, 0]));
  const states = visiblePartitions(snapshot);
  const targetOf = (s: { topic: string; partition: number; replicas: number[] }): number[] =>
    snapshot.reassignments.get(partitionId(s.topic, s.partition))?.target ?? s.replicas;
  for (const s of states) for (const id of targetOf(s)) if (load.has(id)) load.set(id, load.get(id)! + 1);
  const plan: ReassignmentPlan = { version: 1, partitions: [] };
  for (const s of states) {
    const replicas = targetOf(s);
    const at = replicas.indexOf(brokerId);
    if (at === -1) continue;
    const choice = candidates.filter((id) => !replicas.includes(id)).sort((a, b) => load.get(a)! - load.get(b)! || a - b)[0];
    if (choice === undefined) {
      throw new EdgelogError(
        "INVALID_REPLICATION_FACTOR",
        `Cannot move ${s.topic}-${s.partition} off broker ${brokerId}: no other live broker is free to take its replica [${replicas.join(",")}]`,
      );
    }
    load.set(choice, load.get(choice)! + 1);
    const moved = [...replicas];
    moved[at] = choice;
    plan.partitions.push({ topic: s.topic, partition: s.partition, replicas: moved });
  }
  return plan;
}

type Decision = PartitionChange | "nothing" | { error: ErrorCode; message: string };

const failure = (code: ErrorCode, message: string): Decision => ({ error: code, message });
const sameList = (a: readonly number[], b: readonly number[]): boolean => a.length === b.length && a.every((v, i) => v === b[i]);

/** Decides and writes each partition's change on a fresh snapshot, retrying those that moved meanwhile. */
async function changeEach<T extends TopicPartition>(
  ctx: ClusterAdminContext,
  entries: readonly T[],
  decide: (snapshot: ClusterSnapshot, entry: T) => Decision,
): Promise<ReassignmentResult[]> {
  const results = new Map<string, ReassignmentResult>();
  let pending = [...entries];
  for (let attempt = 0; attempt < 5 && pending.length > 0; attempt++) {
    const { snapshot } = await readClusterSnapshot(ctx.store, ctx.keys, ctx.logger);
    const retry: T[] = [];
    for (let i = 0; i < pending.length; i += TXN_BATCH) {
      await Promise.all(
        pending.slice(i, i + TXN_BATCH).map(async (entry) => {
          const id = partitionId(entry.topic, entry.partition);
          const decision = decide(snapshot, entry);
          const where = { topic: entry.topic, partition: entry.partition };
          if (decision === "nothing") return void results.set(id, where);
          if ("error" in decision) return void results.set(id, { ...where, error: { code: decision.error, message: decision.message } });
          const outcome = await applyPartitionChange(ctx.store, ctx.keys, decision);
          if (!outcome.succeeded) return void retry.push(entry);
          ctx.logger("info", `Partition ${entry.topic}-${entry.partition}: replicas [${decision.state.replicas.join(",")}] → [${decision.record.replicas.join(",")}]`);
          results.set(id, where);
        }),
      );
    }
    pending = retry;
  }
  for (const entry of pending) {
    results.set(partitionId(entry.topic, entry.partition), {
      topic: entry.topic,
      partition: entry.partition,
      error: { code: "REQUEST_TIMED_OUT", message: `Partition ${entry.topic}-${entry.partition} kept changing; try again` },
    });
  }
  return [...results.values()].sort(byTopicPartition);
}
