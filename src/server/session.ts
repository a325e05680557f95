/**
 * One WebSocket connection: decodes frames, dispatches each request to its op's handler, replies in
 * the format the request came in (CBOR for binary, JSON for text), and keeps the connection's rules
 * and limits: `hello` first and once, frame size (close 1009), requests in flight, the idle timeout,
 * and the subscriptions it holds.
 *
 * Idle timeout: a connection that has sent no frame for `connections.max.idle.ms`, and has no
 * request in flight and no subscription, is closed with 1001. Liveness of quiet connections that
 * hold subscriptions is the runtime adapter's job: it sends WebSocket pings every
 * `edgelog.websocket.ping.interval.ms` and drops a peer that stops answering.
 *
 * Requests run concurrently and replies may come out of order (clients match them by `id`); produce
 * requests pass through {@link Session.inOrder}, so appends of one session still reach each
 * partition in the order their requests arrived. Nothing a client sends can end the process: every
 * handler's failure becomes an error reply.
 *
 * @example
 * ```ts
 * const session = new Session({ id: 1, socket, broker: ctx, onEnd: (s) => sessions.delete(s) });
 * const handlers = session.handlers();
 * handlers.onMessage('{"id":1,"op":"metadata"}');
 * ```
 * @module
 */
import { EdgelogError } from "../core/errors.ts";
import type { TimerHandle } from "../core/ports/clock.ts";
import { utf8Length } from "../core/record/record.ts";
import { decodeEnvelope, errorFrame, requestIdOf, type RequestId } from "../protocol/envelope.ts";
import { decodeFrame, encodeFrame, encodeFrameTransient, formatOf, type FrameFormat } from "../protocol/frame-codec.ts";
import { decodeBrokerRequest, isOpName } from "../protocol/ops/index.ts";
import type { BrokerContext } from "./broker-context.ts";
import { HANDLERS, INTERNAL_HANDLERS } from "./handlers/index.ts";
import type { RequestScope } from "./handlers/handler.ts";
import { CLOSE_CODES, type SessionHandlers, type SessionSocket } from "./session-socket.ts";
import type { SessionScope, SessionSubscription } from "./session-scope.ts";

/**
 * Unsent output (bytes) above which pushes pause until the socket drains.
 *
 * @example
 * ```ts
 * const writable = socket.bufferedAmount() <= SEND_HIGH_WATER_BYTES;
 * ```
 */
export const SEND_HIGH_WATER_BYTES = 1024 * 1024;

/** How often a paused push looks at the socket again when no drain event comes. */
const DRAIN_POLL_MS = 250;

/**
 * What a {@link Session} needs.
 *
 * @example
 * ```ts
 * const options: SessionOptions = { id: 1, socket, broker: ctx, onEnd: (s) => sessions.delete(s) };
 * ```
 */
export interface SessionOptions {
  id: number;
  socket: SessionSocket;
  broker: BrokerContext;
  remoteAddress?: string;
  /** Called once when the session has ended, whoever closed it. */
  onEnd: (session: Session) => void;
}

/**
 * A connection's state and request loop; see the module documentation.
 *
 * @example
 * ```ts
 * const handlers = new Session({ id, socket, broker, onEnd }).handlers();
 * ```
 */
export class Session implements SessionScope {
  readonly id: number;
  readonly remoteAddress: string | undefined;
  clientId: string | undefined;
  readonly subscriptions = new Map<number, SessionSubscription>();
  private readonly socket: SessionSocket;
  private readonly broker: BrokerContext;
  private readonly onEnd: (session: Session) => void;
  private readonly abort = new AbortController();
  private inFlight = 0;
  private subscriptionIds = 0;
  private lastInbound: number;
  private hello: "none" | "pending" | "done" = "none";
  private timer: TimerHandle | undefined;
  private drainWaiters: (() => void)[] = [];
  private orderTail: Promise<void> = Promise.resolve();
  /** Sections passed to {@link inOrder} that have not settled. */
  private ordered = 0;

  constructor(options: SessionOptions) {
    this.id = options.id;
    this.socket = options.socket;
    this.broker = options.broker;
    this.remoteAddress = options.remoteAddress;
    this.onEnd = options.onEnd;
    this.lastInbound = this.broker.clock.monotonic();
    this.schedule();
  }

