/**
 * Sets of topic-partitions as the group coordinator handles them: a `PartitionSet` (topic → set of
 * partition numbers) inside, and sorted `TopicPartitions[]` lists at the API edge.
 *
 * @example
 * ```ts
 * const set = partitionSetOf([{ topic: "t", partitions: [2, 0] }]);
 * hasPartition(set, "t", 0); // true
 * toTopicPartitions(set); // [{ topic: "t", partitions: [0, 2] }]
 * ```
 * @module
 */

/**
 * Partitions of one topic, as the coordinator answers them (sorted, no duplicates).
 *
 * @example
 * ```ts
 * const owned: TopicPartitions[] = [{ topic: "orders", partitions: [0, 1] }];
 * ```
 */
export interface TopicPartitions {
  topic: string;
  partitions: number[];
}

/**
 * A mutable set of topic-partitions: topic → partition numbers. Topics with no partitions are not kept.
 *
 * @example
 * ```ts
 * const set: PartitionSet = new Map([["orders", new Set([0, 1])]]);
 * ```
 */
export type PartitionSet = Map<string, Set<number>>;

/**
 * A set built from a list; duplicates merge.
 *
 * @example
 * ```ts
 * partitionSetOf([{ topic: "t", partitions: [1] }, { topic: "t", partitions: [0] }]); // t → {1, 0}
 * ```
 */
export function partitionSetOf(list: readonly TopicPartitions[] = []): PartitionSet {
  const set: PartitionSet = new Map();
  for (const { topic, partitions } of list) for (const p of partitions) addPartition(set, topic, p);
  return set;
}

/**
 * Adds one partition to a set.
 *
 * @example
 * ```ts
 * addPartition(set, "t", 3);
 * ```
 */
export function addPartition(set: PartitionSet, topic: string, partition: number): void {
  let partitions = set.get(topic);
  if (partitions === undefined) set.set(topic, (partitions = new Set()));
  partitions.add(partition);
}

/**
 * Removes one partition from a set (and its topic once empty).
 *
 * @example
 * ```ts
 * removePartition(set, "t", 3);
 * ```
 */
export function removePartition(set: PartitionSet, topic: string, partition: number): void {
  const partitions = set.get(topic);
  if (partitions === undefined) return;
  partitions.delete(partition);
  if (partitions.size === 0) set.delete(topic);
}

/**
 * Whether a set holds a partition.
 *
 * @example
 * ```ts
 * hasPartition(partitionSetOf([{ topic: "t", partitions: [0] }]), "t", 0); // true
 * ```
 */
export function hasPartition(set: PartitionSet, topic: string, partition: number): boolean {
  return set.get(topic)?.has(partition) ?? false;
}

/**
 * How many partitions a set holds.
 *
 * @example
 * ```ts
 * partitionCount(partitionSetOf([{ topic: "a", partitions: [0, 1] }, { topic: "b", partitions: [0] }])); // 3
 * ```
 */
export function partitionCount(set: PartitionSet): number {
  let n = 0;
  for (const partitions of set.values()) n += partitions.size;
  return n;
}

/**
 * Every partition of a set as `[topic, partition]` pairs, sorted by topic then partition.
 *
 * @example
 * ```ts
 * for (const [topic, partition] of sortedPartitions(set)) console.log(`${topic}-${partition}`);
 * ```
 */
export function sortedPartitions(set: PartitionSet): Array<[string, number]> {
  const out: Array<[string, number]> = [];
  for (const topic of [...set.keys()].sort(compareStrings)) {
    for (const p of [...set.get(topic)!].sort((a, b) => a - b)) out.push([topic, p]);
  }
  return out;
}

/**
 * The set as a sorted list, topics in order and partitions ascending.
 *
 * @example
 * ```ts
 * toTopicPartitions(new Map([["b", new Set([1, 0])], ["a", new Set([2])]]));
 * // [{ topic: "a", partitions: [2] }, { topic: "b", partitions: [0, 1] }]
 * ```
 */
export function toTopicPartitions(set: PartitionSet): TopicPartitions[] {
  return [...set.keys()]
    .sort(compareStrings)
    .map((topic) => ({ topic, partitions: [...set.get(topic)!].sort((a, b) => a - b) }));
}

/**
 * A deep copy of a set.
 *
 * @example
 * ```ts
 * const copy = clonePartitionSet(set);
 * ```
 */
export function clonePartitionSet(set: PartitionSet): PartitionSet {
  const out: PartitionSet = new Map();
  for (const [topic, partitions] of set) if (partitions.size > 0) out.set(topic, new Set(partitions));
  return out;
}

/**
 * Whether two sets hold the same partitions.
 *
 * @example
 * ```ts
 * samePartitions(partitionSetOf([{ topic: "t", partitions: [0] }]), new Map([["t", new Set([0])]])); // true
 * ```
 */
export function samePartitions(a: PartitionSet, b: PartitionSet): boolean {
  if (partitionCount(a) !== partitionCount(b)) return false;
  for (const [topic, partitions] of a) for (const p of partitions) if (!hasPartition(b, topic, p)) return false;
  return true;
}

/**
 * Whether any partition of `a` is in `b`.
 *
 * @example
 * ```ts
 * intersects(partitionSetOf([{ topic: "t", partitions: [0, 1] }]), partitionSetOf([{ topic: "t", partitions: [1] }])); // true
 * ```
 */
export function intersects(a: PartitionSet, b: PartitionSet): boolean {
  for (const [topic, partitions] of a) {
    const other = b.get(topic);
    if (other !== undefined) for (const p of partitions) if (other.has(p)) return true;
  }
  return false;
}

/**
 * Whether every partition of `a` is in `b`.
 *
 * @example
 * ```ts
 * isSubset(partitionSetOf([{ topic: "t", partitions: [1] }]), partitionSetOf([{ topic: "t", partitions: [0, 1] }])); // true
 * ```
 */
export function isSubset(a: PartitionSet, b: PartitionSet): boolean {
  for (const [topic, partitions] of a) for (const p of partitions) if (!hasPartition(b, topic, p)) return false;
  return true;
}

/**
 * Kafka's text form of a topic-partition, `topic-partition`.
 *
 * @example
 * ```ts
 * formatTopicPartition("orders", 0); // "orders-0"
 * ```
 */
export function formatTopicPartition(topic: string, partition: number): string {
  return `${topic}-${partition}`;
}

/**
 * Orders strings by UTF-16 code units, as Java's `String.compareTo` does (and unlike `localeCompare`).
 *
 * @example
 * ```ts
 * ["b", "B", "a"].sort(compareStrings); // ["B", "a", "b"]
 * ```
 */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
