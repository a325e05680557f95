/**
 * Loads a partition directory into segments, as Kafka's LogLoader: stray files are removed,
 * segments below the recovery point are trusted (their indexes sanity-checked, rebuilt when
 * wrong), and after an unclean stop every segment from the one holding the recovery point on is
 * re-validated batch by batch; the first invalid byte ends the log (later segments are deleted).
 *
 * @example
 * ```ts
 * const loaded = await loadLog({ fs, dir, config, now: clock.now(), recoveryPoint: 1200, cleanShutdown: false });
 * console.log(loaded.segments.length, loaded.logEndOffset, loaded.truncatedBytes);
 * ```
 * @module
 */
import type { FileSystem } from "../ports/file-system.ts";
import { joinPath } from "../ports/file-system.ts";
import type { LogConfig } from "./log-config.ts";
import { LogSegment } from "./segment.ts";
import { parseSegmentFileName } from "./segment-name.ts";
import { recoverSegment } from "./segment-recovery.ts";
import { completeInterruptedSwaps } from "./segment-swap.ts";
import { storageError } from "./storage-error.ts";

/** Receives what loading found worth telling an operator. */
export type LogLogger = (level: "info" | "warn", message: string) => void;

/** Inputs of {@link loadLog}. */
export interface LoadLogOptions {
  fs: FileSystem;
  dir: string;
  config: LogConfig;
  now: number;
  /** Offset below which data was synced before the stop (from the recovery point checkpoint). */
  recoveryPoint: number;
  /** The checkpointed log start offset, if any. */
  logStartOffset?: number;
  /** Whether the broker stopped cleanly (recovery is skipped, indexes are still checked). */
  cleanShutdown: boolean;
  logger?: LogLogger;
}

/** The state {@link loadLog} found. */
export interface LoadedLog {
  /** Segments in base offset order; the last is active. Never empty. */
  segments: LogSegment[];
  logStartOffset: number;
  logEndOffset: number;
  recoveryPoint: number;
  /** Segments re-validated batch by batch. */
  recoveredSegments: number;
  /** Bytes cut off invalid tails (and whole segments deleted after one). */
  truncatedBytes: number;
}

/**
 * Opens, checks and if needed recovers the segments of one partition directory.
 *
 * @example
 * ```ts
 * const { segments } = await loadLog({ fs, dir: "data/t-0", config, now: Date.now(), recoveryPoint: 0, cleanShutdown: true });
 * ```
 */
export async function loadLog(options: LoadLogOptions): Promise<LoadedLog> {
  const { fs, dir, config, now } = options;
  const log = options.logger ?? (() => {});
  // Compactions a crash interrupted: roll back unfinished ones, complete committed ones.
  await completeInterruptedSwaps(fs, dir, log);
  const bases = await listSegments(fs, dir, log);
  let segments: LogSegment[] = [];
  const missing = new Set<LogSegment>();
  try {
    for (const base of bases) {
      const { segment, missingIndex } = await LogSegment.open(fs, dir, base, config, now);
      segments.push(segment);
      if (missingIndex) missing.add(segment);
    }
  } catch (cause) {
    await Promise.all(segments.map((s) => s.abandon()));
    throw cause;
  }

  // The first segment that may hold offsets at or past the recovery point.
  let firstUnflushed = segments.length;
  if (!options.cleanShutdown) {
    firstUnflushed = segments.findIndex((s, i) => i === segments.length - 1 || segments[i + 1]!.baseOffset > options.recoveryPoint);
    if (firstUnflushed < 0) firstUnflushed = segments.length;
  }

  let recoveredSegments = 0;
  let truncatedBytes = 0;
  let previousLastOffset = -1;
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i]!;
    if (i < firstUnflushed) {
      const problem = missing.has(segment) ? "an index file is missing or torn" : ((segment.offsetIndex.check(segment.size) ?? (await segment.loadTail())) ?? segment.checkIndexes());
      if (problem === undefined) {
        previousLastOffset = Math.max(previousLastOffset, segment.nextOffset - 1);
        continue;
      }
      log("warn", `Rebuilding the indexes of ${segment.logPath}: ${problem}`);
    }
    recoveredSegments++;
    const result = await recoverSegment(segment, previousLastOffset);
    await segment.persistIndexes();
    previousLastOffset = Math.max(previousLastOffset, segment.nextOffset - 1);
    if (result.truncatedBytes === 0) continue;
    truncatedBytes += result.truncatedBytes;
    log("warn", `Truncated ${result.truncatedBytes} invalid bytes from ${segment.logPath}: ${result.problem}`);
    if (i >= firstUnflushed) {
      // Nothing after the first invalid byte of unflushed data can be trusted.
      for (const later of segments.slice(i + 1)) {
        truncatedBytes += later.size;
        log("warn", `Deleting segment ${later.logPath} after an invalid batch in an earlier segment`);
        await later.destroy();
      }
      segments = segments.slice(0, i + 1);
      break;
    }
  }
  if (recoveredSegments > 0 && !options.cleanShutdown) log("info", `Recovered ${recoveredSegments} segment(s) of ${dir}`);

  let logStartOffset = Math.max(options.logStartOffset ?? 0, segments[0]?.baseOffset ?? 0);
  let logEndOffset = segments.at(-1)?.nextOffset ?? logStartOffset;
  if (segments.length === 0 || logStartOffset > logEndOffset) {
    // Nothing to keep: everything below the log start offset is deleted, so start afresh there.
    for (const s of segments) await s.destroy();
    segments = [await LogSegment.create(fs, dir, logStartOffset, config, now)];
    await fs.syncDir(dir).catch((cause: unknown) => {
      throw storageError(`Cannot sync directory ${dir}`, cause);
    });
    logEndOffset = logStartOffset;
  }
  const recoveryPoint = options.cleanShutdown ? logEndOffset : Math.min(Math.max(options.recoveryPoint, 0), logEndOffset);
  return { segments, logStartOffset, logEndOffset, recoveryPoint, recoveredSegments, truncatedBytes };
}

/** Base offsets of the `.log` files of `dir`, sorted; removes orphan indexes and temporary files. */
async function listSegments(fs: FileSystem, dir: string, log: LogLogger): Promise<number[]> {
  let names: string[];
  try {
    await fs.mkdir(dir);
    names = await fs.list(dir);
  } catch (cause) {
    throw storageError(`Cannot list log directory ${dir}`, cause);
  }
  const logs = new Set<number>();
  const indexes: { name: string; base: number }[] = [];
  for (const name of names) {
    const parsed = parseSegmentFileName(name);
    if (parsed === null) {
      if (name.endsWith(".tmp")) await fs.remove(joinPath(dir, name));
      continue;
    }
    if (parsed.suffix === ".log") logs.add(parsed.baseOffset);
    else indexes.push({ name, base: parsed.baseOffset });
  }
  for (const index of indexes) {
    if (logs.has(index.base)) continue;
    log("warn", `Deleting index ${joinPath(dir, index.name)} that has no log segment`);
    await fs.remove(joinPath(dir, index.name));
  }
  return [...logs].sort((a, b) => a - b);
}
