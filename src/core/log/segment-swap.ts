/**
 * Puts a compacted segment in place of the segments it was made from so that a crash at any point
 * leaves either the old segments or the new one, as Kafka's `replaceSegments` and its recovery in
 * `LogLoader` do. The steps, for a new segment with base offset B replacing old segments B, B2, ...:
 *
 * 1. `B.log.cleaned`, `B.index.cleaned`, `B.timeindex.cleaned` are written and synced (before this module).
 * 2. `B.log.cleaned` is renamed to `B.log.swap` and the directory synced: from here on the swap is
 *    committed and recovery completes it.
 * 3. The files of B2, ... are removed.
 * 4. The `.cleaned` indexes are renamed over `B.index` and `B.timeindex`.
 * 5. `B.log.swap` is renamed over `B.log` and the directory synced.
 *
 * Recovery ({@link completeInterruptedSwaps}, before the segments are opened) deletes every
 * `.cleaned` file (an unfinished compaction is rolled back) and finishes every `B.log.swap`: it
 * deletes the old segments whose base offset lies inside the swap segment's offsets and B's index
 * files (they may be old or new; they are rebuilt from the log), then renames the swap into place.
 *
 * @example
 * ```ts
 * await commitSwap(fs, "data/t-0", 0);            // 0.log.cleaned becomes 0.log.swap
 * await finishSwap(fs, "data/t-0", 0, [100, 200]); // and replaces segments 0, 100 and 200
 * await completeInterruptedSwaps(fs, "data/t-0", logger); // on open, before listing segments
 * ```
 * @module
 */
import type { FileSystem } from "../ports/file-system.ts";
import { isNotFound, joinPath } from "../ports/file-system.ts";
import { BatchCursor } from "./batch-cursor.ts";
import { CLEANED_SUFFIX, suffixedSegmentPath } from "./cleaned-segment.ts";
import type { LogLogger } from "./log-recovery.ts";
import { INDEX_SUFFIX, LOG_SUFFIX, parseSegmentFileName, segmentFileName, TIME_INDEX_SUFFIX } from "./segment-name.ts";
import { storageError } from "./storage-error.ts";

/** Suffix of a compacted segment that is being swapped in. */
export const SWAP_SUFFIX = ".swap";

const SUFFIXES = [LOG_SUFFIX, INDEX_SUFFIX, TIME_INDEX_SUFFIX] as const;

/**
 * Step 2: renames `<base>.log.cleaned` to `<base>.log.swap` and syncs the directory. Once this
 * resolves the swap is committed. On failure nothing is committed, except that the `.swap` file may
 * exist: remove it with {@link abandonSwap}.
 *
 * @example
 * ```ts
 * await commitSwap(fs, dir, group[0].baseOffset);
 * ```
 */
export async function commitSwap(fs: FileSystem, dir: string, baseOffset: number): Promise<void> {
  const swapLog = suffixedSegmentPath(dir, baseOffset, LOG_SUFFIX, SWAP_SUFFIX);
  await step(`Cannot commit the compacted segment ${swapLog}`, async () => {
    await fs.rename(suffixedSegmentPath(dir, baseOffset, LOG_SUFFIX, CLEANED_SUFFIX), swapLog);
    await fs.syncDir(dir);
  });
}

/**
 * Steps 3 to 5, after {@link commitSwap}: removes the segments at `replacedBases` and renames the
 * compacted segment's files over those of the segment at `baseOffset`.
 *
 * @example
 * ```ts
 * await finishSwap(fs, dir, group[0].baseOffset, group.slice(1).map((s) => s.baseOffset));
 * ```
 */
export async function finishSwap(fs: FileSystem, dir: string, baseOffset: number, replacedBases: readonly number[]): Promise<void> {
  const swapLog = suffixedSegmentPath(dir, baseOffset, LOG_SUFFIX, SWAP_SUFFIX);
  await step(`Cannot finish swapping in ${swapLog}`, async () => {
    for (const base of replacedBases) {
      for (const suffix of SUFFIXES) await fs.remove(joinPath(dir, segmentFileName(base, suffix)));
    }
    await fs.rename(suffixedSegmentPath(dir, baseOffset, INDEX_SUFFIX, CLEANED_SUFFIX), joinPath(dir, segmentFileName(baseOffset, INDEX_SUFFIX)));
    await fs.rename(suffixedSegmentPath(dir, baseOffset, TIME_INDEX_SUFFIX, CLEANED_SUFFIX), joinPath(dir, segmentFileName(baseOffset, TIME_INDEX_SUFFIX)));
    await fs.rename(swapLog, joinPath(dir, segmentFileName(baseOffset, LOG_SUFFIX)));
    await fs.syncDir(dir);
  });
}

