/**
 * Requests waiting for their reply, by id: each settles with its reply, its error reply (as an
 * `EdgelogError`), `REQUEST_TIMED_OUT` when its time is up, or the error of the connection it was
 * sent on when that closes.
 *
 * @example
 * ```ts
 * import { PendingRequests } from "./pending-requests.ts";
 * const pending = new PendingRequests(() => wakeWaiters(), (socket) => dropIfCurrent(socket));
 * const id = pending.nextId();
 * const reply = pending.add(id, socket, 30_000, "No reply to fetch within 30000 ms");
 * socket.send(encodeFrame({ id, op: "fetch", ... }, "cbor"));
 * // on each reply frame: pending.settle(frame)
 * ```
 * @module
 */
import { EdgelogError } from "../core/errors.ts";
import { INT53_MAX } from "../protocol/fields.ts";
import type { WebSocketLike } from "./websocket-like.ts";
import { fromWireError } from "../protocol/wire-error.ts";

interface Pending {
  socket: WebSocketLike;
  resolve(reply: unknown): void;
  reject(error: unknown): void;
  onReply: ((reply: never) => void) | undefined;
  timer: ReturnType<typeof setTimeout>;
}

/**
 * The table of requests without a reply; see the module documentation.
 *
 * @example
 * ```ts
 * pending.fail(new EdgelogError("NETWORK_EXCEPTION", "closed"), socket);
 * ```
 */
export class PendingRequests {
  readonly #pending = new Map<number, Pending>();
  readonly #onSettled: () => void;
  readonly #onTimeout: (socket: WebSocketLike, message: string) => void;
  #nextId = 0;

  /**
   * A table that calls `onSettled` whenever a request leaves it (a slot is free), and `onTimeout`
   * when a request times out, with the socket it was sent on.
   *
   * @example
   * ```ts
   * new PendingRequests(() => notify(), (socket) => dropIfCurrent(socket));
   * ```
   */
  constructor(onSettled: () => void, onTimeout: (socket: WebSocketLike, message: string) => void = () => {}) {
    this.#onSettled = onSettled;
    this.#onTimeout = onTimeout;
  }

  /**
   * Requests without a reply.
   *
   * @example
   * ```ts
   * if (pending.size < limits.maxInFlight) send();
   * ```
   */
  get size(): number {
    return this.#pending.size;
  }

  /**
   * A fresh request id (0 … 2^53 − 1, then around again).
   *
   * @example
   * ```ts
   * const id = pending.nextId();
   * ```
   */
  nextId(): number {
    const id = this.#nextId;
    this.#nextId = id >= INT53_MAX ? 0 : id + 1;
    return id;
  }

  /**
   * Waits for the reply to request `id`, sent on `socket`; rejects with `REQUEST_TIMED_OUT` and
   * `timeoutMessage` after `timeoutMs` (and tells `onTimeout`). `onReply` runs synchronously with the reply.
   *
   * @example
   * ```ts
   * const reply = pending.add<MetadataResponse>(id, socket, 30_000, "No reply to metadata within 30000 ms");
   * ```
   */
  add<T>(id: number, socket: WebSocketLike, timeoutMs: number, timeoutMessage: string, onReply?: (reply: T) => void): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        const pending = this.#settle(id);
        if (pending === undefined) return;
        pending.reject(new EdgelogError("REQUEST_TIMED_OUT", timeoutMessage));
        this.#onTimeout(socket, timeoutMessage);
      }, Math.max(0, timeoutMs));
      this.#pending.set(id, { socket, resolve: resolve as (reply: unknown) => void, reject, onReply, timer });
    });
  }

  /**
   * Fails request `id` (e.g. when it could not be sent).
   *
   * @example
   * ```ts
   * pending.reject(id, new EdgelogError("NETWORK_EXCEPTION", "Cannot send fetch"));
   * ```
   */
  reject(id: number, error: unknown): void {
    this.#settle(id)?.reject(error);
  }

  /**
   * Settles the request a reply frame answers (a map with `id`, and `error` for an error reply);
   * false when no request waits for it (unknown, or timed out).
   *
   * @example
   * ```ts
   * if (!isPushFrame(frame)) pending.settle(frame as Record<string, unknown>);
   * ```
   */
  settle(frame: Record<string, unknown>): boolean {
    const id = frame["id"];
    if (typeof id !== "number") return false;
    const pending = this.#settle(id);
    if (pending === undefined) return false;
    if (Object.hasOwn(frame, "error")) {
      pending.reject(fromWireError(frame["error"]));
      return true;
    }
    try {
      pending.onReply?.(frame as never);
      pending.resolve(frame);
    } catch (error) {
      pending.reject(error);
    }
    return true;
  }

  /**
   * Fails every request (sent on `socket` only, when given) with `error`.
   *
   * @example
   * ```ts
   * pending.fail(new EdgelogError("NETWORK_EXCEPTION", "Connection closed before the reply"));
   * ```
   */
  fail(error: unknown, socket?: WebSocketLike): void {
    for (const [id, p] of [...this.#pending]) {
      if (socket === undefined || p.socket === socket) this.#settle(id)?.reject(error);
    }
  }

  /** Takes a request out of the table. */
  #settle(id: number): Pending | undefined {
    const pending = this.#pending.get(id);
    if (pending === undefined) return undefined;
    this.#pending.delete(id);
    clearTimeout(pending.timer);
    this.#onSettled();
    return pending;
  }
}
