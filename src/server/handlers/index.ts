/**
 * The handler of every op, by op name: what a session dispatches decoded requests to.
 *
 * @example
 * ```ts
 * const request = decodeRequest(frame);
 * const reply = await HANDLERS[request.op](request as never, scope);
 * ```
 * @module
 */
import type { InternalOpName, InternalRequest, OpName, RequestOf } from "../../protocol/ops/index.ts";
import { handleAlterConfigs } from "./alter-configs.ts";
import { handleAlterPartitionReassignments } from "./alter-partition-reassignments.ts";
import { handleCreatePartitions } from "./create-partitions.ts";
import { handleCreateTopics } from "./create-topics.ts";
import { handleCredit } from "./credit.ts";
import { handleDeleteGroups } from "./delete-groups.ts";
import { handleDeleteRecords } from "./delete-records.ts";
import { handleDeleteTopics } from "./delete-topics.ts";
import { handleDescribeConfigs } from "./describe-configs.ts";
import { handleDescribeGroups } from "./describe-groups.ts";
import { handleDescribeLag } from "./describe-lag.ts";
import { handleElectLeaders } from "./elect-leaders.ts";
import { handleFetch } from "./fetch.ts";
import { handleGroupHeartbeat } from "./group-heartbeat.ts";
import { handleGroupSubscribe } from "./group-subscribe.ts";
import type { Handler } from "./handler.ts";
import { handleHello } from "./hello.ts";
import { handleListGroups } from "./list-groups.ts";
import { handleListOffsets } from "./list-offsets.ts";
import { handleListPartitionReassignments } from "./list-partition-reassignments.ts";
import { handleMetadata } from "./metadata.ts";
import { handleOffsetCommit } from "./offset-commit.ts";
import { handleOffsetFetch } from "./offset-fetch.ts";
import { handleOffsetForLeaderEpoch } from "./offset-for-leader-epoch.ts";
import { handleProduce } from "./produce.ts";
import { handleReplicaFetch } from "./replica-fetch.ts";
import { handleResetOffsets } from "./reset-offsets.ts";
import { handleSubscribe } from "./subscribe.ts";
import { handleUnsubscribe } from "./unsubscribe.ts";

/**
 * One handler per op of the protocol; the type makes a missing op a compile error.
 *
 * @example
 * ```ts
 * const reply = await HANDLERS.metadata({ id: 1, op: "metadata", topics: null }, scope);
 * ```
 */
export const HANDLERS: { readonly [K in OpName]: Handler<RequestOf<K>> } = Object.freeze({
  hello: handleHello,
  metadata: handleMetadata,
  createTopics: handleCreateTopics,
  deleteTopics: handleDeleteTopics,
  createPartitions: handleCreatePartitions,
  describeConfigs: handleDescribeConfigs,
  alterConfigs: handleAlterConfigs,
  produce: handleProduce,
  fetch: handleFetch,
  listOffsets: handleListOffsets,
  deleteRecords: handleDeleteRecords,
  subscribe: handleSubscribe,
  credit: handleCredit,
  unsubscribe: handleUnsubscribe,
  groupHeartbeat: handleGroupHeartbeat,
  groupSubscribe: handleGroupSubscribe,
  offsetCommit: handleOffsetCommit,
  offsetFetch: handleOffsetFetch,
  listGroups: handleListGroups,
  describeGroups: handleDescribeGroups,
  describeLag: handleDescribeLag,
  deleteGroups: handleDeleteGroups,
  resetOffsets: handleResetOffsets,
  electLeaders: handleElectLeaders,
  alterPartitionReassignments: handleAlterPartitionReassignments,
  listPartitionReassignments: handleListPartitionReassignments,
});

/**
 * The handlers of the broker-internal ops (a follower broker's requests to its leader).
 *
 * @example
 * ```ts
 * const reply = await INTERNAL_HANDLERS.offsetForLeaderEpoch(request, scope);
 * ```
 */
export const INTERNAL_HANDLERS: { readonly [K in InternalOpName]: Handler<Extract<InternalRequest, { op: K }>> } = Object.freeze({
  replicaFetch: handleReplicaFetch,
  offsetForLeaderEpoch: handleOffsetForLeaderEpoch,
});

export type { Handler, RequestScope } from "./handler.ts";
