/**
 * The leader epoch cache of a partition and its `leader-epoch-checkpoint` file: for each leader
 * epoch, the first offset written in it. Kafka's format: version `0`, a count, then
 * `<epoch> <startOffset>` lines. Replication uses it to answer OffsetsForLeaderEpoch and to truncate.
 *
 * @example
 * ```ts
 * const cache = await LeaderEpochCache.load(fs, "data/t-0/leader-epoch-checkpoint");
 * if (cache.assign(3, 1200)) await cache.persist();
 * cache.endOffsetFor(2, logEndOffset); // { epoch: 2, endOffset: 1200 }
 * ```
 * @module
 */
import { type FileSystem, isNotFound, writeFileAtomic } from "../ports/file-system.ts";
import { parseVersionedLines } from "./checkpoint-file.ts";
import { storageError } from "./storage-error.ts";

/** File name of the cache in a partition directory. */
export const LEADER_EPOCH_CHECKPOINT = "leader-epoch-checkpoint";

/** A leader epoch and the first offset appended in it. */
export interface EpochEntry {
  epoch: number;
  startOffset: number;
}

/**
 * Epoch start offsets in increasing order of epoch and offset.
 *
 * @example
 * ```ts
 * const cache = new LeaderEpochCache(fs, path);
 * cache.assign(0, 0);
 * cache.assign(1, 57);
 * cache.latestEpoch; // 1
 * ```
 */
export class LeaderEpochCache {
  private list: EpochEntry[] = [];
  private writes: Promise<void> = Promise.resolve();

  constructor(
    private readonly fs: FileSystem,
    readonly path: string,
  ) {}

  /**
   * Reads the checkpoint; a missing file is an empty cache, a malformed one too (reported through
   * `warn`), as the cache only speeds up and guides replication.
   */
  static async load(fs: FileSystem, path: string, warn: (message: string) => void = () => {}): Promise<LeaderEpochCache> {
    const cache = new LeaderEpochCache(fs, path);
    let bytes: Uint8Array;
    try {
      bytes = await fs.readFile(path);
    } catch (cause) {
      if (isNotFound(cause)) return cache;
      throw storageError(`Cannot read ${path}`, cause);
    }
    try {
      for (const [epoch, offset] of parseVersionedLines(bytes, path, 2)) {
        const e = Number(epoch);
        const o = Number(offset);
        if (!Number.isSafeInteger(e) || !Number.isSafeInteger(o) || e < 0 || o < 0) throw new Error(`bad entry "${epoch} ${offset}"`);
        cache.assign(e, o);
      }
    } catch (cause) {
      warn(`Ignoring malformed leader epoch checkpoint ${path}: ${cause instanceof Error ? cause.message : String(cause)}`);
      cache.list = [];
    }
    return cache;
  }

  /** The entries, oldest first. */
  entries(): readonly EpochEntry[] {
    return this.list;
  }

  /** The newest epoch, or -1 when there is none. */
  get latestEpoch(): number {
    return this.list.at(-1)?.epoch ?? -1;
  }

  /**
   * Records that `epoch` starts at `startOffset` when it is newer than the latest epoch (older or
   * equal epochs change nothing). Returns whether the cache changed.
   */
  assign(epoch: number, startOffset: number): boolean {
    const last = this.list.at(-1);
    if (last !== undefined && (epoch <= last.epoch || startOffset < last.startOffset)) return false;
    this.list.push({ epoch, startOffset });
    return true;
  }

  /**
   * {@link assign} for each batch that carries a leader epoch (≥ 0), in order. Returns whether the
   * cache changed.
   */
  assignFrom(batches: Iterable<{ partitionLeaderEpoch: number; baseOffset: number }>): boolean {
    let changed = false;
    for (const b of batches) if (b.partitionLeaderEpoch >= 0 && this.assign(b.partitionLeaderEpoch, b.baseOffset)) changed = true;
    return changed;
  }

  /**
   * Kafka's OffsetsForLeaderEpoch answer: the largest epoch ≤ `epoch` and the offset where the next
   * epoch starts (the log end for the latest epoch); `{ epoch: -1, endOffset: -1 }` when `epoch` is
   * older than every entry.
   */
  endOffsetFor(epoch: number, logEndOffset: number): { epoch: number; endOffset: number } {
    let found = -1;
    for (let i = 0; i < this.list.length; i++) if (this.list[i]!.epoch <= epoch) found = i;
    if (found < 0) return { epoch: -1, endOffset: -1 };
    const next = this.list[found + 1];
    return { epoch: this.list[found]!.epoch, endOffset: next === undefined ? logEndOffset : next.startOffset };
  }

  /** Drops entries that start at or after `offset` (the log was truncated there). */
  truncateFromEnd(offset: number): boolean {
    const before = this.list.length;
    this.list = this.list.filter((e) => e.startOffset < offset);
    return this.list.length !== before;
  }

  /** Drops entries wholly before `offset` and moves the first kept one up to it (log start moved). */
  truncateFromStart(offset: number): boolean {
    let changed = false;
    while (this.list.length > 1 && this.list[1]!.startOffset <= offset) {
      this.list.shift();
      changed = true;
    }
    const first = this.list[0];
    if (first !== undefined && first.startOffset < offset) {
      this.list[0] = { epoch: first.epoch, startOffset: offset };
      changed = true;
    }
    return changed;
  }

  /** Writes the checkpoint atomically (writes are serialized). */
  persist(): Promise<void> {
    const run = this.writes.then(async () => {
      let text = `0\n${this.list.length}\n`;
      for (const e of this.list) text += `${e.epoch} ${e.startOffset}\n`;
      try {
        await writeFileAtomic(this.fs, this.path, new TextEncoder().encode(text));
      } catch (cause) {
        throw storageError(`Cannot write ${this.path}`, cause);
      }
    });
    this.writes = run.catch(() => undefined);
    return run;
  }
}
