/**
 * The logs of every partition on this broker, across one or more log directories, as Kafka's
 * LogManager: loads `<topic>-<partition>` directories at start (recovering after an unclean stop,
 * detected by a missing `.kafka_cleanshutdown` marker), writes the recovery point and log start
 * offset checkpoints, runs retention and time-based flushes on the clock, and writes the marker last
 * on a clean close.
 *
 * @example
 * ```ts
 * const manager = await openLogManager({ fs, clock: systemClock(), logDirs: ["/var/lib/edgelog"], defaults: defaultLogConfig });
 * const log = await manager.createLog("orders", 0, defaultLogConfig);
 * await log.append(batch);
 * await manager.close();
 * ```
 * @module
 */
import { EdgelogError } from "../errors.ts";
import type { Clock, TimerHandle } from "../ports/clock.ts";
import { type FileSystem, joinPath } from "../ports/file-system.ts";
import {
  CLEANER_OFFSET_CHECKPOINT,
  LOG_START_OFFSET_CHECKPOINT,
  readOffsetCheckpoint,
  RECOVERY_POINT_CHECKPOINT,
  topicPartitionKey,
  writeOffsetCheckpoint,
} from "./checkpoint-file.ts";
import type { LogConfig } from "./log-config.ts";
import type { LogLogger } from "./log-recovery.ts";
import { DELETE_DIR_SUFFIX, parsePartitionDirName, partitionDirName } from "./partition-dir-name.ts";
import { openPartitionLog, type PartitionLog } from "./partition-log.ts";
import { SerialQueue } from "./serial-queue.ts";
import { storageError } from "./storage-error.ts";

/** Name of the marker a clean shutdown leaves in each log directory. */
export const CLEAN_SHUTDOWN_FILE = ".kafka_cleanshutdown";

/**
 * Every partition log of the broker.
 *
 * @example
 * ```ts
 * const log = manager.getLog("orders", 0) ?? (await manager.createLog("orders", 0, config));
 * ```
 */
export interface LogManager {
  /** Opens (creating) the log of a partition; idempotent: returns the existing one. */
  createLog(topic: string, partition: number, config: LogConfig): Promise<PartitionLog>;
  getLog(topic: string, partition: number): PartitionLog | undefined;
  hasLog(topic: string, partition: number): boolean;
  /** Deletes the log and its directory; a missing log is not an error. */
  deleteLog(topic: string, partition: number): Promise<void>;
  updateLogConfig(topic: string, partition: number, config: LogConfig): void;
  logs(): PartitionLog[];
  /** Writes `recovery-point-offset-checkpoint`, `log-start-offset-checkpoint` and `cleaner-offset-checkpoint` in every log directory. */
  checkpoint(): Promise<void>;
  /** Flushes and closes every log, writes the checkpoints, then the clean shutdown marker. */
  close(): Promise<void>;
}

/** Options of {@link openLogManager}. */
export interface OpenLogManagerOptions {
  fs: FileSystem;
  clock: Clock;
  logDirs: string[];
  /** The config of logs found on disk whose topic `configFor` does not know. */
  defaults: LogConfig;
  configFor?: (topic: string) => LogConfig;
  /** `log.retention.check.interval.ms`, default 300000. */
  retentionCheckIntervalMs?: number;
  /** How often logs are checked against `flush.ms`, default 1000. */
  flushCheckIntervalMs?: number;
  /** How often checkpoints are written, default 60000 (`log.flush.offset.checkpoint.interval.ms`). */
  checkpointIntervalMs?: number;
  logger?: (level: "info" | "warn", message: string) => void;
}

/**
 * Opens every partition log found in `logDirs` and starts the background tasks.
 *
 * @example
 * ```ts
 * const manager = await openLogManager({ fs, clock, logDirs: ["data"], defaults: defaultLogConfig, retentionCheckIntervalMs: 60_000 });
 * ```
 */
