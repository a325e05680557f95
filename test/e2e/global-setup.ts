/**
 * Global setup of the e2e project: makes sure dist/edgelog is built from the current sources before
 * any e2e test file starts, so that the binary target really runs (a failed build fails the run).
 *
 * @example
 * ```ts
 * // vitest.config.ts, e2e project
 * globalSetup: ["test/e2e/global-setup.ts"]
 * ```
 * @module
 */
import { ensureBinary } from "./broker-matrix.ts";

/**
 * Builds the binary when it is missing or older than src/.
 *
 * @example
 * ```ts
 * setup(); // called by vitest
 * ```
 */
export function setup(): void {
  const started = Date.now();
  const { built } = ensureBinary();
  if (built) console.log(`e2e: built dist/edgelog in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}
