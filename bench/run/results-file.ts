/**
 * Where every bench writes its results: `bench/results/<prefix><date>.json`, the date with `:` and
 * `.` replaced so the name is valid on every file system.
 *
 * @example
 * ```ts
 * const file = await writeResultsFile("ws-", new Date().toISOString(), { figures });
 * console.log(`written to ${file}`);
 * ```
 * @module
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";

const RESULTS_DIR = join(import.meta.dirname ?? new URL(".", import.meta.url).pathname, "..", "results");

/**
 * Writes `json` (indented, with a final newline) to `bench/results/<prefix><date>.json` and returns
 * the file's path.
 *
 * @example
 * ```ts
 * await writeResultsFile("log-", date, { runtime, throughput });
 * ```
 */
export async function writeResultsFile(prefix: string, date: string, json: unknown): Promise<string> {
  await mkdir(RESULTS_DIR, { recursive: true });
  const file = join(RESULTS_DIR, `${prefix}${date.replace(/[:.]/g, "-")}.json`);
  await writeFile(file, JSON.stringify(json, null, 2) + "\n");
  return file;
}