export async function openLogManager(options: OpenLogManagerOptions): Promise<LogManager> {
  if (!Array.isArray(options.logDirs) || options.logDirs.length === 0) throw new TypeError("openLogManager() needs at least one log directory");
  const manager = new Manager(options);
  try {
    for (const dir of options.logDirs) await manager.loadDir(dir);
  } catch (error) {
    await manager.abandon();
    throw error;
  }
  manager.start();
  return manager;
}

interface Entry {
  log: PartitionLog;
  logDir: string;
}

class Manager implements LogManager {
  private readonly fs: FileSystem;
  private readonly clock: Clock;
  private readonly logger: LogLogger;
  private readonly entries = new Map<string, Entry>();
  private readonly creating = new Map<string, Promise<PartitionLog>>();
  private readonly checkpointQueues = new Map<string, SerialQueue>();
  private readonly timers = new Map<string, TimerHandle>();
  private readonly tasks = new Set<Promise<void>>();
  private closed = false;

  constructor(private readonly options: OpenLogManagerOptions) {
    this.fs = options.fs;
    this.clock = options.clock;
    this.logger = options.logger ?? (() => {});
    for (const dir of options.logDirs) this.checkpointQueues.set(dir, new SerialQueue());
  }

  /** Loads one log directory: checkpoints, the clean shutdown marker, then every partition in it. */
  async loadDir(logDir: string): Promise<void> {
    const { fs } = this;
    try {
      await fs.mkdir(logDir);
    } catch (cause) {
      throw storageError(`Cannot open log directory ${logDir}`, cause);
    }
    // Independent reads, made together: the checkpoints (which never fail: a bad one counts as empty),
    // the clean shutdown marker and the directory's entries.
    const checkpoints = Promise.all([
      this.readCheckpoint(joinPath(logDir, RECOVERY_POINT_CHECKPOINT)),
      this.readCheckpoint(joinPath(logDir, LOG_START_OFFSET_CHECKPOINT)),
      this.readCheckpoint(joinPath(logDir, CLEANER_OFFSET_CHECKPOINT)),
    ]);
    let names: string[];
    let clean: boolean;
    try {
      const [marker, listed] = await Promise.all([fs.stat(joinPath(logDir, CLEAN_SHUTDOWN_FILE)), fs.list(logDir)]);
      clean = marker !== null;
      names = listed;
    } catch (cause) {
      throw storageError(`Cannot open log directory ${logDir}`, cause);
    }
    const [recoveryPoints, startOffsets, cleanerOffsets] = await checkpoints;
    // From here on a crash must be noticed at the next start (without a marker there is nothing to remove or sync).
    if (clean) {
      try {
        await fs.remove(joinPath(logDir, CLEAN_SHUTDOWN_FILE));
        await fs.syncDir(logDir);
      } catch (cause) {
        throw storageError(`Cannot remove the clean shutdown marker of ${logDir}`, cause);
      }
    }
    // A directory holding no partition yet has nothing to recover: a first start is not a crash.
    const holdsLogs = names.some((name) => parsePartitionDirName(name) !== null);
    if (!clean && holdsLogs) this.logger("warn", `Log directory ${logDir} was not shut down cleanly; recovering from the recovery points`);
    names.sort();
    const stats = await Promise.all(names.map((name) => fs.stat(joinPath(logDir, name))));
    for (const [i, name] of names.entries()) {
      const path = joinPath(logDir, name);
      const stat = stats[i]!;
      if (stat === null || !stat.isDirectory) continue;
      if (name.endsWith(DELETE_DIR_SUFFIX)) {
        await fs.remove(path);
        continue;
      }
      const parsed = parsePartitionDirName(name);
      if (parsed === null) {
        this.logger("warn", `Ignoring ${path}: not a <topic>-<partition> directory`);
        continue;
      }
      const key = topicPartitionKey(parsed.topic, parsed.partition);
      const existing = this.entries.get(key);
      if (existing !== undefined) {
        throw new EdgelogError("KAFKA_STORAGE_ERROR", `Duplicate log directories for ${name}: ${existing.log.dir} and ${path}`);
      }
      const recoveryPoint = recoveryPoints.get(key);
      const logStartOffset = startOffsets.get(key);
      const cleanerCheckpoint = cleanerOffsets.get(key);
      const log = await openPartitionLog({
        fs,
        clock: this.clock,
        dir: path,
        topic: parsed.topic,
        partition: parsed.partition,
        config: this.options.configFor?.(parsed.topic) ?? this.options.defaults,
        recoveryPoint: recoveryPoint ?? 0,
        cleanShutdown: clean,
        logger: this.logger,
        onCheckpointNeeded: () => this.checkpointDir(logDir),
        ...(logStartOffset === undefined ? {} : { logStartOffset }),
        ...(cleanerCheckpoint === undefined ? {} : { cleanerCheckpoint }),
      });
      this.entries.set(key, { log, logDir });
    }
  }

