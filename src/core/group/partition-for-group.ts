/**
 * Which partition of `__consumer_offsets` holds a group's offsets, exactly as Kafka's group
 * coordinator picks it: `Utils.toPositive(groupId.hashCode()) % offsets.topic.num.partitions`, with
 * Java's `String.hashCode` over UTF-16 code units.
 *
 * @example
 * ```ts
 * javaStringHashCode("hello"); // 99162322
 * partitionForGroup("test-consumer-group", 50); // the same partition Kafka uses
 * ```
 * @module
 */
import { toPositive } from "../topic/partitioner.ts";

/**
 * Java's `String.hashCode()`: `s[0]*31^(n-1) + ... + s[n-1]` over UTF-16 code units, in 32-bit
 * signed arithmetic.
 *
 * @example
 * ```ts
 * javaStringHashCode("");   // 0
 * javaStringHashCode("Aa"); // 2112, the same as "BB"
 * javaStringHashCode("polygenelubricants"); // -2147483648
 * ```
 */
export function javaStringHashCode(s: string): number {
  if (typeof s !== "string") throw new TypeError("javaStringHashCode() needs a string");
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(h, 31) + s.charCodeAt(i)) | 0;
  return h;
}

/**
 * The `__consumer_offsets` partition of a group among `numPartitions`.
 *
 * @example
 * ```ts
 * partitionForGroup("polygenelubricants", 50); // 0: the hash is -2^31, whose positive form is 0
 * ```
 */
export function partitionForGroup(groupId: string, numPartitions: number): number {
  if (!Number.isSafeInteger(numPartitions) || numPartitions < 1) {
    throw new RangeError(`The number of offsets topic partitions must be a positive integer, got ${numPartitions}`);
  }
  return toPositive(javaStringHashCode(groupId)) % numPartitions;
}