  /** Aborted when the session ends. */
  get signal(): AbortSignal {
    return this.abort.signal;
  }

  /** Whether the session has ended. */
  get ended(): boolean {
    return this.abort.signal.aborted;
  }

  /** Requests received and not yet answered. */
  get requestsInFlight(): number {
    return this.inFlight;
  }

  /** The callbacks for the runtime adapter. */
  handlers(): SessionHandlers {
    return {
      onMessage: (data) => this.onMessage(data),
      onDrain: () => this.onDrain(),
      onClose: () => this.end(),
    };
  }

  nextSubscriptionId(): number {
    return ++this.subscriptionIds;
  }

  send(frame: object, format: FrameFormat): void {
    if (this.ended) return;
    const copied = format === "cbor" && this.socket.sendCopied !== undefined;
    let data: Uint8Array | string;
    try {
      data = copied ? encodeFrameTransient(frame) : encodeFrame(frame, format);
    } catch (error) {
      this.broker.logger("error", `Session ${this.id}: cannot encode a frame: ${String(error)}`);
      return;
    }
    try {
      if (copied) this.socket.sendCopied!(data as Uint8Array);
      else this.socket.send(data);
    } catch (error) {
      this.broker.logger("warn", `Session ${this.id}: send failed, closing: ${String(error)}`);
      this.close(CLOSE_CODES.INTERNAL_ERROR, "Send failed");
    }
  }

  writable(): boolean {
    return this.socket.bufferedAmount() <= SEND_HIGH_WATER_BYTES;
  }