  /** Starts retention, flush and checkpoint timers. */
  start(): void {
    this.every("retention", this.options.retentionCheckIntervalMs ?? 300_000, () => this.runRetention());
    this.every("flush", this.options.flushCheckIntervalMs ?? 1000, () => this.runFlushes());
    this.every("checkpoint", this.options.checkpointIntervalMs ?? 60_000, () => this.checkpoint());
  }

  /** Closes what was opened, without checkpoints or marker (a failed start). */
  async abandon(): Promise<void> {
    this.closed = true;
    for (const { log } of this.entries.values()) await log.close().catch(() => undefined);
    this.entries.clear();
  }

  async createLog(topic: string, partition: number, config: LogConfig): Promise<PartitionLog> {
    this.checkOpen();
    const key = topicPartitionKey(topic, partition);
    const existing = this.entries.get(key);
    if (existing !== undefined) return existing.log;
    const pending = this.creating.get(key);
    if (pending !== undefined) return pending;
    const name = partitionDirName(topic, partition);
    const logDir = this.leastLoadedDir();
    const creation = openPartitionLog({
      fs: this.fs,
      clock: this.clock,
      dir: joinPath(logDir, name),
      topic,
      partition,
      config,
      cleanShutdown: true,
      logger: this.logger,
      onCheckpointNeeded: () => this.checkpointDir(logDir),
    })
      .then((log) => {
        this.entries.set(key, { log, logDir });
        return log;
      })
      .finally(() => this.creating.delete(key));
    this.creating.set(key, creation);
    return creation;
  }

  getLog(topic: string, partition: number): PartitionLog | undefined {
    return this.entries.get(topicPartitionKey(topic, partition))?.log;
  }

  hasLog(topic: string, partition: number): boolean {
    return this.entries.has(topicPartitionKey(topic, partition));
  }

  async deleteLog(topic: string, partition: number): Promise<void> {
    this.checkOpen();
    const key = topicPartitionKey(topic, partition);
    await this.creating.get(key)?.catch(() => undefined);
    const entry = this.entries.get(key);
    if (entry === undefined) return;
    this.entries.delete(key);
    await entry.log.delete();
    await this.checkpointDir(entry.logDir);
  }

  updateLogConfig(topic: string, partition: number, config: LogConfig): void {
    const entry = this.entries.get(topicPartitionKey(topic, partition));
    if (entry === undefined) throw new EdgelogError("UNKNOWN_TOPIC_OR_PARTITION", `No log for ${topic}-${partition}`);
    entry.log.updateConfig(config);
  }

  logs(): PartitionLog[] {
    return [...this.entries.values()].map((e) => e.log);
  }

