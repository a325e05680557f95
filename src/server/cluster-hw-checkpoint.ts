/**
 * Kafka's `replication-offset-checkpoint`: the high watermark of every replicated partition log,
 * written to each log directory (the checkpoint format: version line, count line, one
 * `topic partition offset` line per log) every `replica.high.watermark.checkpoint.interval.ms` and
 * when the broker stops, and read back at start so that a restarted replica does not expose records
 * its leader never committed, nor forget what it had committed ({@link HighWatermarkCheckpoints.restored}
 * is the replication's `restoredHighWatermark`).
 *
 * Only logs under replication's control are written with their live high watermark (a log just
 * opened follows its log end until replication sets it); any other log keeps the value read at start.
 *
 * @example
 * ```ts
 * const checkpoints = await HighWatermarkCheckpoints.read(fs, config.logDirs);
 * const replicas = new ReplicaManager({ ..., restoredHighWatermark: (t, p) => checkpoints.restored(t, p) });
 * checkpoints.replicated(log);
 * await checkpoints.write(logManager.logs());
 * ```
 * @module
 */
import { readOffsetCheckpoint, REPLICATION_OFFSET_CHECKPOINT, topicPartitionKey, writeOffsetCheckpoint, type TopicPartitionOffset } from "../core/log/checkpoint-file.ts";
import type { PartitionLog } from "../core/log/partition-log.ts";
import { dirname, joinPath, type FileSystem } from "../core/ports/file-system.ts";

/**
 * The checkpoints of one broker; see the module documentation.
 *
 * @example
 * ```ts
 * checkpoints.restored("orders", 0); // e.g. 1042, or undefined
 * ```
 */
export class HighWatermarkCheckpoints {
  private readonly live = new WeakSet<PartitionLog>();
  private writing: Promise<void> = Promise.resolve();

  private constructor(
    private readonly fs: FileSystem,
    private readonly logDirs: readonly string[],
    private readonly saved: Map<string, number>,
  ) {}

  /**
   * Reads `replication-offset-checkpoint` of every log directory (a missing file is empty; a
   * malformed one is KAFKA_STORAGE_ERROR).
   *
   * @example
   * ```ts
   * const checkpoints = await HighWatermarkCheckpoints.read(fs, ["data"]);
   * ```
   */
  static async read(fs: FileSystem, logDirs: readonly string[]): Promise<HighWatermarkCheckpoints> {
    const saved = new Map<string, number>();
    for (const dir of logDirs) {
      for (const [key, offset] of await readOffsetCheckpoint(fs, joinPath(dir, REPLICATION_OFFSET_CHECKPOINT))) saved.set(key, offset);
    }
    return new HighWatermarkCheckpoints(fs, logDirs, saved);
  }

  /** The high watermark saved for a partition, or undefined. */
  restored(topic: string, partition: number): number | undefined {
    return this.saved.get(topicPartitionKey(topic, partition));
  }

  /** Marks a log whose high watermark replication sets: its live value is written from now on. */
  replicated(log: PartitionLog): void {
    this.live.add(log);
  }

  /** Writes the checkpoint of every log directory from `logs`; writes never overlap. */
  write(logs: readonly PartitionLog[]): Promise<void> {
    const run = this.writing.then(async () => {
      const byDir = new Map<string, TopicPartitionOffset[]>(this.logDirs.map((dir) => [normalize(dir), []]));
      const present = new Set(logs.map((log) => topicPartitionKey(log.topic, log.partition)));
      for (const key of [...this.saved.keys()]) if (!present.has(key)) this.saved.delete(key); // deleted logs
      for (const log of logs) {
        const key = topicPartitionKey(log.topic, log.partition);
        const offset = this.live.has(log) ? log.highWatermark : this.saved.get(key);
        if (offset === undefined) continue;
        if (this.live.has(log)) this.saved.set(key, offset);
        byDir.get(normalize(dirname(log.dir)))?.push({ topic: log.topic, partition: log.partition, offset });
      }
      for (const dir of this.logDirs) await writeOffsetCheckpoint(this.fs, joinPath(dir, REPLICATION_OFFSET_CHECKPOINT), byDir.get(normalize(dir)) ?? []);
    });
    this.writing = run.catch(() => undefined);
    return run;
  }
}

function normalize(dir: string): string {
  return dir.length > 1 ? dir.replace(/\/+$/, "") : dir;
}
