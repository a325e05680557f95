/**
 * The cluster id, kept as Kafka keeps it: a `meta.properties` file in every log directory with
 * `version`, `broker.id` and `cluster.id` (a random UUID in base64url, 22 characters). The first
 * start writes it (a single broker without waiting for it: see {@link openClusterId}); later starts read it, and refuse to start when the stored broker id differs from
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
 * The cluster id of a start, and the writing of `meta.properties` where it was missing.
 *
 * @example
 * ```ts
 * const { clusterId, written }: ClusterIdentity = await openClusterId(fs, ["data"], 0);
 * ```
 */
export interface ClusterIdentity {
  clusterId: string;
  /** Settles once every missing `meta.properties` is written and synced (at once when none was missing). */
  written: Promise<void>;
}

/**
 * Reads the cluster id from the log directories' `meta.properties`; where the file is missing (with
 * a new id on the very first start), starts writing it and answers without waiting for the write,
 * which `written` follows. A broker of a cluster passes the cluster's id (`edgelog.cluster.id`) as
 * `expected`: it is written on the first start, and a directory that belongs to another cluster
 * stops the start (Kafka's InconsistentClusterIdException).
 *
 * A single broker serves while its first `meta.properties` is being synced (the sync is most of a
 * first start's time to listening): a crash in those milliseconds costs only the id, and the next
 * start makes a new one; the logs do not depend on it.
 *
 * @example
 * ```ts
 * const { clusterId, written } = await openClusterId(memoryFileSystem(), ["data"], 0);
 * await written; // meta.properties is on disk
 * ```
 */
export async function openClusterId(fs: FileSystem, logDirs: readonly string[], brokerId: number, expected?: string): Promise<ClusterIdentity> {
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
  const id = clusterId ?? expected ?? newTopicId();
  const text = new TextEncoder().encode(`#\n#edgelog\nversion=0\nbroker.id=${brokerId}\ncluster.id=${id}\n`);
  const written = Promise.all(
    missing.map(async (dir) => {
      await fs.mkdir(dir);
      await writeFileAtomic(fs, joinPath(dir, META_PROPERTIES), text);
    }),
  ).then(
    () => undefined,
    (error: unknown) => {
      throw new EdgelogError("KAFKA_STORAGE_ERROR", `Cannot write ${META_PROPERTIES}: ${String(error)}`, { cause: error });
    },
  );
  return { clusterId: id, written };
}

/**
 * {@link openClusterId}, answering once `meta.properties` is written where it was missing.
 *
 * @example
 * ```ts
 * await loadClusterId(memoryFileSystem(), ["data"], 0); // e.g. "x5pHhVsVTnyBQmPhqT0ADA"
 * await loadClusterId(fs, ["data"], 2, "prod-eu"); // "prod-eu"
 * ```
 */
export async function loadClusterId(fs: FileSystem, logDirs: readonly string[], brokerId: number, expected?: string): Promise<string> {
  const { clusterId, written } = await openClusterId(fs, logDirs, brokerId, expected);
  await written;
  return clusterId;
}
