/**
 * One behavioural contract for every {@link FileSystem} adapter: the memory file system runs it under
 * Node, and each runtime runs it against its own adapter on a temporary directory.
 *
 * @example
 * ```ts
 * describeFileSystemContract("memoryFileSystem()", async () => ({
 *   fs: memoryFileSystem(), root: "/data", cleanup: async () => {},
 * }));
 * ```
 * @module
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { joinPath, writeFileAtomic, type FileSystem } from "../../src/core/ports/file-system.ts";

/** What a contract run needs: a file system, an existing empty directory in it, and a way to clean up. */
export interface ContractFixture {
  fs: FileSystem;
  root: string;
  cleanup(): Promise<void>;
}

const bytes = (...values: number[]): Uint8Array => new Uint8Array(values);
const text = (value: string): Uint8Array => new TextEncoder().encode(value);

/**
 * Registers the contract tests for one adapter; `makeFs` runs before each test.
 *
 * @example
 * ```ts
 * describeFileSystemContract("nodeFileSystem()", makeTempDirFixture);
 * ```
 */
export function describeFileSystemContract(name: string, makeFs: () => Promise<ContractFixture>): void {
  describe(`${name} honours the FileSystem contract`, () => {
    let fixture: ContractFixture;
    let fs: FileSystem;
    const at = (...parts: string[]): string => joinPath(fixture.root, ...parts);

    beforeEach(async () => {
      fixture = await makeFs();
      fs = fixture.fs;
    });
    afterEach(async () => {
      await fixture.cleanup();
    });

    it("open() rejects with ENOENT for a missing file unless asked to create it", async () => {
      await expect(fs.open(at("missing.log"))).rejects.toMatchObject({ code: "ENOENT" });
      await expect(fs.open(at("missing.log"), { readOnly: true })).rejects.toMatchObject({ code: "ENOENT" });
      await expect(fs.open(at("no-dir", "x.log"), { create: true })).rejects.toMatchObject({ code: "ENOENT" });
      expect(await fs.stat(at("missing.log"))).toBeNull();
    });

    it("open({create}) makes an empty file and keeps the path it was given", async () => {
      const file = await fs.open(at("a.log"), { create: true });
      expect(file.path).toBe(at("a.log"));
      expect(file.size()).toBe(0);
      await file.close();
      expect(await fs.stat(at("a.log"))).toMatchObject({ size: 0, isDirectory: false });
    });

    it("open() keeps existing content and open({truncate}) empties it", async () => {
      await fs.writeFile(at("a.log"), bytes(1, 2, 3));
      const kept = await fs.open(at("a.log"), { create: true });
      expect(kept.size()).toBe(3);
      expect(await kept.read(0, 10)).toEqual(bytes(1, 2, 3));
      await kept.close();
      const emptied = await fs.open(at("a.log"), { truncate: true });
      expect(emptied.size()).toBe(0);
      await emptied.close();
      expect(await fs.readFile(at("a.log"))).toEqual(bytes());
    });

    it("a read-only handle reads but refuses to write", async () => {
      await fs.writeFile(at("a.log"), bytes(7, 8));
      const file = await fs.open(at("a.log"), { readOnly: true });
      expect(file.size()).toBe(2);
      expect(await file.read(0, 2)).toEqual(bytes(7, 8));
      await expect(file.append(bytes(9))).rejects.toThrow();
      await file.close();
      expect(await fs.readFile(at("a.log"))).toEqual(bytes(7, 8));
    });

    it("open() and readFile() of a directory reject", async () => {
      await fs.mkdir(at("d"));
      await expect(fs.open(at("d"))).rejects.toMatchObject({ code: "EISDIR" });
      await expect(fs.open(at("d"), { readOnly: true })).rejects.toMatchObject({ code: "EISDIR" });
      await expect(fs.readFile(at("d"))).rejects.toThrow();
    });

    it("a read-only handle reads bytes that another handle appends later", async () => {
      const writer = await fs.open(at("a.log"), { create: true });
      await writer.append(bytes(1, 2));
      const reader = await fs.open(at("a.log"), { readOnly: true });
      await writer.append(bytes(3, 4));
      expect(await reader.read(1, 10)).toEqual(bytes(2, 3, 4));
      await reader.close();
      await writer.close();
    });

    it("append() writes at the end and resolves to the new size", async () => {
      const file = await fs.open(at("a.log"), { create: true });
      expect(await file.append(bytes(1, 2, 3))).toBe(3);
      expect(await file.append(bytes())).toBe(3);
      expect(await file.append(bytes(4, 5))).toBe(5);
      expect(file.size()).toBe(5);
      await file.close();
      expect(await fs.readFile(at("a.log"))).toEqual(bytes(1, 2, 3, 4, 5));
    });

    it("append() continues after the content of a reopened file", async () => {
      await fs.writeFile(at("a.log"), bytes(1, 2));
      const file = await fs.open(at("a.log"));
      expect(await file.append(bytes(3))).toBe(3);
      await file.close();
      expect(await fs.readFile(at("a.log"))).toEqual(bytes(1, 2, 3));
    });

    it("read() returns fewer bytes at the end of the file and none past it", async () => {
      const file = await fs.open(at("a.log"), { create: true });
      await file.append(bytes(10, 11, 12, 13, 14));
      expect(await file.read(1, 3)).toEqual(bytes(11, 12, 13));
      expect(await file.read(3, 10)).toEqual(bytes(13, 14));
      expect(await file.read(5, 4)).toEqual(bytes());
      expect(await file.read(100, 4)).toEqual(bytes());
      expect(await file.read(0, 0)).toEqual(bytes());
      await file.close();
    });

    it("read() returns a copy that does not change with later writes", async () => {
      const file = await fs.open(at("a.log"), { create: true });
      await file.append(bytes(1, 2, 3));
      const first = await file.read(0, 3);
      first.fill(0);
      await file.write(0, bytes(9));
      expect(first).toEqual(bytes(0, 0, 0));
      expect(await file.read(0, 3)).toEqual(bytes(9, 2, 3));
      await file.close();
    });

    it("write() overwrites in place and extends the file past its end", async () => {
      const file = await fs.open(at("a.log"), { create: true });
      await file.append(bytes(1, 2, 3, 4));
      await file.write(1, bytes(20, 30));
      expect(await file.read(0, 4)).toEqual(bytes(1, 20, 30, 4));
      expect(file.size()).toBe(4);
      await file.write(6, bytes(7));
      expect(file.size()).toBe(7);
      expect(await file.read(0, 10)).toEqual(bytes(1, 20, 30, 4, 0, 0, 7));
      expect(await file.append(bytes(8))).toBe(8);
      await file.close();
    });

    it("appends started together land in call order while reads of written bytes run between them", async () => {
      const file = await fs.open(at("a.log"), { create: true });
      const head = text("written before");
      await file.append(head);
      const chunks = Array.from({ length: 40 }, (_, i) => new Uint8Array(i + 1).fill(i));
      const sizes: Promise<number>[] = [];
      const reads: Promise<Uint8Array>[] = [];
      let end = head.length;
      const ends: number[] = [];
      for (const chunk of chunks) {
        sizes.push(file.append(chunk));
        end += chunk.length;
        ends.push(end);
        reads.push(file.read(0, head.length));
      }
      expect(file.size()).toBe(end);
      expect(await Promise.all(sizes)).toEqual(ends);
      for (const read of await Promise.all(reads)) expect(read).toEqual(head);
      const all = await file.read(0, end);
      let position = head.length;
      for (const chunk of chunks) {
        expect(all.subarray(position, position + chunk.length)).toEqual(chunk);
        position += chunk.length;
      }
      await file.close();
    });

    it("sync() resolves and the synced bytes are there when the file is opened again", async () => {
      const file = await fs.open(at("a.log"), { create: true });
      await file.append(text("hello"));
      await file.sync();
      await file.sync();
      await file.close();
      const again = await fs.open(at("a.log"), { readOnly: true });
      expect(await again.read(0, 5)).toEqual(text("hello"));
      await again.close();
    });

    it("truncate() cuts the file and later appends go to the new end", async () => {
      const file = await fs.open(at("a.log"), { create: true });
      await file.append(bytes(1, 2, 3, 4, 5));
      await file.truncate(2);
      expect(file.size()).toBe(2);
      expect(await file.read(0, 10)).toEqual(bytes(1, 2));
      expect(await file.append(bytes(6))).toBe(3);
      await file.sync();
      await file.close();
      expect(await fs.readFile(at("a.log"))).toEqual(bytes(1, 2, 6));
      expect((await fs.stat(at("a.log")))?.size).toBe(3);
    });

    it("rename() moves a file and replaces an existing file at the target", async () => {
      await fs.writeFile(at("old"), text("new content"));
      await fs.writeFile(at("target"), text("old content, longer"));
      await fs.rename(at("old"), at("target"));
      expect(await fs.stat(at("old"))).toBeNull();
      expect(await fs.readFile(at("target"))).toEqual(text("new content"));
      await expect(fs.rename(at("missing"), at("x"))).rejects.toMatchObject({ code: "ENOENT" });
    });

    it("rename() moves a directory with its content", async () => {
      await fs.mkdir(at("t-0"));
      await fs.writeFile(at("t-0", "a.log"), bytes(1));
      await fs.rename(at("t-0"), at("t-0.deleted"));
      expect(await fs.stat(at("t-0"))).toBeNull();
      expect(await fs.list(at("t-0.deleted"))).toEqual(["a.log"]);
      expect(await fs.readFile(at("t-0.deleted", "a.log"))).toEqual(bytes(1));
    });

    it("remove() deletes a file, a directory tree, and ignores a missing path", async () => {
      await fs.writeFile(at("a.log"), bytes(1));
      await fs.remove(at("a.log"));
      expect(await fs.stat(at("a.log"))).toBeNull();
      await fs.mkdir(at("d", "e", "f"));
      await fs.writeFile(at("d", "x"), bytes(1));
      await fs.writeFile(at("d", "e", "f", "y"), bytes(2));
      await fs.remove(at("d"));
      expect(await fs.stat(at("d"))).toBeNull();
      await fs.remove(at("d"));
      await fs.remove(at("nowhere", "at", "all"));
      expect(await fs.list(fixture.root)).toEqual([]);
    });

    it("list() names files and directories and rejects with ENOENT for a missing directory", async () => {
      expect(await fs.list(fixture.root)).toEqual([]);
      await fs.mkdir(at("sub"));
      await fs.writeFile(at("00000000000000000000.log"), bytes());
      await fs.writeFile(at("sub", "inner"), bytes());
      expect((await fs.list(fixture.root)).sort()).toEqual(["00000000000000000000.log", "sub"]);
      await expect(fs.list(at("missing"))).rejects.toMatchObject({ code: "ENOENT" });
    });

    it("mkdir() creates missing parents and accepts an existing directory", async () => {
      await fs.mkdir(at("a", "b", "c"));
      await fs.mkdir(at("a", "b", "c"));
      await fs.mkdir(at("a"));
      expect(await fs.stat(at("a", "b", "c"))).toMatchObject({ isDirectory: true });
      expect(await fs.list(at("a"))).toEqual(["b"]);
    });

    it("stat() tells size, kind and modification time, or null", async () => {
      const before = Date.now();
      await fs.writeFile(at("a.log"), bytes(1, 2, 3));
      await fs.mkdir(at("dir"));
      const file = await fs.stat(at("a.log"));
      expect(file).toMatchObject({ size: 3, isDirectory: false });
      expect(file?.mtimeMs).toBeGreaterThanOrEqual(before - 2_000);
      expect(file?.mtimeMs).toBeLessThanOrEqual(Date.now() + 2_000);
      expect(await fs.stat(at("dir"))).toMatchObject({ isDirectory: true });
      expect(await fs.stat(at("none"))).toBeNull();
      expect(await fs.stat(at("none", "deeper"))).toBeNull();
    });

    it("writeFile() replaces a whole file and readFile() reads it back", async () => {
      await fs.writeFile(at("f"), text("a longer first version"));
      await fs.writeFile(at("f"), text("short"));
      expect(await fs.readFile(at("f"))).toEqual(text("short"));
      await fs.writeFile(at("empty"), bytes());
      expect(await fs.readFile(at("empty"))).toEqual(bytes());
      await expect(fs.readFile(at("missing"))).rejects.toMatchObject({ code: "ENOENT" });
      await expect(fs.writeFile(at("no-dir", "f"), bytes(1))).rejects.toMatchObject({ code: "ENOENT" });
      expect(await fs.stat(at("no-dir"))).toBeNull();
    });

    it("writeFile() and readFile() carry a megabyte unchanged", async () => {
      const big = new Uint8Array(1 << 20).map((_, i) => (i * 31 + 7) & 0xff);
      await fs.writeFile(at("big"), big);
      const back = await fs.readFile(at("big"));
      expect(back.length).toBe(big.length);
      expect(back.every((value, i) => value === big[i])).toBe(true);
    });

    it("writeFileAtomic() replaces a file and leaves no temporary file", async () => {
      await fs.writeFile(at("checkpoint"), text("0\n0\n"));
      await writeFileAtomic(fs, at("checkpoint"), text("0\n1\nt 0 42\n"));
      expect(await fs.readFile(at("checkpoint"))).toEqual(text("0\n1\nt 0 42\n"));
      expect(await fs.list(fixture.root)).toEqual(["checkpoint"]);
    });

    it("syncDir() resolves for a directory and rejects with ENOENT for a missing one", async () => {
      await fs.mkdir(at("d"));
      await fs.syncDir(at("d"));
      await fs.syncDir(fixture.root);
      await expect(fs.syncDir(at("missing"))).rejects.toMatchObject({ code: "ENOENT" });
    });

    it("a closed handle rejects every later call", async () => {
      const file = await fs.open(at("a.log"), { create: true });
      await file.append(bytes(1));
      await file.close();
      await expect(file.append(bytes(2))).rejects.toThrow();
      await expect(file.write(0, bytes(2))).rejects.toThrow();
      await expect(file.read(0, 1)).rejects.toThrow();
      await expect(file.sync()).rejects.toThrow();
      await expect(file.truncate(0)).rejects.toThrow();
      await expect(file.close()).rejects.toThrow();
      expect(() => file.size()).toThrow();
      expect(await fs.readFile(at("a.log"))).toEqual(bytes(1));
    });

    it("a handle keeps working after its file is renamed", async () => {
      const file = await fs.open(at("a.log"), { create: true });
      await file.append(bytes(1));
      await fs.rename(at("a.log"), at("b.log"));
      await file.append(bytes(2));
      expect(await file.read(0, 2)).toEqual(bytes(1, 2));
      await file.close();
      expect(await fs.readFile(at("b.log"))).toEqual(bytes(1, 2));
    });
  });
}
