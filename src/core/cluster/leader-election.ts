/**
 * The admin's leader election (Kafka's ElectLeaders, `edgelog leader-election`):
 *
 * - "preferred": every named partition (all when none are named) whose first replica is alive, in
 *   the ISR and not leading gets it back as leader, with a new leader epoch;
 * - "unclean": every partition without a live leader gets one: a live ISR member when there is one,
 *   else any live replica, which may lose records the old ISR acknowledged (logged as a warning).
 *
 * Each partition answers on its own: its new leader, or the Kafka error saying why not
 * (ELECTION_NOT_NEEDED, PREFERRED_LEADER_NOT_AVAILABLE, ELIGIBLE_LEADERS_NOT_AVAILABLE,
 * UNKNOWN_TOPIC_OR_PARTITION).
 *
 * @example
 * ```ts
 * const results = await electLeadersInCluster(ctx, "preferred", [{ topic: "orders", partition: 0 }]);
 * // [{ topic: "orders", partition: 0, leader: 1 }]
 * ```
 * @module
 */
import type { ErrorCode } from "../errors.ts";
import { TXN_BATCH, type ClusterAdminContext } from "./admin-context.ts";
import { byTopicPartition, liveBrokerIds, readClusterSnapshot, visiblePartition, visiblePartitions } from "./cluster-snapshot.ts";
import { applyPartitionChange } from "./partition-change.ts";
import { preferredElection, uncleanElection } from "./partition-election.ts";

/**
 * The kind of election.
 *
 * @example
 * ```ts
 * const type: ElectionType = "preferred";
 * ```
 */
export type ElectionType = "preferred" | "unclean";

/**
 * A partition named by topic and index.
 *
 * @example
 * ```ts
 * const p: TopicPartition = { topic: "orders", partition: 0 };
 * ```
 */
export interface TopicPartition {
  topic: string;
  partition: number;
}

/**
 * What an election did for one partition.
 *
 * @example
 * ```ts
 * const r: ElectionResult = { topic: "orders", partition: 1, error: { code: "ELECTION_NOT_NEEDED", message: "..." } };
 * ```
 */
export interface ElectionResult extends TopicPartition {
  /** The leader elected, when one was. */
  leader?: number;
  error?: { code: ErrorCode; message: string };
}

const ATTEMPTS = 5;

/**
 * Runs an election; see the module documentation.
 *
 * @example
 * ```ts
 * for (const r of await electLeadersInCluster(ctx, "unclean")) console.log(r.topic, r.partition, r.leader ?? r.error?.code);
 * ```
 */
export async function electLeadersInCluster(
  ctx: ClusterAdminContext,
  type: ElectionType,
  partitions?: readonly TopicPartition[],
): Promise<ElectionResult[]> {
  if (type !== "preferred" && type !== "unclean") throw new TypeError(`Unknown election type "${String(type)}"`);
  const results = new Map<string, ElectionResult>();
  const keyOf = (p: TopicPartition): string => `${p.topic}\u0000${p.partition}`;
  let pending: TopicPartition[] | undefined = partitions === undefined ? undefined : dedupe(partitions);
  for (let attempt = 0; attempt < ATTEMPTS && (pending === undefined || pending.length > 0); attempt++) {
    const { snapshot } = await readClusterSnapshot(ctx.store, ctx.keys, ctx.logger);
    const live = liveBrokerIds(snapshot);
    const targets = pending ?? visiblePartitions(snapshot).map(({ topic, partition }) => ({ topic, partition }));
    const retry: TopicPartition[] = [];
    for (let i = 0; i < targets.length; i += TXN_BATCH) {
      await Promise.all(
        targets.slice(i, i + TXN_BATCH).map(async (target) => {
          const state = visiblePartition(snapshot, target.topic, target.partition);
          if (state === undefined) {
            results.set(keyOf(target), {
              ...target,
              error: { code: "UNKNOWN_TOPIC_OR_PARTITION", message: `Partition ${target.topic}-${target.partition} does not exist` },
            });
            return;
          }
          const decision = type === "preferred" ? preferredElection(state, live) : uncleanElection(state, live);
          if ("error" in decision) {
            results.set(keyOf(target), { ...target, error: { code: decision.error, message: decision.message } });
            return;
          }
          const leaderRevision = snapshot.brokers.get(decision.record.leader)?.revision;
          const outcome = await applyPartitionChange(ctx.store, ctx.keys, { state, record: decision.record, leaderRevision });
          if (!outcome.succeeded) {
            retry.push(target);
            return;
          }
          if (decision.unclean) {
            ctx.logger("warn", `Unclean leader election for ${target.topic}-${target.partition}: ${decision.reason}; records acknowledged by the old ISR may be lost`);
          } else {
            ctx.logger("info", `Leader election for ${target.topic}-${target.partition}: ${decision.reason}`);
          }
          results.set(keyOf(target), { ...target, leader: decision.record.leader });
        }),
      );
    }
    pending = retry;
  }
  for (const target of pending ?? []) {
    results.set(keyOf(target), {
      ...target,
      error: { code: "REQUEST_TIMED_OUT", message: `Partition ${target.topic}-${target.partition} kept changing during the election; try again` },
    });
  }
  return [...results.values()].sort(byTopicPartition);
}

function dedupe(partitions: readonly TopicPartition[]): TopicPartition[] {
  const seen = new Map<string, TopicPartition>();
  for (const p of partitions) {
    if (typeof p?.topic !== "string" || !Number.isInteger(p.partition)) throw new TypeError("Each partition needs a topic name and an integer partition");
    seen.set(`${p.topic}\u0000${p.partition}`, { topic: p.topic, partition: p.partition });
  }
  return [...seen.values()];
}
