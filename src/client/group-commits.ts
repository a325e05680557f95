/**
 * Committing a group's offsets (`offsetCommit`, protocol §7.17), and reading those of partitions
 * newly assigned (`offsetFetch`, §7.18). Commits go by hand, and automatically (Kafka's
 * `enable.auto.commit`) every `autoCommitIntervalMs`, on revocation and on disconnect. A member
 * commits with its id and current epoch (again with the new epoch when the epoch moved while the
 * commit was out); commits go out one at a time, in the order asked, so an older position never
 * overwrites a newer one. Auto-commit commits each partition's `processed`
 * position (the offset after the last record the application finished) when it moved past what
 * was committed.
 *
 * @example
 * ```ts
 * import { GroupCommits } from "./group-commits.ts";
 * const commits = new GroupCommits(host);
 * await commits.commit([{ topic: "orders", partition: 0, offset: 42 }]);
 * commits.startAuto(5000, () => owned.values());
 * ```
 * @module
 */
import { isEdgelogError } from "../core/errors.ts";
import type { OffsetCommitResponse, OffsetFetchResponse } from "../protocol/index.ts";
import type { Connection } from "./connection.ts";
import type { GroupPartition } from "./group-partition.ts";
import type { RetentionGap } from "./stream-host.ts";

const MAX_STALE_EPOCH_RETRIES = 3;

/**
 * What commits need from the group consumer.
 *
 * @example
 * ```ts
 * const host: GroupCommitsHost = { connection, groupId: "g", member: () => ({ memberId, memberEpoch }), partition: find, committed: emit };
 * ```
 */
export interface GroupCommitsHost {
  /** Where commits go: the group's coordinator (`group-coordinator.ts`). */
  readonly connection: Pick<Connection, "request">;
  readonly groupId: string;
  /** The member's id and epoch; undefined while it is not in the group (auto-commit then waits). */
  member(): { memberId: string; memberEpoch: number } | undefined;
  /** A partition the member owns or is releasing. */
  partition(topic: string, partition: number): GroupPartition | undefined;
  /** Offsets were stored. */
  committed(offsets: { topic: string; partition: number; offset: number }[]): void;
}

/**
 * An offset to commit, checked.
 *
 * @example
 * ```ts
 * const o: OffsetToCommit = { topic: "orders", partition: 0, offset: 42 };
 * ```
 */
export interface OffsetToCommit {
  topic: string;
  partition: number;
  offset: number;
  metadata?: string;
}

/**
 * See the module documentation.
 *
 * @example
 * ```ts
 * await commits.commitProcessed(revoked);
 * ```
 */
export class GroupCommits {
  readonly #host: GroupCommitsHost;
  #queue: Promise<unknown> = Promise.resolve();
  #timer: ReturnType<typeof setTimeout> | undefined;

  /**
   * Commits for `host`'s group.
   *
   * @example
   * ```ts
   * new GroupCommits(host);
   * ```
   */
  constructor(host: GroupCommitsHost) {
    this.#host = host;
  }

  /**
   * Commits `offsets` as the member (or, outside the group, as a client without a member id, which
   * the broker accepts only while the group has no members). Fails with the broker's error, e.g.
   * `FENCED_MEMBER_EPOCH` or `UNKNOWN_MEMBER_ID` when the member lost its partitions meanwhile.
   *
   * @example
   * ```ts
   * await commits.commit([{ topic: "orders", partition: 0, offset: 42, metadata: "batch-7" }]);
   * ```
   */
  commit(offsets: OffsetToCommit[]): Promise<void> {
    if (offsets.length === 0) return Promise.resolve();
    const run = this.#queue.then(() => this.#send(offsets));
    this.#queue = run.catch(() => undefined);
    return run;
  }

  /**
   * Commits the processed position of each partition that moved past its committed offset; does
   * nothing while the member is not in the group.
   *
   * @example
   * ```ts
   * await commits.commitProcessed(owned.values());
   * ```
   */
  commitProcessed(partitions: Iterable<GroupPartition>): Promise<void> {
    if (this.#host.member() === undefined) return Promise.resolve();
    const offsets: OffsetToCommit[] = [];
    for (const p of partitions) {
      if (p.processed !== undefined && p.processed !== p.committed) offsets.push({ topic: p.topic, partition: p.partition, offset: p.processed });
    }
    return this.commit(offsets);
  }

  /**
   * Commits the processed positions of `partitions()` every `intervalMs` (failures wait for the next
   * round) until {@link stopAuto}.
   *
   * @example
   * ```ts
   * commits.startAuto(5000, () => owned.values());
   * ```
   */
  startAuto(intervalMs: number, partitions: () => Iterable<GroupPartition>): void {
    this.stopAuto();
    const tick = (): void => {
      this.#timer = setTimeout(() => {
        void this.commitProcessed(partitions())
          .catch(() => undefined)
          .then(() => {
            if (this.#timer !== undefined) tick();
          });
      }, intervalMs);
    };
    tick();
  }

