/**
 * The committed offsets of every group: an in-memory view of `__consumer_offsets` (latest value per
 * key, tombstones delete), rebuilt by {@link CommittedOffsets.load} and changed only by writes that
 * reached the store. Writes to one `__consumer_offsets` partition are appended in call order and
 * applied after their append succeeds, so the view never shows an offset that was not stored.
 *
 * @example
 * ```ts
 * const offsets = new CommittedOffsets(store, 50, clock);
 * await offsets.load();
 * await offsets.write("g", [{ topic: "t", partition: 0, value: { offset: 5, leaderEpoch: -1, metadata: "", commitTimestamp: clock.now() } }]);
 * offsets.get("g", "t", 0)?.offset; // 5
 * ```
 * @module
 */
import { EdgelogError } from "../errors.ts";
import type { Clock } from "../ports/clock.ts";
import { decodeRecordBatches, encodeRecordBatchSync } from "../record/record-batch.ts";
import {
  decodeOffsetCommitValue,
  decodeOffsetsKey,
  encodeOffsetCommitKey,
  encodeOffsetCommitValue,
  type OffsetCommitValue,
} from "./offsets-codec.ts";
import type { OffsetsStore } from "./offsets-store.ts";
import { partitionForGroup } from "./partition-for-group.ts";
import { compareStrings } from "./topic-partitions.ts";

/**
 * A committed offset with its metadata, as stored.
 *
 * @example
 * ```ts
 * const c: CommittedOffset = { offset: 10, leaderEpoch: -1, metadata: "", commitTimestamp: 1_700_000_000_000 };
 * ```
 */
export type CommittedOffset = OffsetCommitValue;

/**
 * One change to write: a new committed offset, or null to delete it (a tombstone).
 *
 * @example
 * ```ts
 * const w: OffsetWrite = { topic: "t", partition: 0, value: null };
 * ```
 */
export interface OffsetWrite {
  topic: string;
  partition: number;
  value: CommittedOffset | null;
}

/**
 * The committed offsets of all groups, backed by an {@link OffsetsStore}.
 *
 * @example
 * ```ts
 * for (const { topic, partition, value } of offsets.list("g")) console.log(topic, partition, value.offset);
 * ```
 */
export class CommittedOffsets {
  private readonly byGroup = new Map<string, Map<string, Map<number, CommittedOffset>>>();
  private readonly queues = new Map<number, Promise<unknown>>();

  constructor(
    private readonly store: OffsetsStore,
    private readonly numPartitions: number,
    private readonly clock: Clock,
  ) {}

  /** Reads every partition of the store from the start, replacing the view. */
  async load(): Promise<void> {
    this.byGroup.clear();
    for (let p = 0; p < this.numPartitions; p++) await this.readPartition(p);
  }

  /**
   * Reads one partition of the store again (after the writes to it under way), replacing the
   * offsets of the groups that partition holds: a broker of a cluster that has just become the
   * partition's leader catches up with what other leaders wrote.
   */
  async reload(partition: number): Promise<void> {
    await this.queues.get(partition);
    for (const group of [...this.byGroup.keys()]) if (partitionForGroup(group, this.numPartitions) === partition) this.byGroup.delete(group);
    await this.readPartition(partition);
  }

  private async readPartition(p: number): Promise<void> {
    for await (const chunk of this.store.readAll(p)) {
      for (const batch of await decodeRecordBatches(chunk)) {
        if (batch.isControl) continue;
        for (const record of batch.records) {
          if (record.key === null) {
            throw new EdgelogError("CORRUPT_MESSAGE", `Record ${record.offset} of __consumer_offsets-${p} has no key`);
          }
          const key = decodeOffsetsKey(record.key);
          if (key.type !== "offsetCommit") continue; // group records: groups come back Empty (docs/differences.md)
          if (record.value === null) this.remove(key.group, key.topic, key.partition);
          else this.put(key.group, key.topic, key.partition, decodeOffsetCommitValue(record.value));
        }
      }
    }
  }

  /** The committed offset of a partition, or undefined. */
  get(group: string, topic: string, partition: number): CommittedOffset | undefined {
    return this.byGroup.get(group)?.get(topic)?.get(partition);
  }

  /** Whether a group has any committed offset. */
  hasGroup(group: string): boolean {
    return this.byGroup.has(group);
  }

  /** The groups with committed offsets. */
  groups(): string[] {
    return [...this.byGroup.keys()];
  }

  /** A group's committed offsets, sorted by topic then partition. */
  list(group: string): Array<{ topic: string; partition: number; value: CommittedOffset }> {
    const topics = this.byGroup.get(group);
    if (topics === undefined) return [];
    const out: Array<{ topic: string; partition: number; value: CommittedOffset }> = [];
    for (const topic of [...topics.keys()].sort(compareStrings)) {
      const partitions = topics.get(topic)!;
      for (const partition of [...partitions.keys()].sort((a, b) => a - b)) out.push({ topic, partition, value: partitions.get(partition)! });
    }
    return out;
  }

  /**
   * Writes changes of one group as one record batch on the group's `__consumer_offsets` partition,
   * then applies them. Rejects (changing nothing) when the store rejects.
   */
  write(group: string, changes: readonly OffsetWrite[]): Promise<void> {
    if (changes.length === 0) return Promise.resolve();
    const now = this.clock.now();
    const batch = encodeRecordBatchSync({
      now,
      records: changes.map((c) => ({
        key: encodeOffsetCommitKey({ group, topic: c.topic, partition: c.partition }),
        value: c.value === null ? null : encodeOffsetCommitValue(c.value),
        timestamp: now,
      })),
    });
    const partition = partitionForGroup(group, this.numPartitions);
    const previous = this.queues.get(partition) ?? Promise.resolve();
    const run = previous.then(async () => {
      await this.store.append(partition, batch);
      for (const c of changes) {
        if (c.value === null) this.remove(group, c.topic, c.partition);
        else this.put(group, c.topic, c.partition, c.value);
      }
    });
    const settled = run.catch(() => {});
    this.queues.set(partition, settled);
    void settled.then(() => {
      if (this.queues.get(partition) === settled) this.queues.delete(partition);
    });
    return run.catch((cause: unknown) => {
      if (cause instanceof EdgelogError) throw cause;
      throw new EdgelogError("KAFKA_STORAGE_ERROR", `Cannot write offsets of group ${group} to __consumer_offsets-${partition}`, { cause });
    });
  }

  /** Resolves once every write started so far has settled. */
  async idle(): Promise<void> {
    while (this.queues.size > 0) await Promise.all(this.queues.values());
  }

  private put(group: string, topic: string, partition: number, value: CommittedOffset): void {
    let topics = this.byGroup.get(group);
    if (topics === undefined) this.byGroup.set(group, (topics = new Map()));
    let partitions = topics.get(topic);
    if (partitions === undefined) topics.set(topic, (partitions = new Map()));
    partitions.set(partition, value);
  }

  private remove(group: string, topic: string, partition: number): void {
    const topics = this.byGroup.get(group);
    const partitions = topics?.get(topic);
    if (topics === undefined || partitions === undefined) return;
    partitions.delete(partition);
    if (partitions.size === 0) topics.delete(topic);
    if (topics.size === 0) this.byGroup.delete(group);
  }
}
