import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { memoryFileSystem, type MemoryFileSystem } from "../../src/adapters/memory/file-system.ts";
import { describeFileSystemContract } from "./file-system-contract.ts";

describeFileSystemContract("memoryFileSystem() under an absolute root", async () => {
  const fs = memoryFileSystem();
  await fs.mkdir("/var/edgelog");
  return { fs, root: "/var/edgelog", cleanup: async () => {} };
});

describeFileSystemContract("memoryFileSystem() under a relative root", async () => {
  const fs = memoryFileSystem();
  await fs.mkdir("data");
  return { fs, root: "data", cleanup: async () => {} };
});

/** mulberry32: a small seeded generator, so a failing crash can be replayed. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const bytes = (...values: number[]): Uint8Array => new Uint8Array(values);

async function fileWith(fs: MemoryFileSystem, path: string, synced: Uint8Array, unsynced: Uint8Array[]) {
  const file = await fs.open(path, { create: true });
  await file.append(synced);
  await file.sync();
  for (const chunk of unsynced) await file.append(chunk);
  return file;
}

describe("memoryFileSystem().crash()", () => {
  it("crash({keepUnsynced: 'none'}) keeps exactly the synced bytes", async () => {
    const fs = memoryFileSystem();
    await fileWith(fs, "a.log", bytes(1, 2, 3), [bytes(4), bytes(5, 6)]);
    fs.crash({ keepUnsynced: "none" });
    expect(await fs.readFile("a.log")).toEqual(bytes(1, 2, 3));
  });

  it("crash({keepUnsynced: 'all'}) keeps every write", async () => {
    const fs = memoryFileSystem();
    await fileWith(fs, "a.log", bytes(1, 2, 3), [bytes(4), bytes(5, 6)]);
    fs.crash({ keepUnsynced: "all" });
    expect(await fs.readFile("a.log")).toEqual(bytes(1, 2, 3, 4, 5, 6));
  });

  it("crash() can tear the last surviving write at a byte inside it", async () => {
    const fs = memoryFileSystem();
    await fileWith(fs, "a.log", bytes(1), [bytes(2, 2), bytes(3, 3, 3, 3)]);
    // 0.99: both unsynced writes survive; 0.1: the last one is torn; 0.5: at half its length.
    const draws = [0.99, 0.1, 0.5];
    fs.crash({ random: () => draws.shift() ?? 0 });
    expect(await fs.readFile("a.log")).toEqual(bytes(1, 2, 2, 3, 3));
  });

  it("crash() loses an unsynced overwrite and an unsynced truncation when nothing unsynced survives", async () => {
    const fs = memoryFileSystem();
    const file = await fileWith(fs, "a.log", bytes(1, 2, 3, 4), []);
    await file.write(1, bytes(9, 9));
    await file.truncate(2);
    expect(await fs.readFile("a.log")).toEqual(bytes(1, 9));
    fs.crash({ keepUnsynced: "none" });
    expect(await fs.readFile("a.log")).toEqual(bytes(1, 2, 3, 4));
  });

  it("crash() keeps directory operations: a created but never synced file survives empty", async () => {
    const fs = memoryFileSystem();
    await fs.mkdir("data/t-0");
    const file = await fs.open("data/t-0/00000000000000000000.log", { create: true });
    await file.append(bytes(1, 2));
    await fs.writeFile("data/old", bytes(5));
    await fs.rename("data/old", "data/new");
    await fs.mkdir("data/gone");
    await fs.remove("data/gone");
    fs.crash({ keepUnsynced: "none" });
    expect(await fs.readFile("data/t-0/00000000000000000000.log")).toEqual(bytes());
    expect(await fs.readFile("data/new")).toEqual(bytes(5));
    expect(await fs.stat("data/old")).toBeNull();
    expect(await fs.stat("data/gone")).toBeNull();
  });

  it("crash() keeps what writeFile() wrote, because writeFile() syncs", async () => {
    const fs = memoryFileSystem();
    await fs.writeFile("checkpoint", bytes(1, 2, 3));
    fs.crash({ keepUnsynced: "none" });
    expect(await fs.readFile("checkpoint")).toEqual(bytes(1, 2, 3));
  });

  it("crash() closes every handle opened before it while the file system keeps working", async () => {
    const fs = memoryFileSystem();
    const file = await fileWith(fs, "a.log", bytes(1), [bytes(2)]);
    fs.crash({ keepUnsynced: "all" });
    const closed = /File handle is closed by a crash/;
    await expect(file.append(bytes(3))).rejects.toThrow(closed);
    await expect(file.write(0, bytes(3))).rejects.toThrow(closed);
    await expect(file.read(0, 1)).rejects.toThrow(closed);
    await expect(file.sync()).rejects.toThrow(closed);
    await expect(file.truncate(0)).rejects.toThrow(closed);
    await expect(file.close()).rejects.toThrow(closed);
    expect(() => file.size()).toThrow(closed);
    const again = await fs.open("a.log");
    expect(await again.append(bytes(3))).toBe(3);
    expect(await again.read(0, 3)).toEqual(bytes(1, 2, 3));
  });

  it("crash() with the same seed leaves the same bytes", async () => {
    async function run(seed: number): Promise<Map<string, Uint8Array>> {
      const fs = memoryFileSystem();
      for (const name of ["a", "b", "c"]) {
        const file = await fileWith(fs, name, bytes(0), []);
        for (let i = 1; i < 30; i++) await file.append(new Uint8Array(i).fill(i));
      }
      fs.crash({ random: seededRandom(seed) });
      return fs.snapshot();
    }
    expect(await run(7)).toEqual(await run(7));
    const outcomes = new Set<string>();
    for (let seed = 0; seed < 10; seed++) outcomes.add([...(await run(seed)).values()].map((b) => b.length).join());
    expect(outcomes.size).toBeGreaterThan(1);
  });

  it("crash() always keeps synced appends and leaves a prefix of everything appended", async () => {
    const step = fc.oneof(
      fc.uint8Array({ minLength: 0, maxLength: 40 }).map((data) => ({ kind: "append" as const, data })),
      fc.constant({ kind: "sync" as const }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(step, { maxLength: 60 }), fc.integer(), async (steps, seed) => {
        const fs = memoryFileSystem();
        const file = await fs.open("log", { create: true });
        const written: number[] = [];
        let synced = 0;
        for (const s of steps) {
          if (s.kind === "append") {
            await file.append(s.data);
            written.push(...s.data);
          } else {
            await file.sync();
            synced = written.length;
          }
        }
        fs.crash({ random: seededRandom(seed) });
        const after = await fs.readFile("log");
        expect(after.length).toBeGreaterThanOrEqual(synced);
        expect(after.length).toBeLessThanOrEqual(written.length);
        expect(after).toEqual(new Uint8Array(written.slice(0, after.length)));
      }),
      { numRuns: 200 },
    );
  });

  it("crash() after writes in place yields, per byte, the synced value or a later written one", async () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant("write" as const), position: fc.nat(50), data: fc.uint8Array({ minLength: 1, maxLength: 10 }) }),
      fc.constant({ kind: "sync" as const }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(op, { maxLength: 30 }), fc.integer(), async (ops, seed) => {
        const fs = memoryFileSystem();
        const file = await fs.open("f", { create: true });
        let synced: Uint8Array = new Uint8Array(0);
        const candidates: Set<number>[] = [];
        for (const o of ops) {
          if (o.kind === "sync") {
            await file.sync();
            synced = await file.read(0, file.size());
            candidates.length = 0;
            continue;
          }
          await file.write(o.position, o.data);
          o.data.forEach((value, i) => (candidates[o.position + i] ??= new Set()).add(value));
        }
        fs.crash({ random: seededRandom(seed) });
        const after = await fs.readFile("f");
        expect(after.length).toBeGreaterThanOrEqual(synced.length);
        after.forEach((value, i) => {
          const allowed = new Set(candidates[i] ?? []);
          allowed.add(i < synced.length ? (synced[i] as number) : 0);
          expect(allowed.has(value)).toBe(true);
        });
      }),
      { numRuns: 200 },
    );
  });
});

describe("memoryFileSystem() test tools", () => {
  it("snapshot() lists every file's current bytes by path", async () => {
    const fs = memoryFileSystem();
    await fs.mkdir("/data/t-0");
    await fs.writeFile("/data/t-0/a.log", bytes(1));
    const file = await fs.open("data/top", { create: true });
    await file.append(bytes(2, 3));
    const snapshot = fs.snapshot();
    expect([...snapshot.keys()].sort()).toEqual(["data/t-0/a.log", "data/top"]);
    expect(snapshot.get("data/top")).toEqual(bytes(2, 3));
    snapshot.get("data/top")?.fill(0);
    expect(await fs.readFile("data/top")).toEqual(bytes(2, 3));
  });

  it("corrupt() flips bits that stay flipped across a crash", async () => {
    const fs = memoryFileSystem();
    const file = await fileWith(fs, "a.log", bytes(0x10, 0x20), [bytes(0x30)]);
    fs.corrupt("a.log", 1, 0x01);
    fs.corrupt("a.log", 2, 0x80);
    expect(await file.read(0, 3)).toEqual(bytes(0x10, 0x21, 0xb0));
    fs.crash({ keepUnsynced: "all" });
    expect(await fs.readFile("a.log")).toEqual(bytes(0x10, 0x21, 0xb0));
    expect(() => fs.corrupt("a.log", 3, 1)).toThrow(RangeError);
    expect(() => fs.corrupt("a.log", 0, 0)).toThrow(RangeError);
    expect(() => fs.corrupt("missing", 0, 1)).toThrow(/No such file/);
  });

  it("append() and write() copy the caller's bytes, so the caller may reuse its buffer", async () => {
    const fs = memoryFileSystem();
    const file = await fs.open("a", { create: true });
    const buffer = bytes(1, 2);
    const appended = file.append(buffer);
    buffer.fill(9);
    await appended;
    await file.write(2, buffer);
    buffer.fill(7);
    expect(await fs.readFile("a")).toEqual(bytes(1, 2, 9, 9));
  });

  it("stat() reports the modification time of the injected clock", async () => {
    let now = 1_000;
    const fs = memoryFileSystem({ now: () => now });
    const file = await fs.open("a", { create: true });
    now = 5_000;
    await file.append(bytes(1));
    expect((await fs.stat("a"))?.mtimeMs).toBe(5_000);
  });

  it("rename() refuses to move a directory into itself or over a non-empty directory", async () => {
    const fs = memoryFileSystem();
    await fs.mkdir("a/b");
    await fs.mkdir("c/d");
    await expect(fs.rename("a", "a/b/x")).rejects.toMatchObject({ code: "EINVAL" });
    await expect(fs.rename("a", "c")).rejects.toMatchObject({ code: "ENOTEMPTY" });
    await fs.writeFile("f", bytes(1));
    await expect(fs.rename("f", "c")).rejects.toMatchObject({ code: "EISDIR" });
    expect(await fs.list("a")).toEqual(["b"]);
  });

  it("open() of a directory and list() of a file reject", async () => {
    const fs = memoryFileSystem();
    await fs.mkdir("d");
    await fs.writeFile("f", bytes());
    await expect(fs.open("d")).rejects.toMatchObject({ code: "EISDIR" });
    await expect(fs.readFile("d")).rejects.toMatchObject({ code: "EISDIR" });
    await expect(fs.list("f")).rejects.toMatchObject({ code: "ENOTDIR" });
    await expect(fs.mkdir("f/x")).rejects.toMatchObject({ code: "EEXIST" });
  });

  it("ten thousand small appends with periodic syncs stay fast", async () => {
    const fs = memoryFileSystem();
    const file = await fs.open("big.log", { create: true });
    const chunk = new Uint8Array(100).fill(1);
    const started = performance.now();
    for (let i = 0; i < 10_000; i++) {
      await file.append(chunk);
      if (i % 10 === 0) await file.sync();
    }
    expect(file.size()).toBe(1_000_000);
    expect(performance.now() - started).toBeLessThan(2_000);
  });
});
