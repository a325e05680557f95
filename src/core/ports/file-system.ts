/**
 * The file access the log needs, and nothing more. Adapters for Node, Bun and Deno implement it with
 * each runtime's own APIs; an in-memory implementation serves tests and can simulate a crash.
 *
 * Paths are plain strings joined with "/". Every method rejects with an `Error` whose `code` is
 * "ENOENT" when the path does not exist (see {@link isNotFound}).
 *
 * @example
 * ```ts
 * const file = await fs.open("data/t-0/00000000000000000000.log", { create: true });
 * await file.append(new Uint8Array([1, 2, 3]));
 * await file.sync();
 * const bytes = await file.read(0, 3);
 * await file.close();
 * ```
 * @module
 */

/** What {@link FileSystem.stat} tells about a path. */
export interface FileStat {
  size: number;
  isDirectory: boolean;
  /** Last modification, milliseconds since the epoch. */
  mtimeMs: number;
}

/** Options for {@link FileSystem.open}. */
export interface OpenOptions {
  /** Create the file when it does not exist (default false: a missing file rejects with ENOENT). */
  create?: boolean;
  /** Empty the file on open. */
  truncate?: boolean;
  /** Open for reading only. */
  readOnly?: boolean;
}

/**
 * An open file. Appends go to the end; reads are positional and may run concurrently with appends.
 *
 * @example
 * ```ts
 * const end = await file.append(batchBytes); // the file's size after the append
 * const head = await file.read(0, 61);
 * ```
 */
export interface FileHandle {
  /** The path this handle was opened with. */
  readonly path: string;
  /** Current size in bytes, including appends not yet synced. */
  size(): number;
  /** Writes all of `data` at the end of the file; resolves to the new size. */
  append(data: Uint8Array): Promise<number>;
  /** Writes all of `data` at `position` (used for rewriting a file in place, never the log's tail). */
  write(position: number, data: Uint8Array): Promise<void>;
  /** Reads up to `length` bytes at `position`; fewer at the end of the file, none past it. */
  read(position: number, length: number): Promise<Uint8Array>;
  /** Makes every write so far durable (fdatasync). */
  sync(): Promise<void>;
  /** Cuts the file to `size` bytes. */
  truncate(size: number): Promise<void>;
  /** Closes the handle; later calls reject. */
  close(): Promise<void>;
}

/**
 * The directory and file operations of one storage backend.
 *
 * @example
 * ```ts
 * await fs.mkdir("data/orders-0");
 * for (const name of await fs.list("data/orders-0")) console.log(name);
 * ```
 */
export interface FileSystem {
  open(path: string, options?: OpenOptions): Promise<FileHandle>;
  /** Reads a whole file. */
  readFile(path: string): Promise<Uint8Array>;
  /** Writes a whole file, replacing it, and syncs it. Not atomic: use {@link writeFileAtomic}. */
  writeFile(path: string, data: Uint8Array): Promise<void>;
  /** Renames a file or directory, replacing a file at `to`. */
  rename(from: string, to: string): Promise<void>;
  /** Removes a file, or a directory with everything below it. A missing path is not an error. */
  remove(path: string): Promise<void>;
  /** Names (not paths) of the entries of a directory, in no particular order. */
  list(dir: string): Promise<string[]>;
  /** Creates a directory and its missing parents. An existing directory is not an error. */
  mkdir(path: string): Promise<void>;
  /** What there is at `path`, or null when nothing is. */
  stat(path: string): Promise<FileStat | null>;
  /** Makes the entries of a directory (creations, renames, removals) durable. */
  syncDir(path: string): Promise<void>;
}

/**
 * Whether an error says that a path does not exist.
 *
 * @example
 * ```ts
 * try { await fs.readFile(p); } catch (e) { if (!isNotFound(e)) throw e; }
 * ```
 */
export function isNotFound(error: unknown): boolean {
  return typeof error === "object" && error !== null && (error as { code?: unknown }).code === "ENOENT";
}

/**
 * Makes an ENOENT error, for adapters whose runtime reports a missing path another way.
 *
 * @example
 * ```ts
 * throw notFound("data/missing.log");
 * ```
 */
export function notFound(path: string): Error {
  const error = new Error(`No such file or directory: ${path}`) as Error & { code: string };
  error.code = "ENOENT";
  return error;
}

/**
 * Replaces a file so that a crash leaves either the old or the new content: write a temporary file,
 * sync it, rename it over the target, sync the directory.
 *
 * @example
 * ```ts
 * await writeFileAtomic(fs, "data/recovery-point-offset-checkpoint", bytes);
 * ```
 */
export async function writeFileAtomic(fs: FileSystem, path: string, data: Uint8Array): Promise<void> {
  const tmp = `${path}.tmp`;
  await fs.writeFile(tmp, data);
  await fs.rename(tmp, path);
  await fs.syncDir(dirname(path));
}

/**
 * The directory part of a "/"-separated path.
 *
 * @example
 * ```ts
 * dirname("data/t-0/x.log"); // "data/t-0"
 * ```
 */
export function dirname(path: string): string {
  const i = path.lastIndexOf("/");
  return i <= 0 ? (i === 0 ? "/" : ".") : path.slice(0, i);
}

/**
 * Joins path parts with "/".
 *
 * @example
 * ```ts
 * joinPath("data", "t-0", "x.log"); // "data/t-0/x.log"
 * ```
 */
export function joinPath(...parts: string[]): string {
  return parts.filter((p) => p !== "").join("/").replace(/\/{2,}/g, "/");
}
