/**
 * `electLeaders`: in a cluster, the admin's election (preferred or unclean) over the partitions
 * named, or every partition, leaving out those that need none when every partition was asked for
 * (as Kafka's controller does). On a single broker every partition has its one replica as leader
 * already: ELECTION_NOT_NEEDED for each named one, UNKNOWN_TOPIC_OR_PARTITION for those that do not
 * exist.
 *
 * ```
 * ElectLeadersRequest  => { id, op: "electLeaders", electionType, partitions?, timeoutMs? }
 * ElectLeadersResponse => { id, partitions: [{ topic, partition, leader?, error? }] }
 * ```
 *
 * @example
 * ```ts
 * await handleElectLeaders({ id: 30, op: "electLeaders", electionType: "preferred", partitions: undefined, timeoutMs: 30000 }, scope);
 * ```
 * @module
 */
import { EdgelogError, type ErrorCode } from "../../core/errors.ts";
import { toWireError, type WireError } from "../../protocol/envelope.ts";
import { electLeadersResponse, type ElectLeadersRequest, type ElectLeadersResult, type WireTopicPartition } from "../../protocol/ops/elect-leaders.ts";
import type { BrokerContext } from "../broker-context.ts";
import type { Handler } from "./handler.ts";
import { requestDeadline } from "./request-deadline.ts";

/**
 * Answers `electLeaders`.
 *
 * @example
 * ```ts
 * HANDLERS.electLeaders = handleElectLeaders;
 * ```
 */
export const handleElectLeaders: Handler<ElectLeadersRequest> = async (request, { broker }) => {
  const admin = broker.cluster?.admin;
  if (admin === undefined) return electLeadersResponse(request.id, (request.partitions ?? []).map((p) => singleBrokerElection(broker, p)));
  const results = await requestDeadline(request.timeoutMs).wait(admin.electLeaders(request.electionType, request.partitions), `the ${request.electionType} leader election`);
  const partitions: ElectLeadersResult[] = [];
  for (const r of results) {
    if (request.partitions === undefined && r.error?.code === "ELECTION_NOT_NEEDED") continue;
    const where = { topic: r.topic, partition: r.partition };
    if (r.error !== undefined) partitions.push({ ...where, error: wireError(r.error.code, r.error.message) });
    else partitions.push(r.leader === undefined ? where : { ...where, leader: r.leader });
  }
  const elected = partitions.filter((p) => p.leader !== undefined).map((p) => `${p.topic}-${p.partition}`);
  if (elected.length > 0) broker.logger("info", `Leader election (${request.electionType}) moved the leaders of ${elected.join(", ")}`);
  return electLeadersResponse(request.id, partitions);
};

/** On a broker that runs alone, the one replica leads every partition already. */
function singleBrokerElection(broker: BrokerContext, p: WireTopicPartition): ElectLeadersResult {
  const topic = broker.topics.get(p.topic);
  if (topic === undefined || p.partition >= topic.partitions) {
    return { ...p, error: wireError("UNKNOWN_TOPIC_OR_PARTITION", `Partition ${p.topic}-${p.partition} does not exist`) };
  }
  return { ...p, error: wireError("ELECTION_NOT_NEEDED", `Leader election not needed for topic partition ${p.topic}-${p.partition}`) };
}

function wireError(code: ErrorCode, message: string): WireError {
  return toWireError(new EdgelogError(code, message));
}
