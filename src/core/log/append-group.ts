/**
 * Group commit for a partition log: appends that arrive during one turn of the event loop (or while
 * the log's serial queue is busy) are collected into one group, which the queue writes as few
 * segment writes as the roll rules allow, usually one. Each append is validated on its own before it
 * joins, and keeps its own offsets, result and errors.
 *
 * - The group takes its place on the serial queue when its first append arrives, so appends keep
 *   their order against rolls, truncations and retention queued around them: {@link AppendGroups.seal}
 *   (called before any other task is queued) makes later appends start a new group.
 * - When its turn comes, the group first lets the event loop finish the current turn
 *   ({@link nextTurn}), so that the other requests a socket read delivered can join it.
 * - {@link fitsRun} decides, without I/O, whether one more append can share the pending write
 *   without changing where the log would have rolled had the appends been written one by one.
 *
 * @example
 * ```ts
 * const groups = new AppendGroups(queue, writer);
 * groups.add(member); // member.resolve / member.reject settle when the group is written
 * ```
 * @module
 */
import type { BatchHeader } from "../record/batch-header.ts";
import type { LogConfig } from "./log-config.ts";
import type { AppendInfo } from "./partition-log.ts";
import type { LogSegment } from "./segment.ts";
import type { SerialQueue } from "./serial-queue.ts";

/**
 * Where an append goes once its offsets are assigned (or checked): its offset range, the append
 * time (-1 with CreateTime) and its largest timestamp as stored.
 *
 * @example
 * ```ts
 * const placed: Placement = { first: 10, last: 12, logAppendTime: -1, maxTimestamp: 1_700_000_000_000 };
 * ```
 */
export interface Placement {
  first: number;
  last: number;
  logAppendTime: number;
  maxTimestamp: number;
}

/**
 * One validated append waiting for its group to be written.
 *
 * @example
 * ```ts
 * const member: QueuedAppend = { bytes, batches: checked.batches, recordCount: 1, maxTimestamp: -1, assign: true, leaderEpoch: undefined, config, resolve, reject };
 * ```
 */
export interface QueuedAppend {
  /** The batches as sent, patched in place when placed. */
  bytes: Uint8Array;
  /** Header views into {@link bytes}. */
  batches: BatchHeader[];
  recordCount: number;
  /** Largest maxTimestamp of the batches as produced. */
  maxTimestamp: number;
  /** A leader append (assign offsets) or a replica append (check them). */
  assign: boolean;
  leaderEpoch: number | undefined;
  /** The config the append was validated under. */
  config: LogConfig;
  /** Set once the append has a place in the log. */
  placement?: Placement;
  resolve(info: AppendInfo): void;
  reject(error: unknown): void;
}

/**
 * The run of appends that will share one segment write.
 *
 * @example
 * ```ts
 * const run: PendingRun = { bytes: 0, batches: 0 };
 * ```
 */
export interface PendingRun {
  /** Bytes of the appends in the run. */
  bytes: number;
  /** Batches of the appends in the run. */
  batches: number;
}

/**
 * The most bytes one shared write carries; an append that would take a run past it starts a new
 * run. Sharing saves a system call per append, which matters for small appends only, while the run
 * is copied into one fresh buffer, which costs more than the system call for large ones.
 *
 * @example
 * ```ts
 * fitsRun(segment, config, { bytes: MAX_RUN_BYTES, batches: 1 }, 1, placement, now); // false
 * ```
 */
export const MAX_RUN_BYTES = 64 * 1024;

const immediate = (globalThis as { setImmediate?: (callback: () => void) => unknown }).setImmediate;

/**
 * Resolves once the event loop has finished its current turn: after the I/O callbacks already due
 * (setImmediate on Node, Bun and Deno; a zero timeout elsewhere). Bound at load, so fake timers
 * installed later by a test do not stop appends.
 *
 * @example
 * ```ts
 * await nextTurn(); // the other messages of this socket read have been handled
 * ```
 */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => {
    if (immediate !== undefined) immediate(resolve);
    else setTimeout(resolve, 0);
  });
}

/**
 * Whether an append of `size` bytes, placed at `placement`, can join the pending `run` on the
 * active `segment`: true only when the run stays within {@link MAX_RUN_BYTES} and writing the appends
 * one by one would surely not have rolled before it (segment.bytes, full indexes, offsets beyond
 * int32 of the base, segment.ms). False means: write the run, then decide for this append on its own.
 *
 * @example
 * ```ts
 * if (!fitsRun(segment, config, run, member.bytes.length, placement, now)) await writeRun();
 * ```
 */
