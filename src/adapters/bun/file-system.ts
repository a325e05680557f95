/**
 * The {@link FileSystem} of Bun. Measured on Bun 1.4 (Linux, page cache, 2 cores):
 * - appends and in-place writes: `fs.writeSync` on the descriptor takes 2 µs for 300 bytes and 7 µs for
 *   16 KiB, against 40–70 µs through `node:fs/promises`, so they are synchronous: they copy into the
 *   page cache and never wait for the disk (`sync()` does, asynchronously, with `fdatasync`);
 * - positional reads stay asynchronous (`fs.read` on the descriptor, 30–55 µs, 15–30 µs of it CPU),
 *   because a read of old data may wait for the disk and must not stall the event loop; except reads
 *   of the last 4 MiB this handle appended itself, just written through the page cache, which use
 *   `fs.readSync` (about 2 µs): subscribers at the tail of a log read there once per push;
 * - `writeFile`: `Bun.write` and then `fdatasync` is 25–40% faster than open, write, fdatasync through
 *   `node:fs/promises`;
 * - `readFile`: `Bun.file().bytes()` and `fs.promises.readFile` are within noise of each other (70–110
 *   µs small, ~430 µs for 4 MiB); `Bun.file().bytes()` is kept because it yields a plain Uint8Array.
 * Directory operations are Node's (Bun implements `node:fs` natively and has no faster ones).
 *
 * @example
 * ```ts
 * import { bunFileSystem } from "./adapters/bun/file-system.ts";
 * const fs = bunFileSystem();
 * const file = await fs.open("data/t-0/00000000000000000000.log", { create: true });
 * await file.append(batch);
 * ```
 * @module
 */
import * as fs from "node:fs";
import type { FileHandle, FileSystem, OpenOptions } from "../../core/ports/file-system.ts";
import { EndTrackingFileHandle } from "../end-tracking-file-handle.ts";
import { nodeDirectoryOperations } from "../node/file-system.ts";

function call<T>(run: (done: (error: Error | null, value: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => run((error, value) => (error ? reject(error) : resolve(value))));
}

function writeAllSync(fd: number, data: Uint8Array, position: number): void {
  let done = 0;
  while (done < data.length) done += fs.writeSync(fd, data, done, data.length - done, position + done);
}

async function fdatasync(fd: number): Promise<void> {
  await call<void>((done) => fs.fdatasync(fd, (error) => done(error, undefined)));
}

/**
 * Reads that start in what this handle appended itself and end within this many bytes of the end of
 * the file are synchronous: that data was just written through the page cache, and `fs.readSync`
 * takes about 2 µs of CPU where an asynchronous read takes 15–30 µs (a subscriber at the tail of a
 * log reads there once per push).
 */
const SYNC_READ_WINDOW_BYTES = 4 * 1024 * 1024;

class BunFile extends EndTrackingFileHandle {
  /** Where this handle's own appends began: the size at open (or a truncation below it). */
  private appendedFrom: number;
  constructor(path: string, private readonly fd: number, size: number, readOnly: boolean) {
    super(path, size, readOnly);
    this.appendedFrom = size;
  }

  protected writeAt(position: number, data: Uint8Array): void {
    writeAllSync(this.fd, data, position);
  }

  protected async readAt(position: number, length: number): Promise<Uint8Array> {
    const want = await this.readableLength(position, length);
    const buffer = new Uint8Array(want);
    let done = 0;
    if (!this.readOnly && position >= this.appendedFrom && this.end - position <= SYNC_READ_WINDOW_BYTES) {
      while (done < want) {
        const read = fs.readSync(this.fd, buffer, done, want - done, position + done);
        if (read === 0) break;
        done += read;
      }
      return done === want ? buffer : buffer.slice(0, done);
    }
    while (done < want) {
      const read = await call<number>((d) => fs.read(this.fd, buffer, done, want - done, position + done, d));
      if (read === 0) break;
      done += read;
    }
    return done === want ? buffer : buffer.slice(0, done);
  }

  protected async syncData(): Promise<void> {
    await fdatasync(this.fd);
  }

  protected async truncateTo(size: number): Promise<void> {
    await call<void>((done) => fs.ftruncate(this.fd, size, (error) => done(error, undefined)));
    this.appendedFrom = Math.min(this.appendedFrom, size);
  }

  protected async closeFile(): Promise<void> {
    await call<void>((done) => fs.close(this.fd, (error) => done(error, undefined)));
  }

  protected async currentSize(): Promise<number> {
    return (await call<fs.Stats>((d) => fs.fstat(this.fd, d))).size;
  }
}

async function openBunFile(path: string, options: OpenOptions = {}): Promise<FileHandle> {
  const readOnly = options.readOnly === true;
  let flags = readOnly ? fs.constants.O_RDONLY : fs.constants.O_RDWR;
  if (options.create === true && !readOnly) flags |= fs.constants.O_CREAT;
  if (options.truncate === true && !readOnly) flags |= fs.constants.O_TRUNC;
  const fd = await call<number>((done) => fs.open(path, flags, 0o644, done));
  try {
    const stat = await call<fs.Stats>((done) => fs.fstat(fd, done));
    if (stat.isDirectory()) throw Object.assign(new Error(`Is a directory: ${path}`), { code: "EISDIR" });
    return new BunFile(path, fd, stat.size, readOnly);
  } catch (error) {
    fs.closeSync(fd);
    throw error;
  }
}

/**
 * The {@link FileSystem} of Bun (see the module notes for what runs through which API, and why).
 *
 * @example
 * ```ts
 * const fs = bunFileSystem();
 * await fs.writeFile("data/meta.properties", new TextEncoder().encode("version=0\n"));
 * ```
 */
export function bunFileSystem(): FileSystem {
  return {
    ...nodeDirectoryOperations(),
    open: openBunFile,
    async readFile(path: string): Promise<Uint8Array> {
      return await Bun.file(path).bytes();
    },
    async writeFile(path: string, data: Uint8Array): Promise<void> {
      await Bun.write(path, data, { createPath: false });
      const fd = await call<number>((done) => fs.open(path, fs.constants.O_RDONLY, done));
      try {
        await fdatasync(fd);
      } finally {
        fs.closeSync(fd);
      }
    },
  };
}
