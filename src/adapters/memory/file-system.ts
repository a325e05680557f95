/**
 * An in-memory {@link FileSystem} for tests that can simulate power loss.
 *
 * Every file keeps two states: its current bytes and its durable bytes (as of its last `sync()`),
 * plus the write and truncate operations since then. {@link MemoryFileSystem.crash} decides per file
 * which of those operations reached the disk. Directory operations (create, rename, remove) are
 * durable at once, like a journaled file system that orders metadata; edgelog still calls `syncDir`
 * so that it is correct on file systems that do not.
 *
 * Paths are "/"-separated; the file system has a single root, so a leading "/" or "./" changes
 * nothing ("/data/x.log" and "data/x.log" are the same file).
 *
 * @example
 * ```ts
 * const fs = memoryFileSystem();
 * await fs.mkdir("data");
 * const file = await fs.open("data/a.log", { create: true });
 * await file.append(new Uint8Array([1, 2, 3]));
 * await file.sync();
 * await file.append(new Uint8Array([4, 5]));
 * fs.crash({ keepUnsynced: "none" });
 * await fs.readFile("data/a.log"); // Uint8Array [1, 2, 3]
 * ```
 * @module
 */
import { notFound, type FileHandle, type FileStat, type FileSystem, type OpenOptions } from "../../core/ports/file-system.ts";
import { checkByteRange, checkHandleUsable } from "../file-handle-checks.ts";

/** Options for {@link MemoryFileSystem.crash}. */
export interface CrashOptions {
  /** Source of randomness in [0, 1), for reproducible crashes (default `Math.random`). */
  random?: () => number;
  /**
   * Which operations made since a file's last `sync()` survive: "none", "all", or (default) "random":
   * a random prefix of the unsynced operations survives, and the last surviving one, when it is a
   * write, is torn with probability 1/2 at a uniformly chosen byte (only its first bytes survive).
   * Truncations, `open({ truncate: true })` included, are operations like writes: a crash may undo them.
   */
  keepUnsynced?: "none" | "all" | "random";
}

/** Options for {@link memoryFileSystem}. */
export interface MemoryFileSystemOptions {
  /** The clock for `mtimeMs` (default `Date.now`). */
  now?: () => number;
}

/**
 * A {@link FileSystem} held in memory, with tools to crash it and to damage files.
 *
 * @example
 * ```ts
 * const fs = memoryFileSystem();
 * fs.crash({ random: seededRandom(42) });
 * fs.corrupt("data/t-0/00000000000000000000.log", 100, 0x01);
 * ```
 */
export interface MemoryFileSystem extends FileSystem {
  /**
   * Simulates power loss. Per file, bytes written since its last `sync()` may be lost (see
   * {@link CrashOptions}); the directory tree stays as it is. Every handle opened before the crash
   * rejects every later call with "File handle is closed by a crash"; the file system keeps working
   * with the surviving contents.
   */
  crash(options?: CrashOptions): void;
  /** The current bytes of every file, by path ("dir/name", without a leading "/"). */
  snapshot(): Map<string, Uint8Array>;
  /**
   * Flips bits of the byte at `position` of a file with `xorMask`, in its current and durable
   * contents alike (bit rot on the disk), for recovery tests.
   */
  corrupt(path: string, position: number, xorMask: number): void;
}

type Pending = { kind: "write"; position: number; data: Uint8Array } | { kind: "truncate"; size: number };

/** A byte array that grows by doubling, so many small appends stay cheap. */
class Bytes {
  buffer = new Uint8Array(0);
  length = 0;

  setLength(size: number): void {
    if (size > this.buffer.length) {
      const grown = new Uint8Array(Math.max(size, this.buffer.length * 2, 64));
      grown.set(this.buffer.subarray(0, this.length));
      this.buffer = grown;
    } else if (size > this.length) {
      this.buffer.fill(0, this.length, size);
    }
    this.length = size;
  }

  write(position: number, data: Uint8Array): void {
    const end = position + data.length;
    if (end > this.length) this.setLength(end);
    this.buffer.set(data, position);
  }

  apply(op: Pending): void {
    if (op.kind === "write") this.write(op.position, op.data);
    else this.setLength(op.size);
  }

  copy(): Bytes {
    const bytes = new Bytes();
    bytes.buffer = this.buffer.slice(0, Math.max(this.length, 64));
    bytes.length = this.length;
    return bytes;
  }

  view(): Uint8Array {
    return this.buffer.subarray(0, this.length);
  }
}

class FileNode {
  readonly kind = "file";
  current = new Bytes();
  durable = new Bytes();
  pending: Pending[] = [];
  constructor(public mtimeMs: number) {}

  record(op: Pending, now: number): void {
    this.current.apply(op);
    this.pending.push(op);
    this.mtimeMs = now;
  }

  sync(): void {
    for (const op of this.pending) this.durable.apply(op);
    this.pending = [];
  }

