/**
 * What this machine charges for memory that is touched for the first time: the cost behind the
 * replication benchmark's figures (`bench/replication.ts`), where every replica is copied into the
 * page cache and every fetch reply used to get a fresh buffer.
 *
 * 1. Fill 800 KB buffers with `set`: when the runtime can reuse the memory of the last few buffers
 *    (8 kept alive), and when it cannot (1000 kept alive, about 800 MB, so every buffer is new memory).
 * 2. writeSync 400 MB to a new file in 800 KB writes: into new page-cache pages, then again right
 *    after deleting an earlier file of the same size, so that the kernel can reuse its pages.
 *
 * On a VM whose host backs guest memory lazily (a Firecracker guest with free-page reporting), the
 * first touch of a page costs far more than the copy into it. Prints GB/s for each.
 *
 * @example
 * ```sh
 * npm run bench:memory   # bun bench/memory.ts, about 10 seconds
 * ```
 * @module
 */
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const CHUNK = 800_000;

/** GB/s of allocating and filling `count` buffers while keeping the last `kept` alive. */
function fill(count: number, kept: number): number {
  const source = new Uint8Array(CHUNK).fill(7);
  const alive: Uint8Array[] = [];
  const start = performance.now();
  for (let i = 0; i < count; i++) {
    const buffer = new Uint8Array(CHUNK);
    buffer.set(source);
    alive.push(buffer);
    if (alive.length > kept) alive.shift();
  }
  return (count * CHUNK) / 1e6 / (performance.now() - start);
}

/** GB/s of writing `count` chunks to a new file at `path`. */
function write(path: string, count: number): number {
  const source = new Uint8Array(CHUNK).fill(7);
  const fd = openSync(path, "w");
  const start = performance.now();
  for (let i = 0; i < count; i++) writeSync(fd, source);
  const ms = performance.now() - start;
  closeSync(fd);
  return (count * CHUNK) / 1e6 / ms;
}

const dir = mkdtempSync(join(tmpdir(), "edgelog-bench-memory-"));
try {
  const rows: [string, number][] = [];
  rows.push(["fill 800 KB buffers, memory reused (8 alive)", fill(3000, 8)]);
  rows.push(["fill 800 KB buffers, new memory (1000 alive)", fill(3000, 1000)]);
  rows.push(["writeSync 400 MB to a new file, new page-cache pages", write(join(dir, "a"), 500)]);
  write(join(dir, "b"), 500);
  rmSync(join(dir, "b"));
  rows.push(["writeSync 400 MB right after deleting a 400 MB file", write(join(dir, "c"), 500)]);
  for (const [what, gbps] of rows) console.log(`${what.padEnd(56)} ${gbps.toFixed(2).padStart(6)} GB/s`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
