/**
 * One client connection to an edgelog broker over the standard `WebSocket`, speaking protocol v1
 * (docs/protocol.md) in CBOR frames through `src/protocol`'s codec.
 *
 * - Bootstrap: the addresses are tried in turn (`host:port` or `ws(s)://` URLs) with subprotocol
 *   `edgelog.v1`; the first that opens and answers `hello` wins. A round of failures waits a backoff
 *   and tries again, up to `retry.retries` rounds.
 * - Requests carry an id and are matched to their reply by it; a request without a reply within its
 *   timeout fails with `REQUEST_TIMED_OUT`, and, as Kafka's client disconnects a node after a request
 *   timeout, the socket is then taken for dead (close code 4008): a broker cut off by the network
 *   sends no close, and its connection would otherwise look open for as long as TCP takes to give
 *   up. At most hello's `limits.maxInFlight` requests are
 *   unanswered at a time (more wait), and a frame over `limits.maxFrameBytes` fails with
 *   `MESSAGE_TOO_LARGE` before it is sent.
 * - Error replies become `EdgelogError`s with the broker's code and retriable flag.
 * - Pushes go to the handler routed for their subscription id; pushes without one (a consumer-group
 *   member's `assignment`) go to the `push` listeners.
 * - When an open connection closes, requests without a reply fail with the retriable
 *   `NETWORK_EXCEPTION` (their outcome is unknown), routes are dropped (subscriptions end with the
 *   connection), listeners hear `disconnect`, and the connection reconnects with backoff, says
 *   `hello` again and emits `connect` with `reconnected: true` so that subscribers can subscribe
 *   again from where they were. Requests made meanwhile wait for the new connection.
 *
 * @example
 * ```ts
 * import { Connection } from "./connection.ts";
 * const connection = new Connection({ brokers: ["localhost:9092"], clientId: "demo" });
 * const hello = await connection.connect();
 * const metadata = await connection.request<MetadataResponse>("metadata", { topics: ["orders"] });
 * await connection.close();
 * ```
 * @module
 */
import { asEdgelogError, EdgelogError } from "../core/errors.ts";
import { decodeFrame, encodeFrame } from "../protocol/frame-codec.ts";
import type { HelloResponse } from "../protocol/index.ts";
import { isPushFrame, type PushFrame } from "../protocol/push.ts";
import { PROTOCOL_VERSIONS } from "../protocol/version.ts";
import {
  CLIENT_SOFTWARE,
  type ConnectionEvents,
  type ConnectionOptions,
  type RequestOptions,
  type ResolvedConnectionOptions,
  resolveConnectionOptions,
} from "./connection-options.ts";
import { EventListeners } from "./event-listeners.ts";
import { closeGracefully, closeQuietly, closeText, openSocket } from "./open-socket.ts";
import { PendingRequests } from "./pending-requests.ts";
import { backoffDelay } from "./retry.ts";
import { WakeSignal } from "./wake-signal.ts";
import type { SocketEvent, WebSocketLike } from "./websocket-like.ts";

type State = "idle" | "connecting" | "ready" | "reconnecting" | "failed" | "closed";

const CLOSE_GRACE_MS = 1000;
/** The close code of a socket given up after a request timeout (4000–4999: the application's own). */
const UNRESPONSIVE_CODE = 4008;
const OPEN = 1;

/**
 * A connection to one broker of a bootstrap list that reconnects by itself; see the module
 * documentation.
 *
 * @example
 * ```ts
 * const connection = new Connection({ brokers: ["ws://localhost:9092/"] });
 * connection.on("connect", ({ reconnected }) => { if (reconnected) resubscribe(); });
 * const reply = await connection.request<FetchResponse>("fetch", { topic: "t", partition: 0, offset: 0 });
 * ```
 */