/**
 * Best effort after a failed {@link commitSwap}: removes the `.swap` and `.cleaned` files of
 * `baseOffset`, so that a later recovery does not complete a swap the log gave up. Resolves whether
 * every file is gone.
 *
 * @example
 * ```ts
 * if (!(await abandonSwap(fs, dir, base))) markBroken();
 * ```
 */
export async function abandonSwap(fs: FileSystem, dir: string, baseOffset: number): Promise<boolean> {
  try {
    await fs.remove(suffixedSegmentPath(dir, baseOffset, LOG_SUFFIX, SWAP_SUFFIX));
    for (const suffix of SUFFIXES) await fs.remove(suffixedSegmentPath(dir, baseOffset, suffix, CLEANED_SUFFIX));
    await fs.syncDir(dir);
    return true;
  } catch {
    return false;
  }
}

/**
 * Rolls back unfinished compactions (deletes `.cleaned` files) and completes committed ones
 * (`.log.swap` files) in a partition directory. A missing directory has nothing to do.
 *
 * @example
 * ```ts
 * const completed = await completeInterruptedSwaps(fs, "data/t-0", (level, message) => console.log(level, message));
 * ```
 */
export async function completeInterruptedSwaps(fs: FileSystem, dir: string, logger: LogLogger = () => {}): Promise<number> {
  let names: string[];
  try {
    names = await fs.list(dir);
  } catch (cause) {
    if (isNotFound(cause)) return 0;
    throw storageError(`Cannot list log directory ${dir}`, cause);
  }
  const swaps: number[] = [];
  const logs: number[] = [];
  await step(`Cannot recover interrupted compactions in ${dir}`, async () => {
    for (const name of names) {
      if (name.endsWith(CLEANED_SUFFIX)) {
        logger("warn", `Deleting ${joinPath(dir, name)} left by an interrupted compaction`);
        await fs.remove(joinPath(dir, name));
      } else if (name.endsWith(SWAP_SUFFIX)) {
        const parsed = parseSegmentFileName(name.slice(0, -SWAP_SUFFIX.length));
        if (parsed?.suffix === LOG_SUFFIX) swaps.push(parsed.baseOffset);
        else await fs.remove(joinPath(dir, name)); // a swapped index: rebuilt from the log instead
      } else {
        const parsed = parseSegmentFileName(name);
        if (parsed?.suffix === LOG_SUFFIX) logs.push(parsed.baseOffset);
      }
    }
    swaps.sort((a, b) => a - b);
    for (const base of swaps) {
      const swapLog = suffixedSegmentPath(dir, base, LOG_SUFFIX, SWAP_SUFFIX);
      const end = Math.max(await nextOffsetOf(fs, swapLog, base), base + 1);
      for (const old of logs) {
        if (old <= base || old >= end) continue;
        for (const suffix of SUFFIXES) await fs.remove(joinPath(dir, segmentFileName(old, suffix)));
      }
      await fs.remove(joinPath(dir, segmentFileName(base, INDEX_SUFFIX)));
      await fs.remove(joinPath(dir, segmentFileName(base, TIME_INDEX_SUFFIX)));
      await fs.rename(swapLog, joinPath(dir, segmentFileName(base, LOG_SUFFIX)));
      logger("warn", `Completed the interrupted swap of compacted segment ${joinPath(dir, segmentFileName(base, LOG_SUFFIX))}`);
    }
    if (swaps.length > 0) await fs.syncDir(dir);
  });
  return swaps.length;
}

/** The offset after the last whole batch of a segment file (its base offset when it has none). */
async function nextOffsetOf(fs: FileSystem, path: string, baseOffset: number): Promise<number> {
  const file = await fs.open(path, { readOnly: true });
  try {
    const cursor = new BatchCursor(file, 0, file.size());
    let next = baseOffset;
    while (await cursor.next()) next = cursor.lastOffset + 1;
    return next;
  } finally {
    await file.close().catch(() => undefined);
  }
}

async function step(message: string, run: () => Promise<void>): Promise<void> {
  try {
    await run();
  } catch (cause) {
    throw storageError(message, cause);
  }
}
