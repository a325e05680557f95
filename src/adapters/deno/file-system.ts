/**
 * The {@link FileSystem} of Deno, on `Deno.open`/`Deno.FsFile`. Deno has no positional reads or
 * writes, so each handle runs its operations one after another (seek, then write or read) and tracks
 * its cursor to skip the seek between consecutive appends. Appends take their position when called,
 * so appends started together land in call order.
 *
 * @example
 * ```ts
 * import { denoFileSystem } from "./adapters/deno/file-system.ts";
 * const fs = denoFileSystem();
 * const file = await fs.open("data/t-0/00000000000000000000.log", { create: true });
 * await file.append(batch);
 * await file.sync();
 * ```
 * @module
 */
import { notFound, type FileHandle, type FileStat, type FileSystem, type OpenOptions } from "../../core/ports/file-system.ts";
import { EndTrackingFileHandle } from "../end-tracking-file-handle.ts";

/** Deno's errors carry `code` since 2.0; older versions only have the class. */
function mapError(error: unknown, path: string): unknown {
  if (error instanceof Deno.errors.NotFound && (error as { code?: unknown }).code !== "ENOENT") {
    const mapped = notFound(path);
    mapped.cause = error;
    return mapped;
  }
  return error;
}

async function mapped<T>(path: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw mapError(error, path);
  }
}

class DenoFile extends EndTrackingFileHandle {
  /** Where the file's cursor is, or -1 when unknown (after a failed operation). */
  private cursor = 0;
  /** The tail of the queue of operations; each starts when the one before has settled. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(path: string, private readonly file: Deno.FsFile, size: number, readOnly: boolean) {
    super(path, size, readOnly);
  }

  private enqueue<T>(run: () => Promise<T>): Promise<T> {
    const result = this.queue.then(run, run);
    this.queue = result.catch(() => {});
    return result.catch((error: unknown) => {
      this.cursor = -1;
      throw mapError(error, this.path);
    });
  }

  private async seek(position: number): Promise<void> {
    if (this.cursor !== position) this.cursor = await this.file.seek(position, Deno.SeekMode.Start);
  }

  protected writeAt(position: number, data: Uint8Array): Promise<void> {
    return this.enqueue(async () => {
      await this.seek(position);
      let done = 0;
      while (done < data.length) {
        const written = await this.file.write(data.subarray(done));
        done += written;
        this.cursor += written;
      }
    });
  }

  protected readAt(position: number, length: number): Promise<Uint8Array> {
    return this.enqueue(async () => {
      const want = await this.readableLength(position, length);
      const buffer = new Uint8Array(want);
      if (want === 0) return buffer;
      await this.seek(position);
      let done = 0;
      while (done < want) {
        const read = await this.file.read(buffer.subarray(done));
        if (read === null || read === 0) break;
        done += read;
        this.cursor += read;
      }
      return done === want ? buffer : buffer.slice(0, done);
    });
  }

  protected syncData(): Promise<void> {
    return this.enqueue(() => this.file.syncData());
  }

  protected truncateTo(size: number): Promise<void> {
    return this.enqueue(() => this.file.truncate(size));
  }

  protected closeFile(): Promise<void> {
    return this.enqueue(async () => this.file.close());
  }

  protected async currentSize(): Promise<number> {
    return (await this.file.stat()).size;
  }
}

async function openDenoFile(path: string, options: OpenOptions = {}): Promise<FileHandle> {
  const readOnly = options.readOnly === true;
  const file = await mapped(path, () =>
    Deno.open(path, {
      read: true,
      write: !readOnly,
      create: options.create === true && !readOnly,
      truncate: options.truncate === true && !readOnly,
      mode: 0o644,
    }),
  );
  try {
    const info = await file.stat();
    if (info.isDirectory) throw Object.assign(new Error(`Is a directory: ${path}`), { code: "EISDIR" });
    return new DenoFile(path, file, info.size, readOnly);
  } catch (error) {
    file.close();
    throw error;
  }
}

/**
 * The {@link FileSystem} of Deno. Needs `--allow-read` and `--allow-write` for the log directories.
 *
 * @example
 * ```ts
 * const fs = denoFileSystem();
 * await fs.mkdir("/var/lib/edgelog");
 * console.log(await fs.list("/var/lib/edgelog"));
 * ```
 */
export function denoFileSystem(): FileSystem {
  return {
    open: openDenoFile,
    readFile: (path) => mapped(path, () => Deno.readFile(path)),
    async writeFile(path: string, data: Uint8Array): Promise<void> {
      const file = await mapped(path, () => Deno.open(path, { write: true, create: true, truncate: true, mode: 0o644 }));
      try {
        let done = 0;
        while (done < data.length) done += await file.write(data.subarray(done));
        await file.syncData();
      } finally {
        file.close();
      }
    },
    rename: (from, to) => mapped(from, () => Deno.rename(from, to)),
    async remove(path: string): Promise<void> {
      try {
        await Deno.remove(path, { recursive: true });
      } catch (error) {
        if (!(error instanceof Deno.errors.NotFound)) throw error;
      }
    },
    list: (dir) =>
      mapped(dir, async () => {
        const names: string[] = [];
        for await (const entry of Deno.readDir(dir)) names.push(entry.name);
        return names;
      }),
    mkdir: (path) => mapped(path, () => Deno.mkdir(path, { recursive: true })),
    async stat(path: string): Promise<FileStat | null> {
      try {
        const info = await Deno.stat(path);
        return { size: info.size, isDirectory: info.isDirectory, mtimeMs: info.mtime?.getTime() ?? 0 };
      } catch (error) {
        if (error instanceof Deno.errors.NotFound || error instanceof Deno.errors.NotADirectory) return null;
        throw error;
      }
    },
    syncDir: (path) =>
      mapped(path, async () => {
        const dir = await Deno.open(path, { read: true });
        try {
          await dir.sync();
        } finally {
          dir.close();
        }
      }),
  };
}
