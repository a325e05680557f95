/**
 * Picks the {@link FileSystem} adapter of the running runtime. Each adapter is loaded with a dynamic
 * import, so Deno never loads the `node:fs` adapters and Node never loads Bun's or Deno's.
 *
 * @example
 * ```ts
 * const fs = await runtimeFileSystem();
 * console.log(`storage through the ${runtimeName()} adapter`);
 * ```
 * @module
 */
import type { FileSystem } from "../core/ports/file-system.ts";

/**
 * The runtime this process runs on: "bun" when `globalThis.Bun` exists, "deno" when `globalThis.Deno`
 * does, else "node".
 *
 * @example
 * ```ts
 * if (runtimeName() === "deno") console.log("run with --allow-read --allow-write");
 * ```
 */
export function runtimeName(): "bun" | "deno" | "node" {
  const host = globalThis as { Bun?: unknown; Deno?: unknown };
  if (host.Bun !== undefined) return "bun";
  if (host.Deno !== undefined) return "deno";
  return "node";
}

/**
 * The file system adapter of the running runtime (see {@link runtimeName}).
 *
 * @example
 * ```ts
 * const fs = await runtimeFileSystem();
 * await fs.mkdir("/var/lib/edgelog");
 * ```
 */
export async function runtimeFileSystem(): Promise<FileSystem> {
  switch (runtimeName()) {
    case "bun":
      return (await import("./bun/file-system.ts")).bunFileSystem();
    case "deno":
      return (await import("./deno/file-system.ts")).denoFileSystem();
    case "node":
      return (await import("./node/file-system.ts")).nodeFileSystem();
  }
}
