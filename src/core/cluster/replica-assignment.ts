/**
 * Where a new partition's replicas go: Kafka's rack-unaware assignment (AdminUtils'
 * assignReplicasToBrokers). With the brokers sorted by id, partition `p`'s first replica is broker
 * `(start + p) mod n`, so leaders spread evenly; each further replica sits a "shift" to its right,
 * and the shift grows by one after every `n` partitions so that followers spread too. Both the
 * start and the initial shift are random unless fixed, so topics do not all pile on broker 0.
 *
 * @example
 * ```ts
 * assignReplicas({ brokers: [0, 1, 2, 3, 4], partitions: 10, replicationFactor: 3, fixedStartIndex: 0 });
 * // [[0,1,2],[1,2,3],[2,3,4],[3,4,0],[4,0,1],[0,2,3],[1,3,4],[2,4,0],[3,0,1],[4,1,2]]
 * ```
 * @module
 */
import { EdgelogError } from "../errors.ts";

/**
 * Options for {@link assignReplicas}.
 *
 * @example
 * ```ts
 * const options: AssignReplicasOptions = { brokers: [1, 2, 3], partitions: 6, replicationFactor: 2, random: () => 0.5 };
 * ```
 */
export interface AssignReplicasOptions {
  /** The brokers to place replicas on (any order, no duplicates). */
  brokers: readonly number[];
  /** How many partitions to assign (at least 1). */
  partitions: number;
  replicationFactor: number;
  /** The id of the first partition assigned (when adding partitions to a topic; default 0). */
  startPartition?: number;
  /** Fixes the start index and the initial shift (Kafka does so when adding partitions); default random. */
  fixedStartIndex?: number;
  /** A number in [0, 1), as Math.random (the default); tests inject their own. */
  random?: () => number;
}

/**
 * Assigns replicas; see the module documentation. Throws INVALID_PARTITIONS for a count below 1 and
 * INVALID_REPLICATION_FACTOR for a factor below 1 or above the number of brokers.
 *
 * @example
 * ```ts
 * const assignment = assignReplicas({ brokers: live, partitions: 3, replicationFactor: 3 });
 * assignment[0]; // e.g. [2, 3, 1]: broker 2 is the preferred leader of partition 0
 * ```
 */
export function assignReplicas(options: AssignReplicasOptions): number[][] {
  const { partitions, replicationFactor } = options;
  const brokers = [...options.brokers].sort((a, b) => a - b);
  if (new Set(brokers).size !== brokers.length) throw new RangeError(`Duplicate broker ids in [${brokers.join(",")}]`);
  if (!Number.isInteger(partitions) || partitions < 1) {
    throw new EdgelogError("INVALID_PARTITIONS", "Number of partitions must be larger than 0.");
  }
  if (!Number.isInteger(replicationFactor) || replicationFactor < 1) {
    throw new EdgelogError("INVALID_REPLICATION_FACTOR", "Replication factor must be larger than 0.");
  }
  if (replicationFactor > brokers.length) {
    throw new EdgelogError(
      "INVALID_REPLICATION_FACTOR",
      `Replication factor: ${replicationFactor} larger than available brokers: ${brokers.length}.`,
    );
  }
  const n = brokers.length;
  const random = options.random ?? Math.random;
  const randomIndex = (): number => Math.min(n - 1, Math.floor(random() * n));
  const fixed = options.fixedStartIndex;
  if (fixed !== undefined && (!Number.isInteger(fixed) || fixed < 0)) throw new RangeError(`Invalid fixedStartIndex ${fixed}`);
  const startIndex = fixed ?? randomIndex();
  let shift = fixed ?? randomIndex();
  let partition = Math.max(0, options.startPartition ?? 0);
  const assignment: number[][] = [];
  for (let i = 0; i < partitions; i++, partition++) {
    if (partition > 0 && partition % n === 0) shift++;
    const first = (partition + startIndex) % n;
    const replicas = [brokers[first]!];
    for (let j = 0; j < replicationFactor - 1; j++) replicas.push(brokers[followerIndex(first, shift, j, n)]!);
    assignment.push(replicas);
  }
  return assignment;
}

/** The index of the `j`-th follower: 1 + (shift + j) mod (n - 1) places to the right of the first replica. */
function followerIndex(first: number, shift: number, j: number, n: number): number {
  const step = 1 + ((shift + j) % (n - 1));
  return (first + step) % n;
}

/**
 * Checks a replica assignment given by hand (kafka-topics' --replica-assignment): one non-empty
 * list per partition, each without duplicates, all of the same length, on known brokers. Throws
 * INVALID_REPLICA_ASSIGNMENT naming the problem.
 *
 * @example
 * ```ts
 * checkReplicaAssignment([[1, 2], [2, 3]], [1, 2, 3]); // 2, the replication factor
 * checkReplicaAssignment([[1, 1]], [1]); // throws INVALID_REPLICA_ASSIGNMENT
 * ```
 */
export function checkReplicaAssignment(assignment: readonly (readonly number[])[], brokers: readonly number[]): number {
  if (!Array.isArray(assignment) || assignment.length === 0) {
    throw new EdgelogError("INVALID_REPLICA_ASSIGNMENT", "The replica assignment must list at least one partition.");
  }
  const known = new Set(brokers);
  const factor = assignment[0]!.length;
  assignment.forEach((replicas, partition) => {
    if (!Array.isArray(replicas) || replicas.length === 0) {
      throw new EdgelogError("INVALID_REPLICA_ASSIGNMENT", `Partition ${partition} has no replicas.`);
    }
    if (replicas.some((id) => !Number.isInteger(id) || id < 0)) {
      throw new EdgelogError("INVALID_REPLICA_ASSIGNMENT", `Partition ${partition} lists an invalid broker id: [${replicas.join(",")}].`);
    }
    if (new Set(replicas).size !== replicas.length) {
      throw new EdgelogError("INVALID_REPLICA_ASSIGNMENT", `Partition ${partition} has duplicate replicas: [${replicas.join(",")}].`);
    }
    if (replicas.length !== factor) {
      throw new EdgelogError("INVALID_REPLICA_ASSIGNMENT", `Partition ${partition} has ${replicas.length} replicas while partition 0 has ${factor}.`);
    }
    const unknown = replicas.filter((id) => !known.has(id));
    if (unknown.length > 0) {
      throw new EdgelogError("INVALID_REPLICA_ASSIGNMENT", `Partition ${partition} is assigned to broker(s) ${unknown.join(",")}, which are not alive.`);
    }
  });
  return factor;
}
