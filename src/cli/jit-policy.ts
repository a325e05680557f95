/**
 * The JIT policy of the single executable. `scripts/build.ts` bakes a start-up policy into
 * `dist/edgelog` (`--compile-jit-policy`): JavaScriptCore's tier-up thresholds are scaled up, so the
 * run-once code of a start (module bodies, config parsing, opening the logs) stays in the
 * interpreter instead of keeping the JIT threads busy. Once the program does its real work (the
 * broker listens; any other command starts) {@link restoreJitPolicy} puts the normal policy back.
 * Elsewhere (Bun running the sources, Node, Deno) it does nothing.
 *
 * @example
 * ```ts
 * const servers = await listen(broker, config);
 * restoreJitPolicy();
 * ```
 * @module
 */

/** The part of Bun's API used here. */
interface BunJit {
  unsafe?: { setJITPolicy?: (scale: number) => void };
}

/**
 * Sets the normal JIT policy (scale 1) on Bun; does nothing on other runtimes or when the running
 * Bun has no `Bun.unsafe.setJITPolicy`.
 *
 * @example
 * ```ts
 * restoreJitPolicy(); // hot paths from here on tier up as usual
 * ```
 */
export function restoreJitPolicy(): void {
  const bun = (globalThis as { Bun?: BunJit }).Bun;
  bun?.unsafe?.setJITPolicy?.(1);
}