  waitForDrain(): Promise<void> {
    if (this.ended) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = this.broker.clock.setTimer(DRAIN_POLL_MS, () => done());
      const done = (): void => {
        this.broker.clock.clearTimer(timer);
        this.drainWaiters = this.drainWaiters.filter((w) => w !== done);
        resolve();
      };
      this.drainWaiters.push(done);
    });
  }

  /** Closes the connection from the broker's side and ends the session. */
  close(code: number, reason: string): void {
    if (this.ended) return;
    this.end();
    try {
      this.socket.close(code, reason);
    } catch {
      // The socket is already gone.
    }
  }

  private onMessage(data: Uint8Array | string): void {
    if (this.ended) return;
    const received = this.broker.clock.monotonic();
    this.lastInbound = received;
    if (frameSize(data, this.broker.config.socketRequestMaxBytes) > this.broker.config.socketRequestMaxBytes) {
      this.close(CLOSE_CODES.MESSAGE_TOO_BIG, `Frame larger than socket.request.max.bytes (${this.broker.config.socketRequestMaxBytes})`);
      return;
    }
    const format = formatOf(data);
    let frame: unknown;
    let id: RequestId | null = null;
    let op = "invalid";
    try {
      frame = decodeFrame(data);
      id = requestIdOf(frame);
      op = decodeEnvelope(frame).op;
    } catch (error) {
      this.send(errorFrame(id, error), format);
      return;
    }
    const refusal = this.helloRule(op);
    if (refusal !== undefined) {
      this.send(errorFrame(id, new EdgelogError("INVALID_REQUEST", refusal)), format);
      return;
    }
    if (this.broker.closing) {
      this.send(errorFrame(id, new EdgelogError("BROKER_NOT_AVAILABLE", "The broker is shutting down")), format);
      return;
    }
    if (this.inFlight >= this.broker.limits.maxInFlight) {
      const limit = this.broker.limits.maxInFlight;
      this.send(
        errorFrame(
          id,
          new EdgelogError("RESOURCE_LIMIT_EXCEEDED", `More than ${limit} requests in flight on this connection`, {
            details: { limit: IN_FLIGHT_KEY, value: limit },
          }),
        ),
        format,
      );
      return;
    }
    this.inFlight++;
    // one reaction per request (not a catch and a finally): this runs for every frame
    this.dispatch(frame, id, op, format).then(
      () => this.finished(op, received),
      (error: unknown) => {
        this.broker.logger("error", `Session ${this.id}: ${op} failed: ${describeError(error)}`);
        this.send(errorFrame(id, error), format);
        this.finished(op, received);
      },
    );
  }

  /** Accounts for a request that has been answered (or failed). */
  private finished(op: string, received: number): void {
    this.inFlight--;
    // Only known ops get a histogram: a client cannot grow the label set.
    if (isOpName(op)) this.broker.metrics.observeLatency(op, (this.broker.clock.monotonic() - received) / 1000);
  }

  private async dispatch(frame: unknown, id: RequestId | null, op: string, format: FrameFormat): Promise<void> {
    const after: (() => void)[] = [];
    const scope: RequestScope = { broker: this.broker, session: this, format, afterReply: (callback) => after.push(callback) };
    let reply: object | undefined;
    let failed = false;
    try {
      const request = decodeBrokerRequest(frame);
      const handler = (Object.hasOwn(HANDLERS, request.op) ? HANDLERS[request.op as keyof typeof HANDLERS] : INTERNAL_HANDLERS[request.op as keyof typeof INTERNAL_HANDLERS]) as (
        r: typeof request,
        s: RequestScope,
      ) => Promise<object | undefined>;
      reply = await handler(request, scope);
    } catch (error) {
      if (!(error instanceof EdgelogError)) this.broker.logger("error", `Session ${this.id}: ${op} failed: ${describeError(error)}`);
      reply = errorFrame(id, error);
      failed = true;
    }
    if (op === "hello") this.hello = failed ? "none" : "done";
    if (reply !== undefined) this.send(reply, format);
    for (const callback of after) callback();
  }

  inOrder<T>(section: () => Promise<T>): Promise<T> {
    // With no section pending, this one starts at once (its synchronous part runs before returning).
    let result: Promise<T>;
    if (this.ordered > 0) result = this.orderTail.then(section);
    else {
      try {
        result = section();
      } catch (error) {
        result = Promise.reject(error);
      }
    }
    this.ordered++;
    const settled = (): void => {
      this.ordered--;
    };
    this.orderTail = result.then(settled, settled);
    return result;
  }

  private onDrain(): void {
    const waiters = this.drainWaiters;
    this.drainWaiters = [];
    for (const waiter of waiters) waiter();
  }

  /**
   * Why a request may not run given where the connection stands with `hello`, or undefined. A
   * `hello` being answered counts as received, so a client may pipeline requests behind it.
   */
  private helloRule(op: string): string | undefined {
    if (op === "hello") {
      if (this.hello !== "none") return "hello was already received on this connection";
      this.hello = "pending";
      return undefined;
    }
    if (this.hello === "none") return "hello required: the first request on a connection must be hello";
    return undefined;
  }

  /** Arms the idle timer for the moment the connection would have been silent too long. */
  private schedule(): void {
    const idleMs = this.broker.config.connectionsMaxIdleMs;
    if (!(idleMs > 0)) return;
    const due = this.lastInbound + idleMs;
    this.timer = this.broker.clock.setTimer(Math.max(1, due - this.broker.clock.monotonic()), () => this.tick());
  }

  private tick(): void {
    this.timer = undefined;
    if (this.ended) return;
    const idleMs = this.broker.config.connectionsMaxIdleMs;
    const now = this.broker.clock.monotonic();
    if (now - this.lastInbound >= idleMs) {
      // A connection waiting on a long poll or holding subscriptions is busy, not idle.
      if (this.inFlight === 0 && this.subscriptions.size === 0) {
        this.close(CLOSE_CODES.GOING_AWAY, `Idle for connections.max.idle.ms (${idleMs} ms)`);
        return;
      }
      this.lastInbound = now;
    }
    this.schedule();
  }

  /** Ends the session: stops subscriptions, long polls and timers, and tells the broker. */
  private end(): void {
    if (this.ended) return;
    this.abort.abort();
    if (this.timer !== undefined) this.broker.clock.clearTimer(this.timer);
    this.timer = undefined;
    for (const subscription of [...this.subscriptions.values()]) subscription.stop();
    this.onDrain();
    this.onEnd(this);
  }
}

/** The config key of the in-flight limit, named in RESOURCE_LIMIT_EXCEEDED details. */
const IN_FLIGHT_KEY = "edgelog.max.in.flight.requests.per.connection";

/** Bytes of a message; for text, exact only when it could matter against `limit`. */
function frameSize(data: Uint8Array | string, limit: number): number {
  if (typeof data !== "string") return data.byteLength;
  if (data.length * 3 <= limit || data.length > limit) return data.length;
  return utf8Length(data);
}

function describeError(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}
