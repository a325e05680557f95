/**
 * The partitions a group member owns, following the assignment the broker sends (a heartbeat reply
 * or an `assignment` push carries the member's whole current assignment):
 *
 * - a partition no longer listed is revoked: it stops delivering at once and is released — once
 *   the records handed to the application are done, `host.release()` (commit, listener) runs, then
 *   `host.acknowledged()` (a heartbeat without it);
 * - a partition newly listed gets a {@link GroupPartition}, starting after the position the member
 *   had when it lost the partition, if it did;
 * - `loseAll()` drops every partition without a release (the member was fenced or forgotten),
 *   remembering each position for when the partition comes back.
 *
 * @example
 * ```ts
 * import { OwnedPartitions } from "./group-owned-partitions.ts";
 * const owned = new OwnedPartitions(host);
 * owned.apply([{ topic: "orders", partitions: [0, 1] }]);
 * owned.list(); // what the next heartbeat reports owning
 * ```
 * @module
 */
import type { CreditAmount, WireTopicPartitions } from "../protocol/index.ts";
import type { TopicPartition } from "./consumer-options.ts";
import { GroupPartition } from "./group-partition.ts";

/**
 * What the owned partitions need from the group consumer.
 *
 * @example
 * ```ts
 * const host: OwnedPartitionsHost = { releaseCredit, readable, isPaused: () => false, release: commitAndTell, acknowledged: heartbeatNow, changed: emit };
 * ```
 */
export interface OwnedPartitionsHost {
  /** Credit of records dropped or consumed goes back to the group subscription's pool. */
  releaseCredit(credit: CreditAmount): void;
  /** Records, or a change of partitions, may let a waiting delivery go on. */
  readable(): void;
  isPaused(topic: string, partition: number): boolean;
  /** Revoked partitions whose records in flight are done: commit them, tell the application. */
  release(partitions: GroupPartition[]): Promise<void>;
  /** Revoked partitions were released: the broker must hear it (a heartbeat without them). */
  acknowledged(): void;
  /** The assignment changed. */
  changed(change: { assigned: GroupPartition[]; revoked: GroupPartition[]; lost: GroupPartition[] }): void;
}

/**
 * See the module documentation.
 *
 * @example
 * ```ts
 * const lost = owned.loseAll();
 * ```
 */
export class OwnedPartitions {
  readonly #host: OwnedPartitionsHost;
  readonly #owned = new Map<string, GroupPartition>();
  readonly #revoking = new Map<string, GroupPartition>();
  /** Where the member was in partitions it lost, for when they come back. */
  readonly #remembered = new Map<string, number>();
  #latest: WireTopicPartitions[] = [];
  #closed = false;

  /**
   * No partitions yet.
   *
   * @example
   * ```ts
   * new OwnedPartitions(host);
   * ```
   */
  constructor(host: OwnedPartitionsHost) {
    this.#host = host;
  }

  /**
   * The latest assignment applied.
   *
   * @example
   * ```ts
   * owned.latest; // [{ topic: "orders", partitions: [0] }]
   * ```
   */
  get latest(): WireTopicPartitions[] {
    return this.#latest;
  }

