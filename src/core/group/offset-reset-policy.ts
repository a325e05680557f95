/**
 * `auto.offset.reset` for a consumer whose group has no committed offset for a partition (or one
 * outside the log): the coordinator answers "no committed offset" ({@link NO_OFFSET}) and the
 * consumer side picks where to start with this helper. With "none" it fails as Kafka's consumer
 * does (NoOffsetForPartitionException), naming every such partition.
 *
 * @example
 * ```ts
 * resolveStartOffset({ topic: "t", partition: 0, committed: -1, logStartOffset: 3, logEndOffset: 9 }, "earliest"); // 3
 * resolveStartOffset({ topic: "t", partition: 0, committed: -1, logStartOffset: 3, logEndOffset: 9 }, "none");
 * // throws OFFSET_OUT_OF_RANGE "Undefined offset with no reset policy for partitions: [t-0]"
 * ```
 * @module
 */
import { EdgelogError } from "../errors.ts";
import { NO_OFFSET } from "./coordinator-types.ts";
import { formatTopicPartition } from "./topic-partitions.ts";

/**
 * The consumer's `auto.offset.reset` values.
 *
 * @example
 * ```ts
 * const policy: AutoOffsetReset = "latest"; // Kafka's default
 * ```
 */
export type AutoOffsetReset = "earliest" | "latest" | "none";

/**
 * A partition to start consuming: its committed offset ({@link NO_OFFSET} for none) and its log bounds.
 *
 * @example
 * ```ts
 * const q: StartOffsetQuery = { topic: "t", partition: 0, committed: 42, logStartOffset: 0, logEndOffset: 100 };
 * ```
 */
export interface StartOffsetQuery {
  topic: string;
  partition: number;
  committed: number;
  logStartOffset: number;
  /** The high watermark a consumer may read up to. */
  logEndOffset: number;
}

/**
 * Where to start each partition: the committed offset when it lies within the log, else what the
 * policy says. With "none", partitions without a committed offset fail together with OFFSET_OUT_OF_RANGE
 * ("Undefined offset with no reset policy for partitions: [t-0, t-1]", `details.partitions`), and
 * committed offsets outside the log with "Offsets out of range with no configured reset policy for partitions: {t-0=5}".
 *
 * @example
 * ```ts
 * resolveStartOffsets([{ topic: "t", partition: 0, committed: 5, logStartOffset: 0, logEndOffset: 9 }], "none"); // [5]
 * ```
 */
export function resolveStartOffsets(queries: readonly StartOffsetQuery[], policy: AutoOffsetReset): number[] {
  if (policy !== "earliest" && policy !== "latest" && policy !== "none") {
    throw new EdgelogError("INVALID_CONFIG", `Invalid value ${String(policy)} for configuration auto.offset.reset: String must be one of: latest, earliest, none`);
  }
  const undefinedOffsets: string[] = [];
  const outOfRange: string[] = [];
  const out = queries.map((q) => {
    if (q.committed !== NO_OFFSET && q.committed >= q.logStartOffset && q.committed <= q.logEndOffset) return q.committed;
    if (policy === "earliest") return q.logStartOffset;
    if (policy === "latest") return q.logEndOffset;
    if (q.committed === NO_OFFSET) undefinedOffsets.push(formatTopicPartition(q.topic, q.partition));
    else outOfRange.push(`${formatTopicPartition(q.topic, q.partition)}=${q.committed}`);
    return NO_OFFSET;
  });
  if (undefinedOffsets.length > 0) {
    throw new EdgelogError("OFFSET_OUT_OF_RANGE", `Undefined offset with no reset policy for partitions: [${undefinedOffsets.join(", ")}]`, {
      details: { reason: "NoOffsetForPartition", partitions: undefinedOffsets },
    });
  }
  if (outOfRange.length > 0) {
    throw new EdgelogError("OFFSET_OUT_OF_RANGE", `Offsets out of range with no configured reset policy for partitions: {${outOfRange.join(", ")}}`, {
      details: { reason: "OffsetOutOfRange", partitions: outOfRange.map((e) => e.slice(0, e.lastIndexOf("="))) },
    });
  }
  return out;
}

/**
 * {@link resolveStartOffsets} for one partition.
 *
 * @example
 * ```ts
 * resolveStartOffset({ topic: "t", partition: 0, committed: -1, logStartOffset: 0, logEndOffset: 9 }, "latest"); // 9
 * ```
 */
export function resolveStartOffset(query: StartOffsetQuery, policy: AutoOffsetReset): number {
  return resolveStartOffsets([query], policy)[0]!;
}
