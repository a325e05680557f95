/**
 * The {@link FileSystem} of Node.js, on `node:fs/promises` file handles: positional writes at a size
 * the handle tracks itself (so `size()` needs no system call and appends started together land in call
 * order), `fdatasync` for `sync()`.
 *
 * @example
 * ```ts
 * import { nodeFileSystem } from "./adapters/node/file-system.ts";
 * const fs = nodeFileSystem();
 * const file = await fs.open("/var/lib/edgelog/t-0/00000000000000000000.log", { create: true });
 * await file.append(batch);
 * await file.sync();
 * ```
 * @module
 */
import { constants } from "node:fs";
import * as fsp from "node:fs/promises";
import type { FileHandle, FileStat, FileSystem, OpenOptions } from "../../core/ports/file-system.ts";
import { EndTrackingFileHandle } from "../end-tracking-file-handle.ts";

type NodeHandle = fsp.FileHandle;

/** A plain Uint8Array over a Buffer's bytes, so callers never meet Buffer's non-copying `slice`. */
function plain(buffer: Uint8Array): Uint8Array {
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}

/** Writes all of `data` at `position`, looping over short writes. */
async function writeAll(handle: NodeHandle, data: Uint8Array, position: number): Promise<void> {
  let done = 0;
  while (done < data.length) {
    const { bytesWritten } = await handle.write(data, done, data.length - done, position + done);
    done += bytesWritten;
  }
}

async function openNodeFile(path: string, options: OpenOptions = {}): Promise<FileHandle> {
  let flags = options.readOnly === true ? constants.O_RDONLY : constants.O_RDWR;
  if (options.create === true && options.readOnly !== true) flags |= constants.O_CREAT;
  if (options.truncate === true && options.readOnly !== true) flags |= constants.O_TRUNC;
  const handle = await fsp.open(path, flags, 0o644);
  try {
    const stat = await handle.stat();
    if (stat.isDirectory()) throw Object.assign(new Error(`Is a directory: ${path}`), { code: "EISDIR" });
    return new NodeFile(path, handle, stat.size, options.readOnly === true);
  } catch (error) {
    await handle.close();
    throw error;
  }
}

class NodeFile extends EndTrackingFileHandle {
  constructor(path: string, private readonly handle: NodeHandle, size: number, readOnly: boolean) {
    super(path, size, readOnly);
  }

  protected async writeAt(position: number, data: Uint8Array): Promise<void> {
    await writeAll(this.handle, data, position);
  }

  protected async readAt(position: number, length: number): Promise<Uint8Array> {
    const want = await this.readableLength(position, length);
    const buffer = new Uint8Array(want);
    let done = 0;
    while (done < want) {
      const { bytesRead } = await this.handle.read(buffer, done, want - done, position + done);
      if (bytesRead === 0) break;
      done += bytesRead;
    }
    return done === want ? buffer : buffer.slice(0, done);
  }

  protected async syncData(): Promise<void> {
    await this.handle.datasync();
  }

  protected async truncateTo(size: number): Promise<void> {
    await this.handle.truncate(size);
  }

  protected async closeFile(): Promise<void> {
    await this.handle.close();
  }

  protected async currentSize(): Promise<number> {
    return (await this.handle.stat()).size;
  }
}

/**
 * Node's directory operations behind the {@link FileSystem} port, and `open`. Exported for the Bun
 * adapter, which shares them (Bun implements `node:fs` natively) and replaces the rest.
 *
 * @example
 * ```ts
 * const fs: FileSystem = { ...nodeDirectoryOperations(), open, readFile, writeFile };
 * ```
 */
export function nodeDirectoryOperations(): Omit<FileSystem, "readFile" | "writeFile"> {
  return {
    open: openNodeFile,
    async rename(from: string, to: string): Promise<void> {
      await fsp.rename(from, to);
    },
    async remove(path: string): Promise<void> {
      await fsp.rm(path, { recursive: true, force: true });
    },
    async list(dir: string): Promise<string[]> {
      return await fsp.readdir(dir);
    },
    async mkdir(path: string): Promise<void> {
      await fsp.mkdir(path, { recursive: true });
    },
    async stat(path: string): Promise<FileStat | null> {
      try {
        const stat = await fsp.stat(path);
        return { size: stat.size, isDirectory: stat.isDirectory(), mtimeMs: stat.mtimeMs };
      } catch (error) {
        const code = (error as { code?: unknown }).code;
        if (code === "ENOENT" || code === "ENOTDIR") return null;
        throw error;
      }
    },
    async syncDir(path: string): Promise<void> {
      let handle: NodeHandle;
      try {
        handle = await fsp.open(path, constants.O_RDONLY);
      } catch (error) {
        // Windows cannot open a directory; its metadata updates need no fsync there.
        if (process.platform === "win32" && (error as { code?: unknown }).code !== "ENOENT") return;
        throw error;
      }
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
    },
  };
}

/** Writes a whole file through a positional write and `fdatasync`. */
async function nodeWriteFile(path: string, data: Uint8Array): Promise<void> {
  const handle = await fsp.open(path, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC, 0o644);
  try {
    await writeAll(handle, data, 0);
    await handle.datasync();
  } finally {
    await handle.close();
  }
}

/**
 * The {@link FileSystem} of Node.js.
 *
 * @example
 * ```ts
 * const fs = nodeFileSystem();
 * await fs.mkdir("/var/lib/edgelog");
 * console.log(await fs.list("/var/lib/edgelog"));
 * ```
 */
export function nodeFileSystem(): FileSystem {
  return {
    ...nodeDirectoryOperations(),
    async readFile(path: string): Promise<Uint8Array> {
      return plain(await fsp.readFile(path));
    },
    writeFile: nodeWriteFile,
  };
}
