/**
 * What handlers and subscriptions see of the session they serve: its identity, its subscriptions,
 * and output that respects the socket's buffer (send, whether it is writable, waiting for drain).
 *
 * @example
 * ```ts
 * if (!session.writable()) await session.waitForDrain();
 * session.send(recordsPush({ ... }), "cbor");
 * ```
 * @module
 */
import type { BatchSize } from "../protocol/flow-credit.ts";
import type { FrameFormat } from "../protocol/frame-codec.ts";

/**
 * A push stream a session holds under a subscription id: a partition subscription
 * (`subscription.ts`) or a group subscription (`group-subscription.ts`). `credit` and `unsubscribe`
 * address either.
 *
 * @example
 * ```ts
 * const sub: SessionSubscription | undefined = session.subscriptions.get(request.sub);
 * sub?.grant(100, 1 << 20);
 * ```
 */
export interface SessionSubscription {
  readonly id: number;
  /** Whether the stream has ended. */
  readonly stopped: boolean;
  /** Adds credit and wakes the stream; returns the credit now available. */
  grant(records: number, bytes: number): BatchSize;
  /** Ends the stream without a push; returns the position to resume from (-1 for a group subscription). */
  stop(): number;
}

/**
 * One WebSocket session, as its handlers use it.
 *
 * @example
 * ```ts
 * const sub = session.subscriptions.get(request.sub);
 * session.signal.addEventListener("abort", () => sub?.stop());
 * ```
 */
export interface SessionScope {
  /** Unique among the broker's sessions. */
  readonly id: number;
  readonly remoteAddress: string | undefined;
  /** The client id announced by `hello`, when any. */
  clientId: string | undefined;
  /** Aborted when the session ends. */
  readonly signal: AbortSignal;
  /** The session's subscriptions by id. */
  readonly subscriptions: Map<number, SessionSubscription>;
  /** The id for the next subscription. */
  nextSubscriptionId(): number;
  /** Encodes and sends a frame; does nothing once the session has ended. */
  send(frame: object, format: FrameFormat): void;
  /** Whether the socket's unsent output is at or below the high-water mark. */
  writable(): boolean;
  /**
   * Runs `section` after every section started before it on this session has settled. Produce
   * queues its appends inside a section, so one session's appends keep the order of its requests
   * while their completions (and acks waits) overlap.
   */
  inOrder<T>(section: () => Promise<T>): Promise<T>;
  /** Resolves when the socket drains, the session ends, or a fallback poll interval passes. */
  waitForDrain(): Promise<void>;
}
