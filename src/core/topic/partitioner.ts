/**
 * Which partition a record goes to, as Kafka's producer decides it: a keyed record goes to
 * `toPositive(murmur2(key)) % numPartitions`, so edgelog and every Kafka client put the same key
 * in the same partition; keyless records are spread by {@link createRoundRobin}.
 *
 * @example
 * ```ts
 * partitionForKey(new TextEncoder().encode("user-42"), 6); // same partition as Kafka's producer
 * const spread = createRoundRobin();
 * spread.next(6); // 0, then 1, 2, ...
 * ```
 * @module
 */

const SEED = 0x9747b28c;
const M = 0x5bd1e995;
const R = 24;

/**
 * MurmurHash2 (32-bit) of `bytes` with Kafka's seed `0x9747b28c`, as Kafka's `Utils.murmur2`
 * computes it: a signed 32-bit result.
 *
 * @example
 * ```ts
 * murmur2(new TextEncoder().encode("foobar")); // -790332482
 * ```
 */
export function murmur2(bytes: Uint8Array): number {
  const length = bytes.length;
  let h = SEED ^ length;
  const whole = length & ~3;
  for (let i = 0; i < whole; i += 4) {
    // Four bytes, little-endian.
    let k = bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24);
    k = Math.imul(k, M);
    k ^= k >>> R;
    k = Math.imul(k, M);
    h = Math.imul(h, M) ^ k;
  }
  const tail = length & 3;
  if (tail > 0) {
    if (tail === 3) h ^= bytes[whole + 2]! << 16;
    if (tail >= 2) h ^= bytes[whole + 1]! << 8;
    h ^= bytes[whole]!;
    h = Math.imul(h, M);
  }
  h ^= h >>> 13;
  h = Math.imul(h, M);
  h ^= h >>> 15;
  return h | 0;
}

/**
 * Kafka's `Utils.toPositive`: clears the sign bit of a 32-bit integer (not `Math.abs`, which has
 * no positive counterpart for -2^31).
 *
 * @example
 * ```ts
 * toPositive(-1);          // 2147483647
 * toPositive(-2147483648); // 0
 * ```
 */
export function toPositive(n: number): number {
  return n & 0x7fffffff;
}

/**
 * The partition of a keyed record among `numPartitions`, as Kafka's default partitioner picks it.
 *
 * @example
 * ```ts
 * partitionForKey(new TextEncoder().encode("foobar"), 50); // 16
 * ```
 */
export function partitionForKey(key: Uint8Array, numPartitions: number): number {
  checkPartitionCount(numPartitions);
  return toPositive(murmur2(key)) % numPartitions;
}

/**
 * Hands out partitions for keyless records in turn; see {@link createRoundRobin}.
 *
 * @example
 * ```ts
 * const spread: RoundRobin = createRoundRobin();
 * spread.next(3); // 0
 * ```
 */
export interface RoundRobin {
  /** The partition for the next keyless produce request, among `numPartitions`. */
  next(numPartitions: number): number;
}

/**
 * A spreader for records without a key.
 *
 * Kafka's producer (since 2.4, KIP-480, and reworked by KIP-794) sends keyless records to a
 * "sticky" partition until its batch is full, then moves on, so batches stay large. edgelog has no
 * client-side batch to fill: a produce request is already one batch. So edgelog picks round-robin
 * per request: call `next()` once for each produce request (not for each record), and all
 * keyless records of that request go to that one partition, as one batch; the next request goes to
 * the next partition. This keeps Kafka's point (whole batches, even spread over time) without a
 * timer or batch-size threshold. Keep one spreader per topic, like Kafka's `RoundRobinPartitioner`.
 *
 * @param start the first partition to hand out (taken modulo the count); default 0.
 * @example
 * ```ts
 * const spread = createRoundRobin();
 * const partition = key === null ? spread.next(numPartitions) : partitionForKey(key, numPartitions);
 * ```
 */
export function createRoundRobin(start = 0): RoundRobin {
  if (!Number.isInteger(start) || start < 0) throw new RangeError(`Round-robin start must be a non-negative integer, got ${start}`);
  let counter = start % 0x8000_0000;
  return {
    next(numPartitions: number): number {
      checkPartitionCount(numPartitions);
      const partition = counter % numPartitions;
      counter = (counter + 1) & 0x7fffffff;
      return partition;
    },
  };
}

function checkPartitionCount(numPartitions: number): void {
  if (!Number.isInteger(numPartitions) || numPartitions < 1) {
    throw new RangeError(`The number of partitions must be a positive integer, got ${numPartitions}`);
  }
}
