/**
 * The JSON values of the cluster's keys (see `cluster-keys.ts`), written and read strictly: a value
 * that does not have the expected shape decodes to undefined, and the reader skips it (with a
 * warning) instead of acting on half a record.
 *
 * @example
 * ```ts
 * const text = encodePartitionRecord({ replicas: [1, 2], leader: 1, leaderEpoch: 0, isr: [1, 2] });
 * decodePartitionRecord(text); // the same record
 * decodePartitionRecord("{}"); // undefined
 * ```
 * @module
 */

/**
 * A live broker's registration (`brokers/<id>`).
 *
 * @example
 * ```ts
 * const b: BrokerRecord = { id: 1, url: "ws://b1:9092" };
 * ```
 */
export interface BrokerRecord {
  id: number;
  url: string;
}

/**
 * The election key's value (`controller`).
 *
 * @example
 * ```ts
 * const c: ControllerRecord = { brokerId: 2 };
 * ```
 */
export interface ControllerRecord {
  brokerId: number;
}

/**
 * A topic (`topics/<name>`). `assignment` is the replica assignment the topic's partitions were
 * created with; the partition states are authoritative once they exist (a reassignment changes
 * them, not this), and the controller creates a missing partition state from it.
 *
 * @example
 * ```ts
 * const t: TopicRecordValue = { id: "AAAAAAAAAAAAAAAAAAAAAA", partitions: 2, replicationFactor: 2, configs: {}, assignment: [[1, 2], [2, 1]] };
 * ```
 */
export interface TopicRecordValue {
  /** Kafka's topic id (22 characters of base64url). */
  id: string;
  partitions: number;
  replicationFactor: number;
  configs: Record<string, string>;
  /** One replica list per partition. */
  assignment: number[][];
}

/**
 * A partition's state as stored (`partitions/<topic>/<p>`): the topic, partition and version come
 * from the key and its modRevision.
 *
 * @example
 * ```ts
 * const p: PartitionRecord = { replicas: [1, 2, 3], leader: 1, leaderEpoch: 0, isr: [1, 2, 3] };
 * ```
 */
export interface PartitionRecord {
  replicas: number[];
  leader: number;
  leaderEpoch: number;
  isr: number[];
}

/**
 * A running reassignment (`reassignments/<topic>/<p>`): the replicas it moves to and those the
 * partition had before it started.
 *
 * @example
 * ```ts
 * const r: ReassignmentRecord = { target: [2, 3, 4], original: [1, 2, 3] };
 * ```
 */
export interface ReassignmentRecord {
  target: number[];
  original: number[];
}

const isBrokerId = (value: unknown): value is number => Number.isInteger(value) && (value as number) >= 0 && (value as number) <= 2_147_483_647;
const isIdList = (value: unknown): value is number[] =>
  Array.isArray(value) && value.every(isBrokerId) && new Set(value).size === value.length;
const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