export class Connection {
  readonly #options: ResolvedConnectionOptions;
  #state: State = "idle";
  #socket: WebSocketLike | undefined;
  readonly #opening = new Set<WebSocketLike>();
  #url: string | undefined;
  #hello: HelloResponse | undefined;
  #brokerIndex = 0;
  #failure: EdgelogError | undefined;
  #connecting: Promise<HelloResponse> | undefined;
  /** Woken when a request may go out: connected, closed, or a reply freed a slot. */
  readonly #changed = new WakeSignal();
  /** Woken by close(), to cut a backoff short. */
  readonly #closing = new WakeSignal();
  readonly #pending = new PendingRequests(
    () => this.#changed.wake(),
    (socket, why) => this.#unresponsive(socket, why),
  );
  readonly #routes = new Map<number, (push: PushFrame) => void>();
  readonly #events = new EventListeners<ConnectionEvents>();

  /**
   * Checks the options; connects on {@link connect} or the first request.
   *
   * @example
   * ```ts
   * new Connection({ brokers: [] }); // throws TypeError: at least one broker address
   * ```
   */
  constructor(options: ConnectionOptions) {
    this.#options = resolveConnectionOptions(options);
  }

  /**
   * Whether a connection is open and has said hello.
   *
   * @example
   * ```ts
   * if (!connection.ready) console.log("reconnecting…");
   * ```
   */
  get ready(): boolean {
    return this.#state === "ready";
  }

  /**
   * The latest `hello` reply: the broker's limits, features and ops.
   *
   * @example
   * ```ts
   * connection.hello?.limits.maxMessageBytes;
   * ```
   */
  get hello(): HelloResponse | undefined {
    return this.#hello;
  }

  /**
   * The URL of the broker connected to (or last connected to).
   *
   * @example
   * ```ts
   * console.log(`connected to ${connection.url}`);
   * ```
   */
  get url(): string | undefined {
    return this.#url;
  }

  /**
   * Connects (once; later calls share the attempt) and resolves with the `hello` reply. Rejects with
   * `NETWORK_EXCEPTION` when no broker answered within `retry.retries` rounds, or with the broker's
   * error (e.g. `UNSUPPORTED_VERSION`).
   *
   * @example
   * ```ts
   * const hello = await connection.connect();
   * console.log(hello.brokerId, hello.features);
   * ```
   */
  connect(): Promise<HelloResponse> {
    if (this.#state === "closed") return Promise.reject(closedError());
    if (this.#state === "ready") return Promise.resolve(this.#hello!);
    if (this.#connecting === undefined) {
      const reconnect = this.#state === "reconnecting";
      this.#state = reconnect ? "reconnecting" : "connecting";
      this.#failure = undefined;
      const attempt = this.#establish(reconnect ? this.#options.reconnectRetries : this.#options.retry.retries, reconnect);
      this.#connecting = attempt;
      attempt.then(
        () => (this.#connecting = undefined),
        (error: unknown) => {
          this.#connecting = undefined;
          if (this.#state === "closed") return;
          this.#state = "failed";
          this.#failure = asEdgelogError(error, "NETWORK_EXCEPTION");
          this.#changed.wake();
          if (reconnect) this.#events.emit("error", this.#failure);
        },
      );
    }
    return this.#connecting;
  }

  /**
   * Sends a request and resolves with its reply; see {@link RequestOptions}. Connects first when
   * needed. Fails with the broker's error reply, `REQUEST_TIMED_OUT`, `NETWORK_EXCEPTION` (the
   * connection closed before the reply: the outcome is unknown) or `MESSAGE_TOO_LARGE` (the frame
   * exceeds the broker's `maxFrameBytes`; nothing was sent).
   *
   * @example
   * ```ts
   * const reply = await connection.request<ListOffsetsResponse>("listOffsets", {
   *   topic: "orders", partitions: [{ partition: 0, timestamp: "latest" }],
   * });
   * ```
   */
  async request<T = Record<string, unknown>>(op: string, body: Record<string, unknown>, options: RequestOptions<T> = {}): Promise<T> {
    const timeoutMs = options.timeoutMs ?? this.#options.requestTimeoutMs;
    const deadline = Date.now() + timeoutMs;
    const attempt = { connecting: false };
    let socket: WebSocketLike | undefined;
    while ((socket = this.#writable(true, attempt)) === undefined) await this.#waitForChange(op, deadline);
    // From the check above to the send nothing awaits: the slot counted is the one taken.
    return this.#exchange<T>(socket, op, body, deadline - Date.now(), `No reply to ${op} within ${timeoutMs} ms`, options.onReply);
  }

  /**
   * Sends a request that gets no reply (`produce` with `acks: 0`); resolves once it is handed to the
   * WebSocket. Fails like {@link request} while waiting for a connection.
   *
   * @example
   * ```ts
   * await connection.send("produce", { acks: 0, topic: "metrics", partitions: [{ partition: 0, batches }] });
   * ```
   */
  async send(op: string, body: Record<string, unknown>, options: { timeoutMs?: number } = {}): Promise<void> {
    const deadline = Date.now() + (options.timeoutMs ?? this.#options.requestTimeoutMs);
    const attempt = { connecting: false };
    let socket: WebSocketLike | undefined;
    while ((socket = this.#writable(false, attempt)) === undefined) await this.#waitForChange(op, deadline);
    const bytes = this.#encode(op, { ...body, id: this.#pending.nextId(), op });
    try {
      socket.send(bytes);
    } catch (error) {
      throw new EdgelogError("NETWORK_EXCEPTION", `Cannot send ${op}: ${describe(error)}`, { cause: error });
    }
  }

  /**
   * A new connection to one broker of the cluster (a URL from `metadata`) with this connection's
   * client id, WebSocket class and timeouts. It tries one round of connecting and does not reconnect
   * after it closes: whoever uses it looks up the cluster again instead (`broker-pool.ts`).
   *
   * @example
   * ```ts
   * const leader = bootstrap.forBroker("ws://10.0.0.2:9092/");
   * await leader.request("produce", body);
   * ```
   */
  forBroker(url: string): Connection {
    const o = this.#options;
    return new Connection({
      brokers: [url],
      ...(o.clientId === undefined ? {} : { clientId: o.clientId }),
      WebSocket: o.WebSocket,
      connectionTimeoutMs: o.connectionTimeoutMs,
      requestTimeoutMs: o.requestTimeoutMs,
      retry: { ...o.retry, retries: 0 },
      reconnectRetries: 0,
    });
  }

  /**
   * Routes the pushes of subscription `sub` on the current connection to `handler`. Routes end when
   * the connection closes; call it from `onReply` of the `subscribe` request so that no push is missed.
   *
   * @example
   * ```ts
   * connection.route(reply.sub, (push) => (push.push === "records" ? onRecords(push) : onError(push)));
   * ```
   */
  route(sub: number, handler: (push: PushFrame) => void): void {
    this.#routes.set(sub, handler);
  }

  /**
   * Stops routing pushes of `sub` (after `unsubscribe` or an error push).
   *
   * @example
   * ```ts
   * connection.unroute(sub);
   * ```
   */
  unroute(sub: number): void {
    this.#routes.delete(sub);
  }

  /**
   * Listens to an event; returns the function that stops listening.
   *
   * @example
   * ```ts
   * const off = connection.on("connect", ({ reconnected }) => reconnected && resubscribe());
   * off();
   * ```
   */
  on<K extends keyof ConnectionEvents>(event: K, listener: (event: ConnectionEvents[K]) => void): () => void {
    return this.#events.on(event, listener);
  }

  /**
   * Closes the connection for good: pending requests fail with `NETWORK_EXCEPTION`, reconnecting
   * stops. Resolves once the WebSocket has closed (or after a short grace period).
   *
   * @example
   * ```ts
   * await connection.close();
   * ```
   */
  async close(): Promise<void> {
    if (this.#state === "closed") return;
    this.#state = "closed";
    this.#closing.wake();
    const socket = this.#socket;
    this.#socket = undefined;
    this.#routes.clear();
    this.#pending.fail(closedError());
    this.#changed.wake();
    for (const opening of [...this.#opening]) closeQuietly(opening, 1000, "Client closing");
    if (socket !== undefined) await closeGracefully(socket, CLOSE_GRACE_MS);
  }

  /** Tries the brokers in rounds until one says hello, waiting a backoff between rounds. */
  async #establish(maxRounds: number, reconnected: boolean): Promise<HelloResponse> {
    let lastError: EdgelogError | undefined;
    for (let round = 0; ; round++) {
      if (round > 0 || reconnected) {
        await this.#closing.wait(backoffDelay(round === 0 ? 0 : round - (reconnected ? 0 : 1), this.#options.retry));
      }
      for (let i = 0; i < this.#options.urls.length; i++) {
        if (this.#isClosed()) throw closedError();
        const index = (this.#brokerIndex + i) % this.#options.urls.length;
        const url = this.#options.urls[index]!;
        try {
          const hello = await this.#open(url);
          this.#brokerIndex = index;
          this.#events.emit("connect", { url, hello, reconnected });
          return hello;
        } catch (error) {
          if (this.#isClosed()) throw closedError();
          lastError = asEdgelogError(error, "NETWORK_EXCEPTION");
          if (!lastError.retriable) throw lastError;
        }
      }
      if (round >= maxRounds) {
        throw new EdgelogError(
          "NETWORK_EXCEPTION",
          `Cannot connect to ${this.#options.urls.join(", ")}${lastError ? `: ${lastError.message}` : ""}`,
          { cause: lastError },
        );
      }
    }
  }

  /** Opens one WebSocket and says hello on it; on success it becomes the current connection. */
  async #open(url: string): Promise<HelloResponse> {
    const deadline = Date.now() + this.#options.connectionTimeoutMs;
    const attempt = openSocket(this.#options.WebSocket, url, this.#options.connectionTimeoutMs, {
      onMessage: (data) => this.#onMessage(attempt.socket, data),
      onClose: (event) => this.#onClose(attempt.socket, url, event),
    });
    const socket = attempt.socket;
    this.#opening.add(socket);
    try {
      await attempt.opened;
      if (this.#isClosed()) throw closedError();
      const body: Record<string, unknown> = { versions: [...PROTOCOL_VERSIONS], software: CLIENT_SOFTWARE };
      if (this.#options.clientId !== undefined) body["clientId"] = this.#options.clientId;
      const hello = await this.#exchange<HelloResponse>(
        socket,
        "hello",
        body,
        deadline - Date.now(),
        `No hello from ${url} within ${this.#options.connectionTimeoutMs} ms`,
      );
      if (this.#isClosed()) throw closedError();
      this.#opening.delete(socket);
      this.#socket = socket;
      this.#hello = hello;
      this.#url = url;
      this.#state = "ready";
      this.#changed.wake();
      return hello;
    } catch (error) {
      this.#opening.delete(socket);
      closeQuietly(socket);
      throw error;
    }
  }

  /** Sends one request on `socket` and waits for its reply (or the timeout). */
  #exchange<T>(
    socket: WebSocketLike,
    op: string,
    body: Record<string, unknown>,
    timeoutMs: number,
    timeoutMessage: string,
    onReply?: (reply: T) => void,
  ): Promise<T> {
    const id = this.#pending.nextId();
    let bytes: Uint8Array;
    try {
      bytes = this.#encode(op, { ...body, id, op });
    } catch (error) {
      return Promise.reject(error);
    }
    const reply = this.#pending.add<T>(id, socket, timeoutMs, timeoutMessage, onReply);
    try {
      socket.send(bytes);
    } catch (error) {
      this.#pending.reject(id, new EdgelogError("NETWORK_EXCEPTION", `Cannot send ${op}: ${describe(error)}`, { cause: error }));
    }
    return reply;
  }

  /**
   * A request sent on `socket` got no reply in time: as Kafka's client disconnects a node after a
   * request timeout, the socket is taken for dead (a broker cut off by the network sends no close),
   * so that what waits on it fails now and the connection reconnects, or its users look elsewhere.
   */
  #unresponsive(socket: WebSocketLike, why: string): void {
    if (socket !== this.#socket || this.#url === undefined) return;
    this.#onClose(socket, this.#url, { code: UNRESPONSIVE_CODE, reason: why });
    closeQuietly(socket, UNRESPONSIVE_CODE, "No reply in time");
  }

  #onMessage(socket: WebSocketLike, data: unknown): void {
    if (socket !== this.#socket && !this.#opening.has(socket)) return;
    let frame: unknown;
    try {
      if (typeof data !== "string" && !(data instanceof ArrayBuffer) && !(data instanceof Uint8Array)) return;
      frame = decodeFrame(data);
    } catch {
      return;
    }
    if (typeof frame !== "object" || frame === null || Array.isArray(frame)) return;
    if (isPushFrame(frame)) {
      const push = frame as PushFrame;
      if (typeof push.sub === "number") this.#routes.get(push.sub)?.(push);
      else this.#events.emit("push", frame as ConnectionEvents["push"]); // e.g. a group member's assignment
      return;
    }
    this.#pending.settle(frame as Record<string, unknown>);
  }

  /** The current connection closed: fail what waits on it and reconnect. */
  #onClose(socket: WebSocketLike, url: string, event: SocketEvent): void {
    const error = new EdgelogError("NETWORK_EXCEPTION", `Connection to ${url} closed${closeText(event)} before the reply; the outcome is unknown`);
    if (this.#opening.has(socket)) {
      this.#pending.fail(error, socket); // its hello
      return;
    }
    if (socket !== this.#socket) return;
    this.#socket = undefined;
    this.#routes.clear();
    const code = event.code ?? 1006;
    this.#pending.fail(error);
    if (this.#state === "closed") return;
    this.#state = "reconnecting";
    this.#events.emit("disconnect", { url, code, reason: event.reason ?? "" });
    if (!this.#isClosed()) void this.connect().catch(() => undefined);
  }

  /**
   * The socket to send a request on now, or undefined when it must wait: not connected, or (when
   * `counted`) hello's maxInFlight requests are unanswered. Not connected yet, or failed to connect
   * before, it starts connecting (a request tries once more after a failure, then fails with it).
   * Throws once closed.
   */
  #writable(counted: boolean, attempt: { connecting: boolean }): WebSocketLike | undefined {
    if (this.#state === "closed") throw closedError();
    if (this.#state === "failed" && attempt.connecting) throw this.#failure ?? closedError();
    if (this.#state === "failed" || this.#state === "idle") {
      attempt.connecting = true;
      void this.connect().catch(() => undefined);
    }
    const socket = this.#socket;
    if (this.#state !== "ready" || socket === undefined || socket.readyState !== OPEN) return undefined;
    const max = this.#hello?.limits?.maxInFlight ?? Infinity;
    return !counted || this.#pending.size < max ? socket : undefined;
  }

  /** Waits for a change (connected, closed, a reply) or fails with REQUEST_TIMED_OUT at the deadline. */
  async #waitForChange(op: string, deadline: number): Promise<void> {
    const left = deadline - Date.now();
    if (left <= 0) {
      throw new EdgelogError(
        "REQUEST_TIMED_OUT",
        this.#state === "ready" ? `No room to send ${op}: too many requests in flight` : `No connection to a broker to send ${op} on`,
      );
    }
    await this.#changed.wait(left);
  }

  #encode(op: string, frame: Record<string, unknown>): Uint8Array {
    const bytes = encodeFrame(frame, "cbor");
    const max = this.#hello?.limits?.maxFrameBytes;
    if (max !== undefined && bytes.length > max) {
      throw new EdgelogError("MESSAGE_TOO_LARGE", `The ${op} frame is ${bytes.length} bytes, over the broker's limit of ${max}`);
    }
    return bytes;
  }

  /** Read through a method: TypeScript narrows the field across awaits and callbacks. */
  #isClosed(): boolean {
    return this.#state === "closed";
  }
}

function closedError(): EdgelogError {
  return new EdgelogError("NETWORK_EXCEPTION", "The client closed the connection");
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