  /**
   * The partitions delivering (owned, not being released).
   *
   * @example
   * ```ts
   * for (const p of owned.delivering()) if (p.ready) deliver(p);
   * ```
   */
  delivering(): GroupPartition[] {
    return [...this.#owned.values()];
  }

  /**
   * Every partition still the member's: delivering or being released.
   *
   * @example
   * ```ts
   * await commits.commitProcessed(owned.all());
   * ```
   */
  all(): GroupPartition[] {
    return [...this.#owned.values(), ...this.#revoking.values()];
  }

  /**
   * A delivering partition.
   *
   * @example
   * ```ts
   * owned.get("orders", 0)?.position;
   * ```
   */
  get(topic: string, partition: number): GroupPartition | undefined {
    return this.#owned.get(keyOf(topic, partition));
  }

  /**
   * A partition delivering or being released.
   *
   * @example
   * ```ts
   * owned.find("orders", 0);
   * ```
   */
  find(topic: string, partition: number): GroupPartition | undefined {
    const key = keyOf(topic, partition);
    return this.#owned.get(key) ?? this.#revoking.get(key);
  }

  /**
   * What the member owns, as `ownedPartitions` of a heartbeat reports it: a partition being
   * released is still owned until its release is done.
   *
   * @example
   * ```ts
   * body.ownedPartitions = owned.list();
   * ```
   */
  list(): WireTopicPartitions[] {
    const byTopic = new Map<string, number[]>();
    for (const p of this.all()) byTopic.set(p.topic, [...(byTopic.get(p.topic) ?? []), p.partition]);
    return [...byTopic].map(([topic, partitions]) => ({ topic, partitions: partitions.sort((a, b) => a - b) }));
  }

  /**
   * Follows the member's whole current assignment: revokes what is gone, adds what is new; returns
   * the partitions added.
   *
   * @example
   * ```ts
   * const added = owned.apply(reply.assignment);
   * ```
   */
  apply(assignment: WireTopicPartitions[]): GroupPartition[] {
    if (this.#closed) return [];
    this.#latest = assignment;
    const target = new Map<string, TopicPartition>();
    for (const { topic, partitions } of assignment) for (const partition of partitions) target.set(keyOf(topic, partition), { topic, partition });
    const revoked = [...this.#owned].filter(([key]) => !target.has(key)).map(([, p]) => p);
    const added: GroupPartition[] = [];
    const hooks = { releaseCredit: (credit: CreditAmount) => this.#host.releaseCredit(credit), readable: () => this.#host.readable() };
    for (const [key, { topic, partition }] of target) {
      if (this.#owned.has(key) || this.#revoking.has(key)) continue;
      const p = new GroupPartition(topic, partition, hooks, this.#remembered.get(key));
      this.#remembered.delete(key);
      if (this.#host.isPaused(topic, partition)) p.pause();
      this.#owned.set(key, p);
      added.push(p);
    }
    if (revoked.length > 0) void this.#revoke(revoked);
    if (revoked.length > 0 || added.length > 0) this.#host.changed({ assigned: added, revoked, lost: [] });
    return added;
  }

  /**
   * Drops every partition without releasing it, remembering where the member was in each.
   *
   * @example
   * ```ts
   * owned.loseAll(); // fenced: rejoin
   * ```
   */
  loseAll(): void {
    const lost = this.all();
    for (const p of lost) {
      const position = p.position;
      if (position !== undefined) this.#remembered.set(keyOf(p.topic, p.partition), position);
      p.close();
    }
    this.#owned.clear();
    this.#revoking.clear();
    if (lost.length > 0) this.#host.changed({ assigned: [], revoked: [], lost });
  }

  /**
   * Drops every partition for good (the consumer is closing); releases in progress stop waiting.
   *
   * @example
   * ```ts
   * owned.close();
   * ```
   */
  close(): void {
    this.#closed = true;
    for (const p of this.all()) {
      p.abandon();
      p.close();
    }
    this.#owned.clear();
    this.#revoking.clear();
  }

  async #revoke(partitions: GroupPartition[]): Promise<void> {
    for (const p of partitions) {
      const key = keyOf(p.topic, p.partition);
      this.#owned.delete(key);
      this.#revoking.set(key, p);
      p.close();
    }
    await Promise.all(partitions.map((p) => p.whenIdle()));
    if (this.#closed) return;
    await this.#host.release(partitions);
    for (const p of partitions) {
      const key = keyOf(p.topic, p.partition);
      if (this.#revoking.get(key) === p) this.#revoking.delete(key);
    }
    if (this.#closed) return;
    this.#host.acknowledged();
    this.apply(this.#latest); // a partition assigned again meanwhile
  }
}

function keyOf(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`;
}
