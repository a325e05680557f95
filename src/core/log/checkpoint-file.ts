/**
 * Kafka's offset checkpoint files (`recovery-point-offset-checkpoint`, `log-start-offset-checkpoint`,
 * `replication-offset-checkpoint`): a version line `0`, a count line, then one
 * `<topic> <partition> <offset>` line per partition. Written with {@link writeFileAtomic}.
 *
 * ```
 * 0
 * 2
 * orders 0 1042
 * orders 1 977
 * ```
 *
 * @example
 * ```ts
 * await writeOffsetCheckpoint(fs, "data/recovery-point-offset-checkpoint", [{ topic: "orders", partition: 0, offset: 1042 }]);
 * const offsets = await readOffsetCheckpoint(fs, "data/recovery-point-offset-checkpoint");
 * offsets.get(topicPartitionKey("orders", 0)); // 1042
 * ```
 * @module
 */
import { EdgelogError } from "../errors.ts";
import { type FileSystem, isNotFound, writeFileAtomic } from "../ports/file-system.ts";

/** Name of the per-log-dir file with each partition's recovery point. */
export const RECOVERY_POINT_CHECKPOINT = "recovery-point-offset-checkpoint";
/** Name of the per-log-dir file with each partition's log start offset. */
export const LOG_START_OFFSET_CHECKPOINT = "log-start-offset-checkpoint";
/** Name of the per-log-dir file with each partition's high watermark (written by replication). */
export const REPLICATION_OFFSET_CHECKPOINT = "replication-offset-checkpoint";
/** Name of the per-log-dir file with each compacted partition's first dirty offset (written by the log cleaner's owner). */
export const CLEANER_OFFSET_CHECKPOINT = "cleaner-offset-checkpoint";

/** One line of an offset checkpoint. */
export interface TopicPartitionOffset {
  topic: string;
  partition: number;
  offset: number;
}

/**
 * The key {@link readOffsetCheckpoint} uses for a partition.
 *
 * @example
 * ```ts
 * topicPartitionKey("orders", 3); // "orders 3"
 * ```
 */
export function topicPartitionKey(topic: string, partition: number): string {
  return `${topic} ${partition}`;
}

/**
 * Renders entries in Kafka's checkpoint format.
 *
 * @example
 * ```ts
 * new TextDecoder().decode(formatOffsetCheckpoint([{ topic: "a", partition: 0, offset: 5 }])); // "0\n1\na 0 5\n"
 * ```
 */
export function formatOffsetCheckpoint(entries: readonly TopicPartitionOffset[]): Uint8Array {
  let text = `0\n${entries.length}\n`;
  for (const e of entries) text += `${e.topic} ${e.partition} ${e.offset}\n`;
  return new TextEncoder().encode(text);
}

/**
 * Parses Kafka's checkpoint format; a malformed file is `KAFKA_STORAGE_ERROR`.
 *
 * @example
 * ```ts
 * parseOffsetCheckpoint(new TextEncoder().encode("0\n1\na 0 5\n"), "cp"); // [{ topic: "a", partition: 0, offset: 5 }]
 * ```
 */
export function parseOffsetCheckpoint(bytes: Uint8Array, path: string): TopicPartitionOffset[] {
  const lines = parseVersionedLines(bytes, path, 3);
  return lines.map(([topic, partition, offset]) => {
    const p = Number(partition);
    const o = Number(offset);
    if (!/^\d+$/.test(partition!) || !Number.isSafeInteger(p) || !/^-?\d+$/.test(offset!) || !Number.isSafeInteger(o)) {
      throw malformed(path, `bad line "${topic} ${partition} ${offset}"`);
    }
    return { topic: topic!, partition: p, offset: o };
  });
}

/**
 * Reads a checkpoint file into a map keyed by {@link topicPartitionKey}; a missing file is empty.
 *
 * @example
 * ```ts
 * const points = await readOffsetCheckpoint(fs, "data/recovery-point-offset-checkpoint");
 * ```
 */
export async function readOffsetCheckpoint(fs: FileSystem, path: string): Promise<Map<string, number>> {
  let bytes: Uint8Array;
  try {
    bytes = await fs.readFile(path);
  } catch (cause) {
    if (isNotFound(cause)) return new Map();
    throw new EdgelogError("KAFKA_STORAGE_ERROR", `Cannot read checkpoint file ${path}`, { cause });
  }
  const result = new Map<string, number>();
  for (const e of parseOffsetCheckpoint(bytes, path)) result.set(topicPartitionKey(e.topic, e.partition), e.offset);
  return result;
}

/**
 * Replaces a checkpoint file atomically.
 *
 * @example
 * ```ts
 * await writeOffsetCheckpoint(fs, "data/log-start-offset-checkpoint", logs.map((l) => ({ topic: l.topic, partition: l.partition, offset: l.logStartOffset })));
 * ```
 */
export async function writeOffsetCheckpoint(fs: FileSystem, path: string, entries: readonly TopicPartitionOffset[]): Promise<void> {
  try {
    await writeFileAtomic(fs, path, formatOffsetCheckpoint(entries));
  } catch (cause) {
    throw new EdgelogError("KAFKA_STORAGE_ERROR", `Cannot write checkpoint file ${path}`, { cause });
  }
}

/**
 * Splits a versioned checkpoint (version 0, count, then lines of `fields` space-separated fields)
 * into its lines' fields. Shared with the leader epoch checkpoint.
 *
 * @example
 * ```ts
 * parseVersionedLines(new TextEncoder().encode("0\n1\n3 100\n"), "leader-epoch-checkpoint", 2); // [["3", "100"]]
 * ```
 */
export function parseVersionedLines(bytes: Uint8Array, path: string, fields: number): string[][] {
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw malformed(path, "not UTF-8");
  }
  const lines = text.split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  if (lines[0]?.trim() !== "0") throw malformed(path, `unsupported version "${lines[0] ?? ""}"`);
  const count = Number(lines[1]?.trim());
  if (!Number.isSafeInteger(count) || count < 0) throw malformed(path, `bad count "${lines[1] ?? ""}"`);
  if (lines.length - 2 !== count) throw malformed(path, `expected ${count} entries, found ${lines.length - 2}`);
  return lines.slice(2).map((line) => {
    const parts = line.trim().split(/\s+/);
    if (parts.length !== fields) throw malformed(path, `bad line "${line}"`);
    return parts;
  });
}

function malformed(path: string, why: string): EdgelogError {
  return new EdgelogError("KAFKA_STORAGE_ERROR", `Malformed checkpoint file ${path}: ${why}`);
}
