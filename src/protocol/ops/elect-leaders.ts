/**
 * `electLeaders`: Kafka's ElectLeaders (`edgelog leader-election`): gives partitions back to their
 * preferred leader, or, with `unclean`, a leader to partitions that have none.
 *
 * ```
 * ElectLeadersRequest =>
 *   id: uint
 *   op: "electLeaders"
 *   electionType: "preferred" | "unclean"
 *   partitions?: [{ topic: string, partition: int32 ≥ 0 }] | null   absent or null: every partition;
 *                                                                     no partition twice
 *   timeoutMs?: int32 = 30000
 *
 * ElectLeadersResponse =>
 *   id: uint
 *   partitions: [{
 *     topic: string
 *     partition: int32
 *     leader?: int32        the leader elected
 *     error?: WireError     ELECTION_NOT_NEEDED, PREFERRED_LEADER_NOT_AVAILABLE,
 *                           ELIGIBLE_LEADERS_NOT_AVAILABLE, UNKNOWN_TOPIC_OR_PARTITION, REQUEST_TIMED_OUT
 *   }]
 * ```
 *
 * Asked for every partition, the reply leaves out those that need no election, as Kafka's
 * controller does.
 *
 * @example
 * ```ts
 * decodeElectLeadersRequest({ id: 30, op: "electLeaders", electionType: "preferred", partitions: [{ topic: "orders", partition: 0 }] });
 * ```
 * @module
 */
import { openRequest, type RequestId, type WireError } from "../envelope.ts";
import { Fields, INT32_MAX, rejectDuplicates } from "../fields.ts";
import { DEFAULT_ADMIN_TIMEOUT_MS } from "./create-topics.ts";

/**
 * The kind of election: Kafka's ElectionType PREFERRED (0) or UNCLEAN (1).
 *
 * @example
 * ```ts
 * const type: WireElectionType = "unclean";
 * ```
 */
export type WireElectionType = "preferred" | "unclean";

/**
 * A partition named by topic and index.
 *
 * @example
 * ```ts
 * const p: WireTopicPartition = { topic: "orders", partition: 0 };
 * ```
 */
export interface WireTopicPartition {
  topic: string;
  partition: number;
}

/**
 * A decoded `electLeaders` request; `partitions` undefined means every partition.
 *
 * @example
 * ```ts
 * const request: ElectLeadersRequest = { id: 30, op: "electLeaders", electionType: "preferred", partitions: undefined, timeoutMs: 30000 };
 * ```
 */
export interface ElectLeadersRequest {
  id: RequestId;
  op: "electLeaders";
  electionType: WireElectionType;
  partitions: WireTopicPartition[] | undefined;
  timeoutMs: number;
}

/**
 * The outcome for one partition: the leader elected, or the error saying why none was.
 *
 * @example
 * ```ts
 * const r: ElectLeadersResult = { topic: "orders", partition: 0, leader: 1 };
 * ```
 */
export interface ElectLeadersResult extends WireTopicPartition {
  leader?: number;
  error?: WireError;
}

/**
 * The reply to `electLeaders`.
 *
 * @example
 * ```ts
 * const reply: ElectLeadersResponse = { id: 30, partitions: [{ topic: "orders", partition: 0, leader: 1 }] };
 * ```
 */
export interface ElectLeadersResponse {
  id: RequestId;
  partitions: ElectLeadersResult[];
}

/**
 * Reads a list of `{topic, partition}` (no partition twice), as several admin ops take it.
 *
 * @example
 * ```ts
 * readTopicPartitions(Fields.of({ partitions: [{ topic: "t", partition: 0 }] }), "partitions"); // [{ topic: "t", partition: 0 }]
 * ```
 */
export function readTopicPartitions(fields: Fields, key: string): WireTopicPartition[] | undefined {
  const partitions = fields.optionalList(key, (item, path) => {
    const p = Fields.of(item, path);
    return { topic: p.string("topic"), partition: p.int("partition", 0, INT32_MAX) };
  });
  if (partitions !== undefined) rejectDuplicates(partitions.map((p) => `${p.topic}-${p.partition}`), key);
  return partitions;
}

/**
 * Validates a decoded `electLeaders` frame.
 *
 * @example
 * ```ts
 * decodeElectLeadersRequest({ id: 30, op: "electLeaders", electionType: "clean" }); // throws naming electionType
 * ```
 */
export function decodeElectLeadersRequest(frame: unknown): ElectLeadersRequest {
  const { id, fields } = openRequest(frame, "electLeaders");
  const electionType = fields.string("electionType");
  if (electionType !== "preferred" && electionType !== "unclean") throw fields.fail("electionType", '"preferred" or "unclean"');
  return {
    id,
    op: "electLeaders",
    electionType,
    partitions: readTopicPartitions(fields, "partitions"),
    timeoutMs: fields.optionalInt("timeoutMs", 0, INT32_MAX, DEFAULT_ADMIN_TIMEOUT_MS),
  };
}

/**
 * Builds the reply to `electLeaders`.
 *
 * @example
 * ```ts
 * electLeadersResponse(req.id, [{ topic: "orders", partition: 0, leader: 1 }]);
 * ```
 */
export function electLeadersResponse(id: RequestId, partitions: ElectLeadersResult[]): ElectLeadersResponse {
  return { id, partitions };
}
