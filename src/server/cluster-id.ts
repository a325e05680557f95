/**
 * The cluster id, kept as Kafka keeps it: a `meta.properties` file in every log directory with
 * `version`, `broker.id` and `cluster.id` (a random UUID in base64url, 22 characters). The first
 * start writes it; later starts read it, and refuse to start when the stored broker id differs from
 * the configured one (Kafka's InconsistentBrokerIdException) or the directories disagree.
 *
 * @example
 * ```ts
 * const clusterId = await loadClusterId(fs, config.logDirs, config.brokerId);
 * ```
 * @module
 */
import { parseProperties } from "../core/config/properties.ts";
import { EdgelogError } from "../core/errors.ts";
import { isNotFound, joinPath, writeFileAtomic, type FileSystem } from "../core/ports/file-system.ts";
import { newTopicId } from "../core/topic/topic-id.ts";

/**
 * The file's name inside a log directory.
 *
 * @example
 * ```ts
 * await fs.readFile(joinPath(logDir, META_PROPERTIES));
 * ```
 */
export const META_PROPERTIES = "meta.properties";

/**
 * Reads the cluster id from the log directories' `meta.properties`, writing the file where it is
 * missing (with a new id on the very first start). A broker of a cluster passes the cluster's id
 * (`edgelog.cluster.id`) as `expected`: it is written on the first start, and a directory that
 * belongs to another cluster stops the start (Kafka's InconsistentClusterIdException).
 *
 * @example
 * ```ts
 * await loadClusterId(memoryFileSystem(), ["data"], 0); // e.g. "x5pHhVsVTnyBQmPhqT0ADA"
 * await loadClusterId(fs, ["data"], 2, "prod-eu"); // "prod-eu"
 * ```
 */
export async function loadClusterId(fs: FileSystem, logDirs: readonly string[], brokerId: number, expected?: string): Promise<string> {
  let clusterId: string | undefined;
  const missing: string[] = [];
  for (const dir of logDirs) {
    const path = joinPath(dir, META_PROPERTIES);
    let text: string;
    try {
      text = new TextDecoder().decode(await fs.readFile(path));
    } catch (error) {
      if (!isNotFound(error)) throw new EdgelogError("KAFKA_STORAGE_ERROR", `Cannot read ${path}: ${String(error)}`, { cause: error });
      missing.push(dir);
      continue;
    }
    const props = parseProperties(text);
    const stored = props.get("cluster.id");
    const storedBroker = props.get("broker.id") ?? props.get("node.id");
    if (!stored) throw new EdgelogError("KAFKA_STORAGE_ERROR", `${path} has no cluster.id`);
    if (storedBroker !== undefined && storedBroker !== String(brokerId)) {
      throw new EdgelogError(
        "INVALID_CONFIG",
        `Configured broker.id ${brokerId} doesn't match stored broker.id ${storedBroker} in ${path}`,
        { details: { config: "broker.id" } },
      );
    }
    if (expected !== undefined && stored !== expected) {
      throw new EdgelogError(
        "INVALID_CONFIG",
        `The log directory ${dir} belongs to cluster ${stored} (${path}), not to edgelog.cluster.id ${expected}`,
        { details: { config: "edgelog.cluster.id" } },
      );
    }
    if (clusterId !== undefined && clusterId !== stored) {
      throw new EdgelogError("KAFKA_STORAGE_ERROR", `The log directories belong to different clusters: ${clusterId} and ${stored} (${path})`);
    }
    clusterId = stored;
  }
  clusterId ??= expected ?? newTopicId();
  for (const dir of missing) {
    await fs.mkdir(dir);
    const text = `#\n#edgelog\nversion=0\nbroker.id=${brokerId}\ncluster.id=${clusterId}\n`;
    await writeFileAtomic(fs, joinPath(dir, META_PROPERTIES), new TextEncoder().encode(text));
  }
  return clusterId;
}
