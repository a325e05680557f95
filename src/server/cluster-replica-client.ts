/**
 * The broker-to-broker {@link ReplicaFetchClient}: one WebSocket from a follower broker to a leader
 * broker's listener, on which the follower's `replicaFetch` and `offsetForLeaderEpoch` requests
 * (broker-internal ops, `docs/protocol.md` §14) travel as CBOR frames, pipelined and matched by id.
 *
 * - The socket is opened on the first call (`hello` first, as every connection starts) and opened
 *   again on the next call after it closed. A connection that cannot be opened, closes, or does not
 *   answer within the request's long poll plus {@link REPLICA_REQUEST_TIMEOUT_MS} rejects the
 *   requests on it with NETWORK_EXCEPTION (retriable: the follower backs off and tries again).
 * - The leader's error replies become `EdgelogError`s with the leader's code, message and details
 *   (OFFSET_OUT_OF_RANGE carries `logStartOffset` and `logEndOffset`).
 * - An aborted signal rejects its call at once with NETWORK_EXCEPTION; a late reply is dropped.
 *
 * The WebSocket class is injected: the runtime's global one (Bun, Deno, Node ≥ 22) or, on Node 20,
 * the `ws` package's, which the adapters supply (`src/adapters/runtime-websocket.ts`).
 *
 * @example
 * ```ts
 * const factory: ReplicaFetchClientFactory = (leader) => webSocketReplicaClient(leader.url, { WebSocket, brokerId: 3 });
 * const reply = await factory({ id: 1, url: "ws://b1:9092" }).fetch(request, signal);
 * ```
 * @module
 */
import { fromWireError } from "../protocol/wire-error.ts";
import { EdgelogError } from "../core/errors.ts";
import { systemClock, type Clock, type TimerHandle } from "../core/ports/clock.ts";
import type {
  OffsetForLeaderEpochRequest,
  OffsetForLeaderEpochResponse,
  ReplicaFetchClient,
  ReplicaFetchRequest,
  ReplicaFetchResponse,
} from "../core/replication/replica-transport.ts";
import { decodeFrame, encodeFrame } from "../protocol/frame-codec.ts";
import { isPlainMap } from "../protocol/fields.ts";
import { decodeOffsetForLeaderEpochResponse } from "../protocol/ops/offset-for-leader-epoch.ts";
import { decodeReplicaFetchResponse } from "../protocol/ops/replica-fetch.ts";
import { PROTOCOL_VERSIONS, SUBPROTOCOL } from "../protocol/version.ts";
import type { WebSocketConstructor, WebSocketLike } from "../protocol/websocket-like.ts";

/**
 * How long a request may go unanswered beyond its long poll (Kafka's replica.socket.timeout.ms);
 * opening a connection has the same limit.
 *
 * @example
 * ```ts
 * const deadline = request.maxWaitMs + REPLICA_REQUEST_TIMEOUT_MS;
 * ```
 */
export const REPLICA_REQUEST_TIMEOUT_MS = 30_000;

/**
 * Options of {@link webSocketReplicaClient}.
 *
 * @example
 * ```ts
 * const options: ReplicaClientOptions = { WebSocket: globalThis.WebSocket, brokerId: 3 };
 * ```
 */
export interface ReplicaClientOptions {
  WebSocket: WebSocketConstructor;
  /** The follower's own broker id (named in its `hello` client id). */
  brokerId: number;
  clock?: Clock;
  /** Default {@link REPLICA_REQUEST_TIMEOUT_MS}. */
  requestTimeoutMs?: number;
}

interface Pending {
  resolve(frame: Record<string, unknown>): void;
  reject(error: unknown): void;
}

interface Connection {
  socket: WebSocketLike;
  opened: Promise<void>;
  pending: Map<number, Pending>;
  closed: boolean;
}

/**
 * Creates the client of one leader broker; see the module documentation.
 *
 * @example
 * ```ts
 * const client = webSocketReplicaClient("ws://127.0.0.1:9092", { WebSocket, brokerId: 2 });
 * await client.offsetForLeaderEpoch({ topic: "orders", partition: 0, leaderEpoch: 3, currentLeaderEpoch: 4 });
 * client.close();
 * ```
 */