  crash(keep: "none" | "all" | "random", random: () => number): void {
    let survivors = keep === "all" ? this.pending.length : 0;
    if (keep === "random") survivors = Math.floor(random() * (this.pending.length + 1));
    for (let i = 0; i < survivors; i++) {
      const op = this.pending[i] as Pending;
      const torn = keep === "random" && i === survivors - 1 && op.kind === "write" && random() < 0.5;
      this.durable.apply(torn ? { ...op, data: op.data.subarray(0, Math.floor(random() * op.data.length)) } : op);
    }
    this.pending = [];
    this.current = this.durable.copy();
  }
}

class DirNode {
  readonly kind = "dir";
  readonly children = new Map<string, Node>();
  constructor(public mtimeMs: number) {}
}

type Node = FileNode | DirNode;

function fsError(code: string, message: string): Error {
  const error = new Error(message) as Error & { code: string };
  error.code = code;
  return error;
}

function segments(path: string): string[] {
  if (typeof path !== "string") throw new TypeError(`Path must be a string, got ${typeof path}`);
  const parts: string[] = [];
  for (const part of path.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") parts.pop();
    else parts.push(part);
  }
  return parts;
}

class MemoryHandle implements FileHandle {
  private closed = false;
  constructor(
    readonly path: string,
    private readonly node: FileNode,
    private readonly readOnly: boolean,
    private readonly generation: number,
    private readonly fs: MemoryFs,
  ) {}

  private check(writing: boolean): void {
    if (this.generation !== this.fs.generation) throw new Error("File handle is closed by a crash");
    checkHandleUsable(this.path, this.closed, this.readOnly, writing);
  }

  size(): number {
    this.check(false);
    return this.node.current.length;
  }

  async append(data: Uint8Array): Promise<number> {
    this.check(true);
    this.node.record({ kind: "write", position: this.node.current.length, data: data.slice() }, this.fs.now());
    return this.node.current.length;
  }

  async write(position: number, data: Uint8Array): Promise<void> {
    this.check(true);
    checkByteRange("Write position", position);
    this.node.record({ kind: "write", position, data: data.slice() }, this.fs.now());
  }

  async read(position: number, length: number): Promise<Uint8Array> {
    this.check(false);
    checkByteRange("Read position", position);
    checkByteRange("Read length", length);
    const bytes = this.node.current;
    return bytes.buffer.slice(Math.min(position, bytes.length), Math.min(position + length, bytes.length));
  }

  async sync(): Promise<void> {
    this.check(false);
    this.node.sync();
  }

  async truncate(size: number): Promise<void> {
    this.check(true);
    checkByteRange("Truncate size", size);
    this.node.record({ kind: "truncate", size }, this.fs.now());
  }

  async close(): Promise<void> {
    this.check(false);
    this.closed = true;
  }
}

class MemoryFs implements MemoryFileSystem {
  generation = 0;
  readonly now: () => number;
  private readonly root: DirNode;

  constructor(options: MemoryFileSystemOptions) {
    this.now = options.now ?? Date.now;
    this.root = new DirNode(this.now());
  }

  private lookup(parts: string[]): Node | undefined {
    let node: Node | undefined = this.root;
    for (const part of parts) {
      if (node?.kind !== "dir") return undefined;
      node = node.children.get(part);
    }
    return node;
  }

  /** The directory that holds `path` and the entry's name; ENOENT when the directory is missing. */
  private parentOf(path: string): { parent: DirNode; name: string } {
    const parts = segments(path);
    const name = parts.pop();
    if (name === undefined) throw fsError("EISDIR", `Not a file: ${path}`);
    const parent = this.lookup(parts);
    if (parent === undefined) throw notFound(path);
    if (parent.kind !== "dir") throw fsError("ENOTDIR", `Not a directory: ${parts.join("/")}`);
    return { parent, name };
  }

  private file(path: string): FileNode {
    const node = this.lookup(segments(path));
    if (node === undefined) throw notFound(path);
    if (node.kind !== "file") throw fsError("EISDIR", `Is a directory: ${path}`);
    return node;
  }

  async open(path: string, options: OpenOptions = {}): Promise<FileHandle> {
    const { parent, name } = this.parentOf(path);
    let node = parent.children.get(name);
    if (node === undefined) {
      if (options.create !== true || options.readOnly === true) throw notFound(path);
      node = new FileNode(this.now());
      parent.children.set(name, node);
      parent.mtimeMs = this.now();
    }
    if (node.kind !== "file") throw fsError("EISDIR", `Is a directory: ${path}`);
    if (options.truncate === true && options.readOnly !== true) node.record({ kind: "truncate", size: 0 }, this.now());
    return new MemoryHandle(path, node, options.readOnly === true, this.generation, this);
  }

  async readFile(path: string): Promise<Uint8Array> {
    return this.file(path).current.view().slice();
  }

  async writeFile(path: string, data: Uint8Array): Promise<void> {
    const copy = data.slice();
    const file = await this.open(path, { create: true, truncate: true });
    await file.write(0, copy);
    await file.sync();
    await file.close();
  }