  async checkpoint(): Promise<void> {
    await Promise.all(this.options.logDirs.map((dir) => this.checkpointDir(dir)));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const timer of this.timers.values()) this.clock.clearTimer(timer);
    this.timers.clear();
    await Promise.allSettled([...this.creating.values()]);
    await Promise.allSettled([...this.tasks]);
    const failedDirs = new Set<string>();
    let firstError: unknown;
    for (const { log, logDir } of this.entries.values()) {
      try {
        await log.close();
      } catch (error) {
        failedDirs.add(logDir);
        firstError ??= error;
        this.logger("warn", `Cannot close ${log.dir}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    await this.checkpoint();
    for (const dir of this.options.logDirs) {
      if (failedDirs.has(dir)) continue;
      try {
        await this.fs.writeFile(joinPath(dir, CLEAN_SHUTDOWN_FILE), new Uint8Array(0));
        await this.fs.syncDir(dir);
      } catch (cause) {
        firstError ??= storageError(`Cannot write the clean shutdown marker of ${dir}`, cause);
      }
    }
    if (firstError !== undefined) throw firstError;
  }

  /** Writes the checkpoints of one log directory (writes to a directory are serialized). */
  private checkpointDir(logDir: string): Promise<void> {
    const queue = this.checkpointQueues.get(logDir)!;
    return queue.run(async () => {
      const logs = [...this.entries.values()].filter((e) => e.logDir === logDir).map((e) => e.log);
      const entry = (log: PartitionLog, offset: number) => ({ topic: log.topic, partition: log.partition, offset });
      await writeOffsetCheckpoint(this.fs, joinPath(logDir, RECOVERY_POINT_CHECKPOINT), logs.map((l) => entry(l, l.recoveryPoint)));
      await writeOffsetCheckpoint(this.fs, joinPath(logDir, LOG_START_OFFSET_CHECKPOINT), logs.map((l) => entry(l, l.logStartOffset)));
      const compacted = logs.filter((l) => l.config.cleanupPolicy.includes("compact"));
      await writeOffsetCheckpoint(this.fs, joinPath(logDir, CLEANER_OFFSET_CHECKPOINT), compacted.map((l) => entry(l, l.firstDirtyOffset)));
    });
  }

  private async readCheckpoint(path: string): Promise<Map<string, number>> {
    try {
      return await readOffsetCheckpoint(this.fs, path);
    } catch (error) {
      this.logger("warn", `${error instanceof Error ? error.message : String(error)}; treating it as empty`);
      return new Map();
    }
  }

  private async runRetention(): Promise<void> {
    for (const log of this.logs()) {
      if (this.closed) return;
      try {
        await log.applyRetention();
        if (log.config.cleanupPolicy.includes("compact") && !this.closed) await log.compact();
      } catch (error) {
        this.logger("warn", `Retention of ${log.dir} failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }

  private async runFlushes(): Promise<void> {
    const now = this.clock.now();
    for (const log of this.logs()) {
      if (this.closed) return;
      const flushMs = log.config.flushMs;
      if (flushMs >= Number.MAX_SAFE_INTEGER || log.logEndOffset <= log.recoveryPoint || now - log.lastFlushTime < flushMs) continue;
      try {
        await log.flush();
      } catch (error) {
        this.logger("warn", `Flush of ${log.dir} failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }

  /**
   * Runs `task` every `intervalMs` on the clock until close. Runs may overlap; every task here is
   * serialized per log (or per directory) where it matters, and cheap when there is nothing to do.
   */
  private every(name: string, intervalMs: number, task: () => Promise<void>): void {
    if (!(intervalMs > 0) || intervalMs >= Number.MAX_SAFE_INTEGER) return;
    const tick = (): void => {
      if (this.closed) return;
      this.timers.set(name, this.clock.setTimer(intervalMs, tick));
      const run: Promise<void> = task()
        .catch((error: unknown) => this.logger("warn", `Background ${name} task failed: ${error instanceof Error ? error.message : String(error)}`))
        .finally(() => this.tasks.delete(run));
      this.tasks.add(run);
    };
    this.timers.set(name, this.clock.setTimer(intervalMs, tick));
  }

  private leastLoadedDir(): string {
    const counts = new Map<string, number>(this.options.logDirs.map((d) => [d, 0]));
    for (const e of this.entries.values()) counts.set(e.logDir, (counts.get(e.logDir) ?? 0) + 1);
    let best = this.options.logDirs[0]!;
    for (const [dir, count] of counts) if (count < counts.get(best)!) best = dir;
    return best;
  }

  private checkOpen(): void {
    if (this.closed) throw new EdgelogError("KAFKA_STORAGE_ERROR", "The log manager is closed");
  }
}