export function fitsRun(segment: LogSegment, config: LogConfig, run: PendingRun, size: number, placement: Placement, now: number): boolean {
  // A run is copied into one buffer: large appends gain nothing from sharing a write.
  if (run.bytes + size > MAX_RUN_BYTES) return false;
  // A run that starts a segment learns its roll timestamp only when written.
  if (segment.size === 0) return false;
  if (segment.size + run.bytes + size > config.segmentBytes) return false;
  // Each batch of the run may add one entry to each index.
  if (segment.offsetIndex.entries + run.batches >= segment.offsetIndex.maxEntries) return false;
  if (segment.timeIndex.entries + run.batches >= segment.timeIndex.maxEntries) return false;
  if (!segment.canHold(placement.last)) return false;
  const waited = segment.knownTimeWaitedForRoll(now, placement.maxTimestamp);
  return waited !== undefined && waited <= config.segmentMs;
}

/**
 * What {@link AppendGroups} needs of its log to write a group.
 *
 * @example
 * ```ts
 * const writer: GroupWriter = { now: () => clock.now(), logEndOffset: () => end, checkWritable, place, rollFor, fits, commit };
 * ```
 */
export interface GroupWriter {
  now(): number;
  /** Where the next append goes when no run is pending. */
  logEndOffset(): number;
  /** Throws when the log takes no more appends (offline after a failed write, deleted). */
  checkWritable(): void;
  /** Sets `member.placement` from `logEndOffset` (again after a failed write: harmless); throws the member's own error. */
  place(member: QueuedAppend, logEndOffset: number, now: number): Placement;
  /** Rolls first when the segment could not take this append written on its own (Kafka's shouldRoll). */
  rollFor(member: QueuedAppend, placement: Placement, now: number): Promise<void>;
  /** Whether the append can join the pending run without a roll between them ({@link fitsRun}). */
  fits(run: PendingRun, member: QueuedAppend, placement: Placement, now: number): boolean;
  /** Writes a run of placed appends as one segment append and settles each of them; never throws. */
  commit(run: QueuedAppend[], now: number): Promise<void>;
}

/**
 * The open group of a log, its scheduling on the log's serial queue, and the writing of a group
 * as runs of appends that share one segment write.
 *
 * @example
 * ```ts
 * const groups = new AppendGroups(writes, writer);
 * groups.seal();
 * await writes.run(() => this.rollTo(end, now)); // appends added from now on come after the roll
 * ```
 */
export class AppendGroups {
  private open: QueuedAppend[] | undefined;

  constructor(
    private readonly queue: SerialQueue,
    private readonly writer: GroupWriter,
  ) {}

  /** Adds an append to the open group, opening (and queueing) one when there is none. */
  add(member: QueuedAppend): void {
    if (this.open !== undefined) {
      this.open.push(member);
      return;
    }
    const group = [member];
    this.open = group;
    void this.queue.run(async () => {
      await nextTurn();
      if (this.open === group) this.open = undefined;
      try {
        await this.write(group);
      } catch (error) {
        // write() settles every member itself; this only guards against a bug leaving one hanging.
        for (const m of group) m.reject(error);
      }
    });
  }

  /** Closes the open group: appends added after this go into a new group, behind what is queued now. */
  seal(): void {
    this.open = undefined;
  }

  /**
   * Writes a group in order: each append is placed after the one before it, and consecutive appends
   * that need no roll between them share one segment write. Every member is settled: with its own
   * result, its own placement error, or the error of the write it shared.
   */
  private async write(group: QueuedAppend[]): Promise<void> {
    const w = this.writer;
    const now = w.now();
    let run: QueuedAppend[] = [];
    const pending: PendingRun = { bytes: 0, batches: 0 };
    for (const member of group) {
      try {
        w.checkWritable();
        if (run.length > 0) {
          const placement = w.place(member, run[run.length - 1]!.placement!.last + 1, now);
          if (member.batches.length > 0 && w.fits(pending, member, placement, now)) {
            run.push(member);
            pending.bytes += member.bytes.length;
            pending.batches += member.batches.length;
            continue;
          }
          await w.commit(run, now);
          run = [];
          w.checkWritable();
        }
        const end = w.logEndOffset();
        if (member.batches.length === 0) {
          member.resolve({ baseOffset: end, lastOffset: end - 1, logAppendTime: -1, recordCount: 0, batchCount: 0 });
          continue;
        }
        await w.rollFor(member, w.place(member, end, now), now);
        run = [member];
        pending.bytes = member.bytes.length;
        pending.batches = member.batches.length;
      } catch (error) {
        member.reject(error);
      }
    }
    if (run.length > 0) await w.commit(run, now);
  }
}
