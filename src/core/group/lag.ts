/**
 * The rows of `kafka-consumer-groups --describe`: per partition the committed offset
 * (CURRENT-OFFSET), the log end (LOG-END-OFFSET, the high watermark), LAG, and the member that owns
 * it (CONSUMER-ID, HOST, CLIENT-ID); partitions with a committed offset but no owner have no
 * consumer, and members that own nothing get a row with no partition.
 *
 * @example
 * ```ts
 * const rows = lagRows(members, committed, (topic, partition) => logs.get(topic, partition).highWatermark);
 * rows[0]; // { topic: "t", partition: 0, currentOffset: 35, logEndOffset: 35, lag: 0, consumerId: "console-consumer-…", host: "/172.20.0.1", clientId: "console-consumer" }
 * ```
 * @module
 */
import { compareStrings, type TopicPartitions } from "./topic-partitions.ts";

/**
 * One row; null is what Kafka's tool prints as "-".
 *
 * @example
 * ```ts
 * const row: LagRow = { topic: "t", partition: 0, currentOffset: null, logEndOffset: 5, lag: null, consumerId: null, host: null, clientId: null };
 * ```
 */
export interface LagRow {
  topic: string | null;
  partition: number | null;
  currentOffset: number | null;
  logEndOffset: number | null;
  lag: number | null;
  consumerId: string | null;
  host: string | null;
  clientId: string | null;
}

/**
 * A member as lag rows need it.
 *
 * @example
 * ```ts
 * const m: LagMember = { memberId: "c-1", host: "/10.0.0.1", clientId: "c", assignment: [{ topic: "t", partitions: [0] }] };
 * ```
 */
export interface LagMember {
  memberId: string;
  host: string;
  clientId: string;
  assignment: TopicPartitions[];
}

/**
 * The rows, sorted by topic then partition, members without partitions last.
 *
 * @example
 * ```ts
 * lagRows([], [{ topic: "t", partition: 0, offset: 3 }], () => 10)[0]!.lag; // 7
 * ```
 */
export function lagRows(
  members: readonly LagMember[],
  committed: ReadonlyArray<{ topic: string; partition: number; offset: number }>,
  logEnd: (topic: string, partition: number) => number,
): LagRow[] {
  const committedOf = new Map(committed.map((c) => [`${c.topic}\u0000${c.partition}`, c.offset]));
  const seen = new Set<string>();
  const rows: LagRow[] = [];
  const idle: LagRow[] = [];
  const row = (topic: string, partition: number, owner: LagMember | undefined): LagRow => {
    const key = `${topic}\u0000${partition}`;
    seen.add(key);
    const current = committedOf.get(key) ?? null;
    const end = logEnd(topic, partition);
    const logEndOffset = Number.isSafeInteger(end) && end >= 0 ? end : null;
    return {
      topic,
      partition,
      currentOffset: current,
      logEndOffset,
      lag: current === null || logEndOffset === null ? null : logEndOffset - current,
      consumerId: owner?.memberId ?? null,
      host: owner?.host ?? null,
      clientId: owner?.clientId ?? null,
    };
  };
  for (const m of members) {
    let owns = false;
    for (const { topic, partitions } of m.assignment) {
      for (const p of partitions) {
        rows.push(row(topic, p, m));
        owns = true;
      }
    }
    if (!owns) {
      idle.push({ topic: null, partition: null, currentOffset: null, logEndOffset: null, lag: null, consumerId: m.memberId, host: m.host, clientId: m.clientId });
    }
  }
  for (const c of committed) if (!seen.has(`${c.topic}\u0000${c.partition}`)) rows.push(row(c.topic, c.partition, undefined));
  rows.sort((a, b) => compareStrings(a.topic!, b.topic!) || a.partition! - b.partition!);
  idle.sort((a, b) => compareStrings(a.consumerId!, b.consumerId!));
  return [...rows, ...idle];
}
