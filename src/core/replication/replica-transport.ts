/**
 * The port between a follower and its leader: Kafka's replica Fetch and OffsetsForLeaderEpoch,
 * one partition per call. The broker-to-broker WebSocket adapter implements {@link ReplicaFetchClient};
 * tests and single-process clusters call the leader's {@link ReplicaFetchServer} directly
 * (`in-process-fetch-client.ts`).
 *
 * Errors cross the port as `EdgelogError`s with Kafka's names: FENCED_LEADER_EPOCH (the follower's
 * epoch is older than the leader's), UNKNOWN_LEADER_EPOCH (newer), NOT_LEADER_OR_FOLLOWER,
 * UNKNOWN_TOPIC_OR_PARTITION, OFFSET_OUT_OF_RANGE (with `details.logStartOffset` and
 * `details.logEndOffset`), NETWORK_EXCEPTION when the leader cannot be reached.
 *
 * @example
 * ```ts
 * const client = clientFactory({ id: 2, url: "ws://broker-2:9092" });
 * const reply = await client.fetch({ topic: "orders", partition: 0, fetchOffset: 120, leaderEpoch: 4,
 *   lastFetchedEpoch: 4, maxBytes: 1 << 20, maxWaitMs: 500, replicaId: 3 });
 * if (reply.divergingEpoch) await truncate(reply.divergingEpoch);
 * client.close();
 * ```
 * @module
 */
import type { BrokerInfo } from "../cluster/cluster-view.ts";

/**
 * A follower's fetch: "I hold everything below `fetchOffset`, the last batch I hold is of
 * `lastFetchedEpoch`; send what follows".
 *
 * @example
 * ```ts
 * const req: ReplicaFetchRequest = { topic: "orders", partition: 0, fetchOffset: 120, leaderEpoch: 4, lastFetchedEpoch: 3, maxBytes: 1 << 20, maxWaitMs: 500, replicaId: 3 };
 * ```
 */
export interface ReplicaFetchRequest {
  topic: string;
  partition: number;
  /** The follower's log end offset. */
  fetchOffset: number;
  /** The follower's view of the partition's current leader epoch (checked by the leader). */
  leaderEpoch: number;
  /** The latest epoch in the follower's leader epoch cache; -1 when it has none (no divergence check). */
  lastFetchedEpoch: number;
  maxBytes: number;
  /** How long the leader may hold the request while it has nothing new (long poll). */
  maxWaitMs: number;
  /** The follower's broker id. */
  replicaId: number;
}

/**
 * The leader's answer: batches from `fetchOffset` on (up to its log end, not only its high
 * watermark), or, KIP-320 style, where the follower's log diverges from its own.
 *
 * @example
 * ```ts
 * const reply: ReplicaFetchResponse = { batches: new Uint8Array(0), highWatermark: 110, logStartOffset: 0, logEndOffset: 118,
 *   divergingEpoch: { epoch: 3, endOffset: 118 } };
 * ```
 */
export interface ReplicaFetchResponse {
  /** Whole stored batches, byte-identical to the leader's segments. Empty with `divergingEpoch`. */
  batches: Uint8Array;
  highWatermark: number;
  logStartOffset: number;
  logEndOffset: number;
  /** Set when the follower's `lastFetchedEpoch` ends before `fetchOffset` on the leader (or is unknown there). */
  divergingEpoch?: EpochEndOffset;
}

/**
 * A leader epoch and the offset where it ends (where the next epoch starts, or the log end).
 * `{ epoch: -1, endOffset: -1 }` means "older than every epoch I know".
 *
 * @example
 * ```ts
 * const e: EpochEndOffset = { epoch: 3, endOffset: 118 };
 * ```
 */
export interface EpochEndOffset {
  epoch: number;
  endOffset: number;
}

/**
 * Kafka's OffsetsForLeaderEpoch for one partition: where does `leaderEpoch` end on the leader?
 *
 * @example
 * ```ts
 * const req: OffsetForLeaderEpochRequest = { topic: "orders", partition: 0, leaderEpoch: 3, currentLeaderEpoch: 4 };
 * ```
 */
export interface OffsetForLeaderEpochRequest {
  topic: string;
  partition: number;
  /** The epoch asked about: the follower's latest. */
  leaderEpoch: number;
  /** The follower's view of the current leader epoch (checked by the leader). */
  currentLeaderEpoch: number;
}

/**
 * The answer to {@link OffsetForLeaderEpochRequest}: the largest epoch ≤ the one asked about that
 * the leader knows, and where it ends on the leader.
 *
 * @example
 * ```ts
 * const res: OffsetForLeaderEpochResponse = { leaderEpoch: 3, endOffset: 118 };
 * ```
 */
export interface OffsetForLeaderEpochResponse {
  leaderEpoch: number;
  endOffset: number;
}

/**
 * A follower's connection to one leader broker.
 *
 * @example
 * ```ts
 * const { leaderEpoch, endOffset } = await client.offsetForLeaderEpoch({ topic: "orders", partition: 0, leaderEpoch: 3, currentLeaderEpoch: 4 });
 * ```
 */
export interface ReplicaFetchClient {
  /** A replica fetch; an aborted `signal` ends it with a rejection (the leader may still answer into the void). */
  fetch(request: ReplicaFetchRequest, signal?: AbortSignal): Promise<ReplicaFetchResponse>;
  offsetForLeaderEpoch(request: OffsetForLeaderEpochRequest, signal?: AbortSignal): Promise<OffsetForLeaderEpochResponse>;
  /** Releases the connection; calls after it reject. */
  close(): void;
}

/**
 * Makes the client of a leader broker (the WebSocket adapter dials `broker.url`).
 *
 * @example
 * ```ts
 * const factory: ReplicaFetchClientFactory = (broker) => webSocketReplicaClient(broker.url, { brokerId: 3 });
 * ```
 */
export type ReplicaFetchClientFactory = (broker: BrokerInfo) => ReplicaFetchClient;

/**
 * What a leader answers: the server side of the port, which the broker's `replicaFetch` and
 * `offsetForLeaderEpoch` operations call (the `ReplicaManager` is one).
 *
 * @example
 * ```ts
 * const reply = await server.handleReplicaFetch(request, session.signal);
 * ```
 */
export interface ReplicaFetchServer {
  handleReplicaFetch(request: ReplicaFetchRequest, signal?: AbortSignal): Promise<ReplicaFetchResponse>;
  handleOffsetForLeaderEpoch(request: OffsetForLeaderEpochRequest): Promise<OffsetForLeaderEpochResponse>;
}
