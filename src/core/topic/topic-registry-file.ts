/**
 * The file that holds the topic registry, `<dir>/__edgelog_topics.json`: one JSON object
 * `{ "version": 1, "topics": [...] }`, topics in name order, each with its name, partition count,
 * replication factor, config overrides, topic id, and `"deleting": true` while a deletion is under
 * way. It is replaced atomically on every change; reading checks every field and refuses a damaged
 * file with `KAFKA_STORAGE_ERROR` rather than guess.
 *
 * @example
 * ```ts
 * const records = await readTopicRegistry(fs, "data/__edgelog_topics.json");
 * await writeTopicRegistry(fs, "data/__edgelog_topics.json", records.values());
 * ```
 * @module
 */
import { EdgelogError } from "../errors.ts";
import { isNotFound, writeFileAtomic, type FileSystem } from "../ports/file-system.ts";
import { validateTopicConfigs } from "./topic-config.ts";
import { topicNameProblem } from "./topic-name.ts";

/**
 * The registry's file name inside its directory.
 *
 * @example
 * ```ts
 * joinPath(config.logDirs[0]!, TOPIC_REGISTRY_FILE); // "./data/__edgelog_topics.json"
 * ```
 */
export const TOPIC_REGISTRY_FILE = "__edgelog_topics.json";

/**
 * One topic as stored.
 *
 * @example
 * ```ts
 * const record: TopicRecord = { name: "t", partitions: 1, replicationFactor: 1, configs: {}, id: newTopicId() };
 * ```
 */
export interface TopicRecord {
  name: string;
  partitions: number;
  replicationFactor: number;
  configs: Record<string, string>;
  id: string;
  /** Set while a deletion is under way; such a topic is invisible. */
  deleting?: true;
}

/**
 * Replaces the registry file with these topics (sorted by name), atomically.
 *
 * @example
 * ```ts
 * await writeTopicRegistry(fs, path, [{ name: "t", partitions: 1, replicationFactor: 1, configs: {}, id }]);
 * ```
 */
export async function writeTopicRegistry(fs: FileSystem, path: string, records: Iterable<TopicRecord>): Promise<void> {
  const topics = [...records].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  await writeFileAtomic(fs, path, new TextEncoder().encode(`${JSON.stringify({ version: 1, topics }, null, 2)}\n`));
}

/**
 * Reads the registry file into records by name; a missing file is an empty registry.
 *
 * @example
 * ```ts
 * const records = await readTopicRegistry(fs, "data/__edgelog_topics.json");
 * records.get("orders")?.partitions;
 * ```
 */
export async function readTopicRegistry(fs: FileSystem, path: string): Promise<Map<string, TopicRecord>> {
  let bytes: Uint8Array;
  try {
    bytes = await fs.readFile(path);
  } catch (error) {
    if (isNotFound(error)) return new Map();
    throw new EdgelogError("KAFKA_STORAGE_ERROR", `Cannot read the topic registry ${path}: ${String(error)}`, { cause: error });
  }
  const fail = (reason: string): never => {
    throw new EdgelogError("KAFKA_STORAGE_ERROR", `The topic registry ${path} is damaged: ${reason}`);
  };
  let data: unknown;
  try {
    data = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch (error) {
    return fail(error instanceof Error ? error.message : String(error));
  }
  if (!isObject(data) || data.version !== 1 || !Array.isArray(data.topics)) return fail("expected { version: 1, topics: [...] }");
  const records = new Map<string, TopicRecord>();
  for (const item of data.topics as unknown[]) {
    if (!isObject(item) || typeof item.name !== "string") return fail("a topic has no name");
    const name = item.name;
    const problem = topicNameProblem(name);
    if (problem) return fail(problem);
    if (!Number.isInteger(item.partitions) || (item.partitions as number) < 1) return fail(`topic ${name} has a bad partition count`);
    if (!Number.isInteger(item.replicationFactor) || (item.replicationFactor as number) < 1) {
      return fail(`topic ${name} has a bad replication factor`);
    }
    if (typeof item.id !== "string") return fail(`topic ${name} has no id`);
    if (!isObject(item.configs) || Object.values(item.configs).some((v) => typeof v !== "string")) {
      return fail(`topic ${name} has bad configs`);
    }
    let configs: Record<string, string>;
    try {
      configs = validateTopicConfigs(item.configs as Record<string, string>);
    } catch (error) {
      return fail(`topic ${name}: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (records.has(name)) return fail(`topic ${name} appears twice`);
    const record: TopicRecord = {
      name,
      partitions: item.partitions as number,
      replicationFactor: item.replicationFactor as number,
      configs,
      id: item.id,
    };
    if (item.deleting === true) record.deleting = true;
    records.set(name, record);
  }
  return records;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
