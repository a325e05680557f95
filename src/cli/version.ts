/**
 * The version of edgelog, as in package.json (a test keeps the two equal). A constant rather than a
 * JSON import, so that every runtime and the compiled binary read it the same way.
 *
 * @example
 * ```ts
 * console.log(`edgelog ${VERSION}`); // "edgelog 0.1.0"
 * ```
 * @module
 */

/** edgelog's version. */
export const VERSION = "0.1.0";
