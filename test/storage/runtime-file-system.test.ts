import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runtimeFileSystem, runtimeName } from "../../src/adapters/runtime-file-system.ts";
import { describeFileSystemContract } from "./file-system-contract.ts";

describe("runtimeFileSystem()", () => {
  it("runtimeName() names the runtime running the tests", () => {
    const host = globalThis as { Bun?: unknown; Deno?: unknown };
    const expected = host.Bun !== undefined ? "bun" : host.Deno !== undefined ? "deno" : "node";
    expect(runtimeName()).toBe(expected);
  });

  it("runtimeFileSystem() is the adapter of the running runtime", async () => {
    const fs = await runtimeFileSystem();
    const adapters = {
      bun: async () => (await import("../../src/adapters/bun/file-system.ts")).bunFileSystem(),
      deno: async () => (await import("../../src/adapters/deno/file-system.ts")).denoFileSystem(),
      node: async () => (await import("../../src/adapters/node/file-system.ts")).nodeFileSystem(),
    };
    // Each adapter has its own module-level `open`, the same in every file system it makes.
    for (const [name, make] of Object.entries(adapters)) {
      const { open } = await make();
      if (name === runtimeName()) expect(fs.open).toBe(open);
      else expect(fs.open).not.toBe(open);
    }
  });
});

describeFileSystemContract(`runtimeFileSystem() on ${runtimeName()}`, async () => {
  const root = await mkdtemp(join(tmpdir(), "edgelog-fs-"));
  return {
    fs: await runtimeFileSystem(),
    root,
    cleanup: () => rm(root, { recursive: true, force: true }),
  };
});
