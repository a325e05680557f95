/**
 * The part of a runtime's {@link FileHandle} that is the same on Node, Bun and Deno: the handle keeps
 * its file's size itself (so `size()` needs no system call), checks arguments and state before every
 * call, and gives each append its position when it is called, so appends started together land in
 * call order. An append that fails gives its reservation back unless a later one was made on top of
 * it. A subclass supplies only the runtime's raw operations (`writeAt`, `readAt`, ...).
 *
 * @example
 * ```ts
 * class MyFile extends EndTrackingFileHandle {
 *   protected async writeAt(position: number, data: Uint8Array): Promise<void> { await raw.write(data, position); }
 *   // readAt, syncData, truncateTo, closeFile, currentSize
 * }
 * ```
 * @module
 */
import type { FileHandle } from "../core/ports/file-system.ts";
import { checkByteRange, checkHandleUsable } from "./file-handle-checks.ts";

/**
 * A {@link FileHandle} over a runtime's file that tracks the file's end (see the module notes).
 *
 * @example
 * ```ts
 * class NodeFile extends EndTrackingFileHandle {
 *   constructor(path: string, private readonly handle: fsp.FileHandle, size: number, readOnly: boolean) {
 *     super(path, size, readOnly);
 *   }
 *   protected async writeAt(position: number, data: Uint8Array): Promise<void> { await writeAll(this.handle, data, position); }
 *   // ...
 * }
 * ```
 */
export abstract class EndTrackingFileHandle implements FileHandle {
  private closed = false;

  /** `end` is the file's size at open; `readOnly` refuses every write with EBADF. */
  protected constructor(
    readonly path: string,
    protected end: number,
    protected readonly readOnly: boolean,
  ) {}

  size(): number {
    this.check(false);
    return this.end;
  }

  async append(data: Uint8Array): Promise<number> {
    this.check(true);
    const position = this.end;
    this.end += data.length;
    const end = this.end;
    try {
      await this.writeAt(position, data);
    } catch (error) {
      if (this.end === end) this.end = position;
      throw error;
    }
    return end;
  }

  async write(position: number, data: Uint8Array): Promise<void> {
    this.check(true);
    checkByteRange("Write position", position);
    this.end = Math.max(this.end, position + data.length);
    await this.writeAt(position, data);
  }

  async read(position: number, length: number): Promise<Uint8Array> {
    this.check(false);
    checkByteRange("Read position", position);
    checkByteRange("Read length", length);
    return await this.readAt(position, length);
  }

  async sync(): Promise<void> {
    this.check(false);
    await this.syncData();
  }

  async truncate(size: number): Promise<void> {
    this.check(true);
    checkByteRange("Truncate size", size);
    await this.truncateTo(size);
    this.end = size;
  }

  async close(): Promise<void> {
    this.check(false);
    this.closed = true;
    await this.closeFile();
  }

  /**
   * How many of the `length` bytes at `position` the file holds. A read-only handle may look at a
   * file another handle grows, so near its end it learns the size again first.
   */
  protected async readableLength(position: number, length: number): Promise<number> {
    if (this.readOnly && position + length > this.end) this.end = await this.currentSize();
    return Math.max(0, Math.min(length, this.end - position));
  }

  /** Writes all of `data` at `position` (arguments checked, end already moved past it). */
  protected abstract writeAt(position: number, data: Uint8Array): Promise<void> | void;
  /** Reads up to `length` bytes at `position` (arguments checked); see {@link readableLength}. */
  protected abstract readAt(position: number, length: number): Promise<Uint8Array>;
  /** fdatasync. */
  protected abstract syncData(): Promise<void>;
  /** Cuts the file to `size` bytes (checked); the end follows once this resolves. */
  protected abstract truncateTo(size: number): Promise<void>;
  /** Closes the runtime's file (the handle is already marked closed). */
  protected abstract closeFile(): Promise<void>;
  /** The file's size as the file system reports it now. */
  protected abstract currentSize(): Promise<number>;

  private check(writing: boolean): void {
    checkHandleUsable(this.path, this.closed, this.readOnly, writing);
  }
}
