/**
 * The directory name of a partition's log, `<topic>-<partition>`, and its parsing. Topic names may
 * contain '-', so the partition number is what follows the last '-'.
 *
 * @example
 * ```ts
 * partitionDirName("orders-eu", 3); // "orders-eu-3"
 * parsePartitionDirName("orders-eu-3"); // { topic: "orders-eu", partition: 3 }
 * ```
 * @module
 */

import { dirname, type FileSystem } from "../ports/file-system.ts";
import { storageError } from "./storage-error.ts";

/** Suffix of a partition directory that is being deleted (renamed first, as Kafka does). */
export const DELETE_DIR_SUFFIX = "-delete";

/**
 * The directory name of one partition.
 *
 * @example
 * ```ts
 * partitionDirName("clicks", 0); // "clicks-0"
 * ```
 */
export function partitionDirName(topic: string, partition: number): string {
  if (typeof topic !== "string" || topic === "" || topic.includes("/")) throw new RangeError(`Invalid topic name for a log directory: ${String(topic)}`);
  if (!Number.isSafeInteger(partition) || partition < 0 || partition > 0x7fff_ffff) {
    throw new RangeError(`Partition must be an integer in [0, 2^31), got ${partition}`);
  }
  return `${topic}-${partition}`;
}

/**
 * Reads `<topic>-<partition>` back, splitting at the last '-'; null for anything else (including
 * directories being deleted, which end in {@link DELETE_DIR_SUFFIX}).
 *
 * @example
 * ```ts
 * parsePartitionDirName("a-b-c-12"); // { topic: "a-b-c", partition: 12 }
 * parsePartitionDirName("a-b.3f2e-delete"); // null
 * ```
 */
export function parsePartitionDirName(name: string): { topic: string; partition: number } | null {
  const dash = name.lastIndexOf("-");
  if (dash <= 0) return null;
  const digits = name.slice(dash + 1);
  if (!/^(0|[1-9]\d{0,9})$/.test(digits)) return null;
  const partition = Number(digits);
  if (partition > 0x7fff_ffff) return null;
  return { topic: name.slice(0, dash), partition };
}

/**
 * Deletes a partition directory as Kafka does: renamed to `<dir>.<unique id>-delete` first (so a
 * crash midway leaves a name the next start removes), then removed.
 *
 * @example
 * ```ts
 * await removeLogDirectory(fs, "data/orders-0", Date.now());
 * ```
 */
export async function removeLogDirectory(fs: FileSystem, dir: string, now: number): Promise<void> {
  const doomed = `${dir}.${now.toString(36)}${Math.random().toString(36).slice(2, 8)}${DELETE_DIR_SUFFIX}`;
  try {
    await fs.rename(dir, doomed);
    await fs.syncDir(dirname(dir));
    await fs.remove(doomed);
  } catch (cause) {
    throw storageError(`Cannot delete log directory ${dir}`, cause);
  }
}

/**
 * Syncs a directory's entries, reporting failure as KAFKA_STORAGE_ERROR.
 *
 * @example
 * ```ts
 * await syncDirectory(fs, "data/orders-0");
 * ```
 */
export async function syncDirectory(fs: FileSystem, dir: string): Promise<void> {
  try {
    await fs.syncDir(dir);
  } catch (cause) {
    throw storageError(`Cannot sync directory ${dir}`, cause);
  }
}