export function webSocketReplicaClient(url: string, options: ReplicaClientOptions): ReplicaFetchClient {
  const clock = options.clock ?? systemClock();
  const timeoutMs = options.requestTimeoutMs ?? REPLICA_REQUEST_TIMEOUT_MS;
  let connection: Connection | undefined;
  let nextId = 1;
  let closed = false;

  const networkError = (why: string, cause?: unknown): EdgelogError =>
    new EdgelogError("NETWORK_EXCEPTION", `Replica connection to ${url}: ${why}`, cause === undefined ? undefined : { cause });

  function fail(conn: Connection, error: EdgelogError): void {
    if (conn.closed) return;
    conn.closed = true;
    if (connection === conn) connection = undefined;
    for (const pending of conn.pending.values()) pending.reject(error);
    conn.pending.clear();
    try {
      conn.socket.close();
    } catch {
      // Not open yet, or closed already.
    }
  }

  function onMessage(conn: Connection, data: unknown): void {
    let frame: unknown;
    try {
      frame = decodeFrame(data as Uint8Array | ArrayBuffer | string);
    } catch (error) {
      fail(conn, networkError("the leader sent an undecodable frame", error));
      return;
    }
    if (!isPlainMap(frame) || typeof frame["id"] !== "number") return; // pushes: none are expected
    const pending = conn.pending.get(frame["id"]);
    if (pending === undefined) return; // answered after its caller gave up
    conn.pending.delete(frame["id"]);
    if (Object.hasOwn(frame, "error")) pending.reject(fromWireError(frame["error"]));
    else pending.resolve(frame);
  }

  /** Sends one request on `conn`; settles with its reply frame. */
  function send(conn: Connection, body: Record<string, unknown>, waitMs: number, signal?: AbortSignal): Promise<Record<string, unknown>> {
    if (conn.closed) return Promise.reject(networkError("the connection closed"));
    if (signal?.aborted) return Promise.reject(networkError("the request was aborted"));
    const id = nextId++;
    return new Promise((resolve, reject) => {
      let timer: TimerHandle | undefined;
      const onAbort = (): void => done(() => reject(networkError("the request was aborted")));
      const done = (settle: () => void): void => {
        conn.pending.delete(id);
        if (timer !== undefined) clock.clearTimer(timer);
        signal?.removeEventListener("abort", onAbort);
        settle();
      };
      conn.pending.set(id, { resolve: (frame) => done(() => resolve(frame)), reject: (error) => done(() => reject(error)) });
      timer = clock.setTimer(waitMs + timeoutMs, () => {
        timer = undefined;
        fail(conn, networkError(`no reply to ${String(body["op"])} within ${waitMs + timeoutMs} ms`));
      });
      signal?.addEventListener("abort", onAbort, { once: true });
      try {
        conn.socket.send(encodeFrame({ ...body, id }, "cbor"));
      } catch (error) {
        fail(conn, networkError("sending failed", error));
      }
    });
  }

  function open(): Connection {
    let socket: WebSocketLike;
    try {
      socket = new options.WebSocket(url, SUBPROTOCOL);
      socket.binaryType = "arraybuffer";
    } catch (error) {
      throw networkError(`cannot connect: ${error instanceof Error ? error.message : String(error)}`, error);
    }
    const conn: Connection = { socket, opened: Promise.resolve(), pending: new Map(), closed: false };
    conn.opened = new Promise<void>((resolve, reject) => {
      let isOpen = false;
      const timer = clock.setTimer(timeoutMs, () => {
        const error = networkError(`not open within ${timeoutMs} ms`);
        reject(error);
        fail(conn, error);
      });
      socket.onopen = () => {
        isOpen = true;
        clock.clearTimer(timer);
        resolve();
      };
      socket.onclose = (event: { code?: number; reason?: string }) => {
        clock.clearTimer(timer);
        const error = networkError(isOpen ? `closed with code ${event.code ?? "none"}` : "cannot connect");
        if (!isOpen) reject(error);
        fail(conn, error);
      };
      socket.onerror = () => {
        // A close event follows.
      };
    });
    conn.opened.catch(() => undefined);
    socket.onmessage = (event: { data?: unknown }) => onMessage(conn, event.data);
    return conn;
  }

  async function ready(): Promise<Connection> {
    if (closed) throw networkError("the client is closed");
    if (connection !== undefined && !connection.closed) {
      await connection.opened;
      return connection;
    }
    const conn = open();
    connection = conn;
    const hello = conn.opened.then(() =>
      send(conn, { op: "hello", versions: [...PROTOCOL_VERSIONS], clientId: `edgelog-replica-${options.brokerId}` }, 0),
    );
    conn.opened = hello.then(() => undefined);
    conn.opened.catch((error: unknown) => fail(conn, error instanceof EdgelogError && error.code === "NETWORK_EXCEPTION" ? error : networkError("hello failed", error)));
    await conn.opened;
    return conn;
  }

  async function call(body: Record<string, unknown>, waitMs: number, signal?: AbortSignal): Promise<Record<string, unknown>> {
    if (signal?.aborted) throw networkError("the request was aborted");
    const conn = await ready();
    return send(conn, body, waitMs, signal);
  }

  return {
    async fetch(request: ReplicaFetchRequest, signal?: AbortSignal): Promise<ReplicaFetchResponse> {
      const frame = await call({ op: "replicaFetch", ...request }, request.maxWaitMs, signal);
      const reply = decodeReply(() => decodeReplicaFetchResponse(frame));
      const response: ReplicaFetchResponse = {
        batches: reply.batches,
        highWatermark: reply.highWatermark,
        logStartOffset: reply.logStartOffset,
        logEndOffset: reply.logEndOffset,
      };
      if (reply.divergingEpoch !== undefined) response.divergingEpoch = reply.divergingEpoch;
      return response;
    },
    async offsetForLeaderEpoch(request: OffsetForLeaderEpochRequest, signal?: AbortSignal): Promise<OffsetForLeaderEpochResponse> {
      const frame = await call({ op: "offsetForLeaderEpoch", ...request }, 0, signal);
      const reply = decodeReply(() => decodeOffsetForLeaderEpochResponse(frame));
      return { leaderEpoch: reply.leaderEpoch, endOffset: reply.endOffset };
    },
    close() {
      closed = true;
      if (connection !== undefined) fail(connection, networkError("the client is closed"));
    },
  };
}

/** A malformed reply is the leader's fault, not the follower's request: UNKNOWN_SERVER_ERROR. */
function decodeReply<T>(decode: () => T): T {
  try {
    return decode();
  } catch (error) {
    throw new EdgelogError("UNKNOWN_SERVER_ERROR", `The leader sent a malformed reply: ${error instanceof Error ? error.message : String(error)}`);
  }
}
