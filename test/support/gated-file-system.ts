/**
 * A memory file system whose whole-file writes of chosen paths wait until released: a slow disk
 * under one file (the registry, meta.properties) for tests of what a broker does meanwhile.
 *
 * @example
 * ```ts
 * const gate = gatedWrites(memoryFileSystem(), "__edgelog_topics.json.tmp");
 * const h = await startBroker({}, gate.fs);
 * gate.release();
 * ```
 */
import type { MemoryFileSystem } from "../../src/adapters/memory/file-system.ts";

export interface GatedFileSystem {
  /** The file system; writeFile of a path ending in the suffix waits for {@link release}. */
  fs: MemoryFileSystem;
  /** Lets every held and later write through. */
  release(): void;
}

export function gatedWrites(memory: MemoryFileSystem, suffix: string): GatedFileSystem {
  let release = (): void => {};
  const released = new Promise<void>((resolve) => (release = resolve));
  const fs = new Proxy(memory, {
    get(target, key, receiver) {
      if (key === "writeFile") {
        return async (path: string, data: Uint8Array) => {
          if (path.endsWith(suffix)) await released;
          return target.writeFile(path, data);
        };
      }
      const value = Reflect.get(target, key, receiver) as unknown;
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  return { fs, release };
}
