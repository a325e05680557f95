/**
 * The consumer group coordinator: the public entry of `src/core/group`.
 *
 * @example
 * ```ts
 * import { createGroupCoordinator, partitionLogOffsetsStore } from "./core/group/index.ts";
 * const coordinator = createGroupCoordinator({ clock, offsetsLog: partitionLogOffsetsStore(getLog), topics });
 * await coordinator.load();
 * ```
 * @module
 */
export { createGroupCoordinator, type GroupCoordinator, type GroupCoordinatorOptions, type GroupLag } from "./group-coordinator.ts";
export {
  defaultGroupCoordinatorConfig,
  groupCoordinatorConfigFromBroker,
  resolveGroupCoordinatorConfig,
  type GroupCoordinatorConfig,
} from "./group-coordinator-config.ts";
export {
  LEAVE_GROUP_MEMBER_EPOCH,
  LEAVE_GROUP_STATIC_MEMBER_EPOCH,
  NO_OFFSET,
  type CommitOffsetsRequest,
  type DeleteGroupResult,
  type FetchedOffset,
  type GroupDescription,
  type GroupListing,
  type HeartbeatRequest,
  type HeartbeatResponse,
  type MemberDescription,
  type OffsetToCommit,
  type PartitionsQuery,
} from "./coordinator-types.ts";
export { GROUP_STATES, type GroupStateName } from "./group-state.ts";
export { memoryOffsetsStore, partitionLogOffsetsStore, type MemoryOffsetsStore, type OffsetsStore } from "./offsets-store.ts";
export { partitionForGroup, javaStringHashCode } from "./partition-for-group.ts";
export { resolveStartOffset, resolveStartOffsets, type AutoOffsetReset, type StartOffsetQuery } from "./offset-reset-policy.ts";
export type { LogOffsetsLookup, PlannedOffset, ResetOffsetsRequest, ResetOffsetsResult, ResetOffsetsSpec } from "./reset-offsets.ts";
export type { LagRow } from "./lag.ts";
export type { TopicsView } from "./subscription.ts";
export type { TopicPartitions } from "./topic-partitions.ts";
export { ASSIGNORS, assignorByName, rangeAssignor, roundRobinAssignor, stickyAssignor, type Assignor } from "./assignors/index.ts";