function parse(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return isObject(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Serializes a broker registration.
 *
 * @example
 * ```ts
 * encodeBrokerRecord({ id: 1, url: "ws://b1:9092" }); // '{"id":1,"url":"ws://b1:9092"}'
 * ```
 */
export function encodeBrokerRecord(record: BrokerRecord): string {
  return JSON.stringify({ id: record.id, url: record.url });
}

/**
 * Reads a broker registration, or undefined when malformed.
 *
 * @example
 * ```ts
 * decodeBrokerRecord('{"id":1,"url":"ws://b1:9092"}')?.url; // "ws://b1:9092"
 * ```
 */
export function decodeBrokerRecord(text: string): BrokerRecord | undefined {
  const value = parse(text);
  if (value === undefined || !isBrokerId(value["id"]) || typeof value["url"] !== "string") return undefined;
  return { id: value["id"], url: value["url"] };
}

/**
 * Serializes the controller key's value.
 *
 * @example
 * ```ts
 * encodeControllerRecord({ brokerId: 2 }); // '{"brokerId":2}'
 * ```
 */
export function encodeControllerRecord(record: ControllerRecord): string {
  return JSON.stringify({ brokerId: record.brokerId });
}

/**
 * Reads the controller key's value, or undefined when malformed.
 *
 * @example
 * ```ts
 * decodeControllerRecord('{"brokerId":2}'); // { brokerId: 2 }
 * ```
 */
export function decodeControllerRecord(text: string): ControllerRecord | undefined {
  const value = parse(text);
  return value !== undefined && isBrokerId(value["brokerId"]) ? { brokerId: value["brokerId"] } : undefined;
}

/**
 * Serializes a topic.
 *
 * @example
 * ```ts
 * encodeTopicRecord({ id, partitions: 1, replicationFactor: 1, configs: {}, assignment: [[1]] });
 * ```
 */
export function encodeTopicRecord(record: TopicRecordValue): string {
  return JSON.stringify({
    id: record.id,
    partitions: record.partitions,
    replicationFactor: record.replicationFactor,
    configs: record.configs,
    assignment: record.assignment,
  });
}

/**
 * Reads a topic, or undefined when malformed (the assignment must hold one non-empty list per partition).
 *
 * @example
 * ```ts
 * decodeTopicRecord(text)?.partitions;
 * ```
 */
export function decodeTopicRecord(text: string): TopicRecordValue | undefined {
  const value = parse(text);
  if (value === undefined) return undefined;
  const { id, partitions, replicationFactor, configs, assignment } = value;
  if (typeof id !== "string" || !Number.isInteger(partitions) || (partitions as number) < 1) return undefined;
  if (!Number.isInteger(replicationFactor) || (replicationFactor as number) < 1) return undefined;
  if (!isObject(configs) || !Object.values(configs).every((v) => typeof v === "string")) return undefined;
  if (!Array.isArray(assignment) || assignment.length !== partitions || !assignment.every((r) => isIdList(r) && r.length > 0)) return undefined;
  return {
    id,
    partitions: partitions as number,
    replicationFactor: replicationFactor as number,
    configs: { ...(configs as Record<string, string>) },
    assignment: (assignment as number[][]).map((r) => [...r]),
  };
}

/**
 * Serializes a partition's state.
 *
 * @example
 * ```ts
 * encodePartitionRecord({ replicas: [1, 2], leader: 1, leaderEpoch: 3, isr: [1] });
 * ```
 */
export function encodePartitionRecord(record: PartitionRecord): string {
  return JSON.stringify({ replicas: record.replicas, leader: record.leader, leaderEpoch: record.leaderEpoch, isr: record.isr });
}

/**
 * Reads a partition's state, or undefined when malformed (replicas non-empty; leader -1 or a
 * replica; the ISR a subset of the replicas).
 *
 * @example
 * ```ts
 * decodePartitionRecord('{"replicas":[1],"leader":1,"leaderEpoch":0,"isr":[1]}')?.leader; // 1
 * ```
 */
export function decodePartitionRecord(text: string): PartitionRecord | undefined {
  const value = parse(text);
  if (value === undefined) return undefined;
  const { replicas, leader, leaderEpoch, isr } = value;
  if (!isIdList(replicas) || replicas.length === 0 || !isIdList(isr) || !isr.every((id) => replicas.includes(id))) return undefined;
  if (!(leader === -1 || (isBrokerId(leader) && replicas.includes(leader)))) return undefined;
  if (!Number.isInteger(leaderEpoch) || (leaderEpoch as number) < 0) return undefined;
  return { replicas: [...replicas], leader: leader as number, leaderEpoch: leaderEpoch as number, isr: [...isr] };
}

/**
 * Serializes a running reassignment.
 *
 * @example
 * ```ts
 * encodeReassignmentRecord({ target: [2, 3], original: [1, 2] });
 * ```
 */
export function encodeReassignmentRecord(record: ReassignmentRecord): string {
  return JSON.stringify({ target: record.target, original: record.original });
}

/**
 * Reads a running reassignment, or undefined when malformed.
 *
 * @example
 * ```ts
 * decodeReassignmentRecord('{"target":[2,3],"original":[1,2]}')?.target; // [2, 3]
 * ```
 */
export function decodeReassignmentRecord(text: string): ReassignmentRecord | undefined {
  const value = parse(text);
  if (value === undefined) return undefined;
  const { target, original } = value;
  if (!isIdList(target) || target.length === 0 || !isIdList(original) || original.length === 0) return undefined;
  return { target: [...target], original: [...original] };
}
