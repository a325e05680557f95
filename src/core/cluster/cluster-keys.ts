/**
 * Where a cluster keeps its metadata in the coordination store, every key under `/edgelog/<cluster-id>/`:
 *
 * | key                                  | value                                               | lease            |
 * |--------------------------------------|-----------------------------------------------------|------------------|
 * | `brokers/<id>`                       | `{ id, url }`                                       | the broker's     |
 * | `controller`                         | `{ brokerId }` (the election key)                   | the controller's |
 * | `topics/<name>`                      | `{ id, partitions, replicationFactor, configs, assignment }` | none     |
 * | `partitions/<topic>/<p>`             | `{ replicas, leader, leaderEpoch, isr }`, CAS by modRevision | none     |
 * | `reassignments/<topic>/<p>`          | `{ target, original }` while a reassignment runs    | none             |
 *
 * @example
 * ```ts
 * const keys = clusterKeys("dev");
 * keys.partition("orders", 0); // "/edgelog/dev/partitions/orders/0"
 * keys.parse("/edgelog/dev/brokers/3"); // { type: "broker", id: 3 }
 * ```
 * @module
 */
import { EdgelogError } from "../errors.ts";

/**
 * What a key under the cluster's root names.
 *
 * @example
 * ```ts
 * const k: ClusterKey = { type: "partition", topic: "orders", partition: 2 };
 * ```
 */
export type ClusterKey =
  | { type: "broker"; id: number }
  | { type: "controller" }
  | { type: "topic"; name: string }
  | { type: "partition"; topic: string; partition: number }
  | { type: "reassignment"; topic: string; partition: number };

/**
 * The keys of one cluster.
 *
 * @example
 * ```ts
 * const keys: ClusterKeys = clusterKeys("prod-eu");
 * await store.getPrefix(keys.brokers);
 * ```
 */
export interface ClusterKeys {
  readonly clusterId: string;
  /** `/edgelog/<cluster-id>/`: every key of the cluster starts with it. */
  readonly root: string;
  readonly brokers: string;
  broker(id: number): string;
  readonly controller: string;
  readonly topics: string;
  topic(name: string): string;
  readonly partitions: string;
  partitionsOf(topic: string): string;
  partition(topic: string, partition: number): string;
  readonly reassignments: string;
  reassignmentsOf(topic: string): string;
  reassignment(topic: string, partition: number): string;
  /** What a key names, or undefined for a key outside the layout. */
  parse(key: string): ClusterKey | undefined;
}

const CLUSTER_ID = /^[A-Za-z0-9._-]{1,200}$/;
const DECIMAL = /^(0|[1-9][0-9]{0,9})$/;

/**
 * The key layout of the cluster `clusterId` (letters, digits, `.`, `_`, `-`; INVALID_CONFIG otherwise).
 *
 * @example
 * ```ts
 * clusterKeys("dev").root; // "/edgelog/dev/"
 * ```
 */
export function clusterKeys(clusterId: string): ClusterKeys {
  if (typeof clusterId !== "string" || !CLUSTER_ID.test(clusterId) || clusterId === "." || clusterId === "..") {
    throw new EdgelogError("INVALID_CONFIG", `Invalid cluster id "${String(clusterId)}": use 1 to 200 letters, digits, '.', '_' or '-'`);
  }
  const root = `/edgelog/${clusterId}/`;
  const brokers = `${root}brokers/`;
  const topics = `${root}topics/`;
  const partitions = `${root}partitions/`;
  const reassignments = `${root}reassignments/`;
  const controller = `${root}controller`;
  return {
    clusterId,
    root,
    brokers,
    broker: (id) => `${brokers}${id}`,
    controller,
    topics,
    topic: (name) => `${topics}${name}`,
    partitions,
    partitionsOf: (topic) => `${partitions}${topic}/`,
    partition: (topic, partition) => `${partitions}${topic}/${partition}`,
    reassignments,
    reassignmentsOf: (topic) => `${reassignments}${topic}/`,
    reassignment: (topic, partition) => `${reassignments}${topic}/${partition}`,
    parse(key) {
      if (!key.startsWith(root)) return undefined;
      if (key === controller) return { type: "controller" };
      if (key.startsWith(brokers)) {
        const id = key.slice(brokers.length);
        return DECIMAL.test(id) ? { type: "broker", id: Number(id) } : undefined;
      }
      if (key.startsWith(topics)) {
        const name = key.slice(topics.length);
        return name === "" || name.includes("/") ? undefined : { type: "topic", name };
      }
      for (const [prefix, type] of [[partitions, "partition"], [reassignments, "reassignment"]] as const) {
        if (!key.startsWith(prefix)) continue;
        const rest = key.slice(prefix.length);
        const slash = rest.indexOf("/");
        if (slash <= 0 || rest.indexOf("/", slash + 1) !== -1) return undefined;
        const number = rest.slice(slash + 1);
        if (!DECIMAL.test(number)) return undefined;
        return { type, topic: rest.slice(0, slash), partition: Number(number) };
      }
      return undefined;
    },
  };
}