  async rename(from: string, to: string): Promise<void> {
    const source = this.parentOf(from);
    const node = source.parent.children.get(source.name);
    if (node === undefined) throw notFound(from);
    const target = this.parentOf(to);
    const existing = target.parent.children.get(target.name);
    if (existing === node) return;
    if (node.kind === "dir") {
      const fromParts = segments(from);
      const toParts = segments(to);
      if (toParts.length > fromParts.length && fromParts.every((p, i) => toParts[i] === p)) {
        throw fsError("EINVAL", `Cannot move a directory into itself: ${from} to ${to}`);
      }
      if (existing?.kind === "file") throw fsError("ENOTDIR", `Not a directory: ${to}`);
      if (existing?.kind === "dir" && existing.children.size > 0) throw fsError("ENOTEMPTY", `Directory not empty: ${to}`);
    } else if (existing?.kind === "dir") {
      throw fsError("EISDIR", `Is a directory: ${to}`);
    }
    source.parent.children.delete(source.name);
    target.parent.children.set(target.name, node);
    source.parent.mtimeMs = target.parent.mtimeMs = this.now();
  }

  async remove(path: string): Promise<void> {
    const parts = segments(path);
    const name = parts.pop();
    if (name === undefined) throw fsError("EPERM", `Cannot remove the root directory: ${path}`);
    const parent = this.lookup(parts);
    if (parent?.kind !== "dir") return;
    if (parent.children.delete(name)) parent.mtimeMs = this.now();
  }

  async list(dir: string): Promise<string[]> {
    const node = this.lookup(segments(dir));
    if (node === undefined) throw notFound(dir);
    if (node.kind !== "dir") throw fsError("ENOTDIR", `Not a directory: ${dir}`);
    return [...node.children.keys()];
  }

  async mkdir(path: string): Promise<void> {
    let dir = this.root;
    for (const part of segments(path)) {
      let child = dir.children.get(part);
      if (child === undefined) {
        child = new DirNode(this.now());
        dir.children.set(part, child);
        dir.mtimeMs = this.now();
      }
      if (child.kind !== "dir") throw fsError("EEXIST", `A file is in the way: ${path}`);
      dir = child;
    }
  }

  async stat(path: string): Promise<FileStat | null> {
    const node = this.lookup(segments(path));
    if (node === undefined) return null;
    if (node.kind === "dir") return { size: 0, isDirectory: true, mtimeMs: node.mtimeMs };
    return { size: node.current.length, isDirectory: false, mtimeMs: node.mtimeMs };
  }

  async syncDir(path: string): Promise<void> {
    const node = this.lookup(segments(path));
    if (node === undefined) throw notFound(path);
    if (node.kind !== "dir") throw fsError("ENOTDIR", `Not a directory: ${path}`);
  }

  crash(options: CrashOptions = {}): void {
    const keep = options.keepUnsynced ?? "random";
    const random = options.random ?? Math.random;
    for (const [, node] of this.files()) node.crash(keep, random);
    this.generation++;
  }

  snapshot(): Map<string, Uint8Array> {
    const result = new Map<string, Uint8Array>();
    for (const [path, node] of this.files()) result.set(path, node.current.view().slice());
    return result;
  }

  corrupt(path: string, position: number, xorMask: number): void {
    const node = this.file(path);
    if (!Number.isSafeInteger(position) || position < 0 || position >= node.current.length) {
      throw new RangeError(`Position ${position} is outside ${path} (${node.current.length} bytes)`);
    }
    if (!Number.isInteger(xorMask) || xorMask < 1 || xorMask > 255) throw new RangeError(`xorMask must be 1..255, got ${xorMask}`);
    node.current.buffer[position]! ^= xorMask;
    if (position < node.durable.length) node.durable.buffer[position]! ^= xorMask;
    for (const op of node.pending) {
      const at = position - (op.kind === "write" ? op.position : Infinity);
      if (op.kind === "write" && at >= 0 && at < op.data.length) op.data[at]! ^= xorMask;
    }
  }

  /** Every file with its path, depth first, in creation order (so seeded crashes repeat). */
  private *files(dir: DirNode = this.root, prefix = ""): Generator<[string, FileNode]> {
    for (const [name, node] of dir.children) {
      const path = prefix === "" ? name : `${prefix}/${name}`;
      if (node.kind === "file") yield [path, node];
      else yield* this.files(node, path);
    }
  }
}

/**
 * Makes an empty in-memory file system (see {@link MemoryFileSystem}).
 *
 * @example
 * ```ts
 * const fs = memoryFileSystem();
 * await fs.writeFile("config.json", new TextEncoder().encode("{}"));
 * fs.crash({ keepUnsynced: "random", random: () => 0.5 });
 * ```
 */
export function memoryFileSystem(options: MemoryFileSystemOptions = {}): MemoryFileSystem {
  return new MemoryFs(options);
}
