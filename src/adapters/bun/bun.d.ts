/**
 * The few Bun APIs edgelog's Bun adapter uses, declared here so the project type-checks under Node's
 * types without `bun-types`. A namespace, so other Bun adapters can merge their own declarations.
 *
 * @example
 * ```ts
 * const bytes = await Bun.file("data/meta.properties").bytes();
 * ```
 * @module
 */
declare namespace Bun {
  /** A lazily read file. */
  interface BunFile {
    bytes(): Promise<Uint8Array>;
    arrayBuffer(): Promise<ArrayBuffer>;
  }
  /** Refers to a file by path without opening it. */
  function file(path: string): BunFile;
  /** Writes a whole file; `createPath: false` keeps missing parent directories an ENOENT error. */
  function write(destination: string, data: Uint8Array, options?: { createPath?: boolean }): Promise<number>;
}
