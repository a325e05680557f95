/**
 * Reading the files a tool is pointed at (`--offset-json-file`, `--path-to-json-file`,
 * `--producer.config`, ...): a file that cannot be read, or JSON that does not parse, is an `Error`
 * naming the path, which the CLI prints as one line.
 *
 * @example
 * ```ts
 * const text = await readTextFile("delete.json");        // Cannot read delete.json: no such file
 * const plan = await readJsonFile("reassignment.json"); // reassignment.json is not valid JSON: ...
 * ```
 * @module
 */
import { readFile } from "node:fs/promises";

/**
 * A whole file as UTF-8 text; an unreadable file is `Error("Cannot read <path>: <why>")`.
 *
 * @example
 * ```ts
 * await readTextFile("missing.json"); // throws Error: Cannot read missing.json: no such file
 * ```
 */
export async function readTextFile(path: string): Promise<string> {
  try {
    return await readFile(path, "utf8");
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    throw new Error(`Cannot read ${path}: ${code === "ENOENT" ? "no such file" : error instanceof Error ? error.message : String(error)}`);
  }
}

/**
 * A whole file parsed as JSON; besides {@link readTextFile}'s error, text that is not JSON is
 * `Error("<path> is not valid JSON: <why>")`.
 *
 * @example
 * ```ts
 * const value = await readJsonFile("election.json"); // { partitions: [{ topic: "orders", partition: 1 }] }
 * ```
 */
export async function readJsonFile(path: string): Promise<unknown> {
  const text = await readTextFile(path);
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new Error(`${path} is not valid JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
}