  /**
   * Stops automatic commits.
   *
   * @example
   * ```ts
   * commits.stopAuto();
   * ```
   */
  stopAuto(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /**
   * Learns the committed offsets of partitions newly assigned to the member (best effort): a
   * partition without a position starts from its committed offset, and when the broker's first push
   * started past it while it was below the log start (retention removed it; the broker reset the
   * stream), that gap is reported.
   *
   * @example
   * ```ts
   * void commits.fetchCommitted(added, (gap) => onGap(gap));
   * ```
   */
  async fetchCommitted(partitions: GroupPartition[], onGap: (gap: RetentionGap) => void): Promise<void> {
    const member = this.#host.member();
    if (member === undefined || partitions.length === 0) return;
    const byTopic = new Map<string, number[]>();
    for (const p of partitions) byTopic.set(p.topic, [...(byTopic.get(p.topic) ?? []), p.partition]);
    const topics = [...byTopic].map(([topic, list]) => ({ topic, partitions: list }));
    let reply: OffsetFetchResponse;
    try {
      reply = await this.#host.connection.request<OffsetFetchResponse>("offsetFetch", { groupId: this.#host.groupId, topics, ...member });
    } catch {
      return; // positions become known with the first records
    }
    for (const o of reply.offsets) {
      const p = partitions.find((q) => q.topic === o.topic && q.partition === o.partition);
      if (p === undefined || p.closed || p.committed !== undefined) continue;
      p.committed = o.offset;
      if (o.offset < 0) continue;
      const first = p.firstPush;
      if (p.received === undefined && first === undefined) p.received = o.offset;
      else if (first !== undefined && first.firstOffset > o.offset && o.offset < first.logStartOffset) {
        onGap({ topic: p.topic, partition: p.partition, requestedOffset: o.offset, logStartOffset: first.logStartOffset });
      }
    }
  }

  /**
   * The group's committed offset of a partition (-1: none): as last known, else asked of the
   * coordinator. Rejects with the broker's error.
   *
   * @example
   * ```ts
   * const start = await commits.committedOffset(partition); // 42
   * ```
   */
  async committedOffset(p: GroupPartition): Promise<number> {
    if (p.committed !== undefined) return p.committed;
    const body = { groupId: this.#host.groupId, topics: [{ topic: p.topic, partitions: [p.partition] }] };
    const reply = await this.#host.connection.request<OffsetFetchResponse>("offsetFetch", body);
    const found = reply.offsets.find((o) => o.topic === p.topic && o.partition === p.partition);
    const offset = found?.offset ?? -1;
    p.committed ??= offset;
    return p.committed;
  }

  async #send(offsets: OffsetToCommit[]): Promise<void> {
    const host = this.#host;
    let reply: OffsetCommitResponse;
    for (let attempt = 1; ; attempt++) {
      const body: Record<string, unknown> = { groupId: host.groupId, offsets };
      const member = host.member();
      if (member !== undefined) {
        body["memberId"] = member.memberId;
        body["memberEpoch"] = member.memberEpoch;
      }
      try {
        reply = await host.connection.request<OffsetCommitResponse>("offsetCommit", body);
        break;
      } catch (error) {
        // The epoch moved while the commit was out (the push or reply that moved it came first):
        // commit again with the new one, as Kafka's consumer does on STALE_MEMBER_EPOCH.
        const now = host.member();
        const stale = isEdgelogError(error, "FENCED_MEMBER_EPOCH") && member !== undefined && now?.memberId === member.memberId && now.memberEpoch !== member.memberEpoch;
        if (!stale || attempt >= MAX_STALE_EPOCH_RETRIES) throw error;
      }
    }
    const stored = reply.offsets.map(({ topic, partition, offset }) => ({ topic, partition, offset }));
    for (const { topic, partition, offset } of stored) {
      const p = host.partition(topic, partition);
      if (p !== undefined) p.committed = offset;
    }
    host.committed(stored);
  }
}
