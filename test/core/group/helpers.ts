/**
 * Test helpers for the group coordinator: a mutable topic view, a coordinator on a manual clock
 * and an in-memory store, and members that behave as a well-behaved client does (they release
 * revoked partitions and report what they own on every heartbeat).
 *
 * @example
 * ```ts
 * const env = await startCoordinator({ topics: { t: 3 } });
 * const a = env.member("g", "a", ["t"]);
 * a.join();
 * env.clock.advance(3000);
 * a.beat(); // a.owned: t-0, t-1, t-2
 * ```
 * @module
 */
import { manualClock, type ManualClock } from "../../../src/core/ports/clock.ts";
import { createGroupCoordinator, type GroupCoordinator, type GroupCoordinatorOptions } from "../../../src/core/group/group-coordinator.ts";
import type { GroupCoordinatorConfig } from "../../../src/core/group/group-coordinator-config.ts";
import { memoryOffsetsStore, type MemoryOffsetsStore } from "../../../src/core/group/offsets-store.ts";
import type { HeartbeatRequest, HeartbeatResponse } from "../../../src/core/group/coordinator-types.ts";
import type { TopicsView } from "../../../src/core/group/subscription.ts";
import type { TopicPartitions } from "../../../src/core/group/topic-partitions.ts";

/** A topic view over a plain object that tests change. */
export function topicsView(partitions: Record<string, number>): TopicsView & { partitions: Record<string, number> } {
  return {
    partitions,
    partitionsOf: (t) => (Object.hasOwn(partitions, t) ? partitions[t] : undefined),
    listTopics: () => Object.keys(partitions),
  };
}

/** Flattens an assignment into sorted "topic-partition" strings. */
export function names(assignment: readonly TopicPartitions[]): string[] {
  return assignment.flatMap((tp) => tp.partitions.map((p) => `${tp.topic}-${p}`)).sort();
}

/** A member driven like a client that follows the protocol. */
export class TestMember {
  memberId: string | undefined;
  epoch = 0;
  owned: TopicPartitions[] = [];
  constructor(
    private readonly env: CoordinatorEnv,
    readonly groupId: string,
    readonly clientId: string,
    readonly topics: string[],
    readonly extra: Partial<HeartbeatRequest> = {},
  ) {}

  /** Joins (epoch 0), owning nothing. */
  join(): HeartbeatResponse {
    this.owned = [];
    const r = this.env.coordinator.heartbeat({
      groupId: this.groupId,
      memberEpoch: 0,
      clientId: this.clientId,
      host: `/10.0.0.${this.clientId.length}`,
      subscribedTopics: this.topics,
      ownedPartitions: [],
      ...(this.memberId === undefined ? {} : { memberId: this.memberId }),
      ...this.extra,
    });
    return this.take(r);
  }

  /** Heartbeats with its epoch, reporting what it owns. */
  beat(): HeartbeatResponse {
    const r = this.env.coordinator.heartbeat({
      groupId: this.groupId,
      memberId: this.memberId!,
      memberEpoch: this.epoch,
      clientId: this.clientId,
      host: `/10.0.0.${this.clientId.length}`,
      ownedPartitions: this.owned,
      ...(this.extra.instanceId === undefined ? {} : { instanceId: this.extra.instanceId }),
    });
    return this.take(r);
  }

  get partitions(): string[] {
    return names(this.owned);
  }

  private take(r: HeartbeatResponse): HeartbeatResponse {
    this.memberId = r.memberId;
    this.epoch = r.memberEpoch;
    this.owned = r.assignment;
    return r;
  }
}

/** A coordinator on a manual clock and an in-memory store. */
export interface CoordinatorEnv {
  clock: ManualClock;
  store: MemoryOffsetsStore;
  topics: ReturnType<typeof topicsView>;
  coordinator: GroupCoordinator;
  changes: Array<{ groupId: string; memberId: string; assignment: string[] }>;
  member(groupId: string, clientId: string, topics: string[], extra?: Partial<HeartbeatRequest>): TestMember;
  /** A second coordinator over the same store and topics (a restart), loaded. */
  restart(): Promise<CoordinatorEnv>;
}

/** Starts (and loads) a coordinator; config defaults to no initial delay. */
export async function startCoordinator(
  options: {
    topics?: Record<string, number>;
    config?: Partial<GroupCoordinatorConfig>;
    clock?: ManualClock;
    store?: MemoryOffsetsStore;
    topicsView?: ReturnType<typeof topicsView>;
  } & Partial<Pick<GroupCoordinatorOptions, "newMemberId">> = {},
): Promise<CoordinatorEnv> {
  const clock = options.clock ?? manualClock(1_700_000_000_000);
  const store = options.store ?? memoryOffsetsStore();
  const topics = options.topicsView ?? topicsView(options.topics ?? { t: 3 });
  const config = { initialRebalanceDelayMs: 0, offsetsTopicPartitions: 4, ...options.config };
  const changes: CoordinatorEnv["changes"] = [];
  let counter = 0;
  const coordinator = createGroupCoordinator({
    clock,
    offsetsLog: store,
    topics,
    config,
    newMemberId: options.newMemberId ?? ((clientId) => `${clientId}-m${++counter}`),
    onAssignmentChange: (groupId, memberId, assignment) => changes.push({ groupId, memberId, assignment: names(assignment) }),
  });
  await coordinator.load();
  const env: CoordinatorEnv = {
    clock,
    store,
    topics,
    coordinator,
    changes,
    member: (groupId, clientId, subscribed, extra) => new TestMember(env, groupId, clientId, subscribed, extra),
    restart: () => startCoordinator({ ...options, clock, store, topicsView: topics }),
  };
  return env;
}
