/**
 * Requests to etcd's JSON gateway over the standard `fetch`, with failover between endpoints,
 * retries with backoff, timeouts, and etcd's errors mapped to {@link EdgelogError}s:
 *
 * - No endpoint answers within the deadline → COORDINATOR_NOT_AVAILABLE (retriable) when some attempt
 *   could not reach etcd, REQUEST_TIMED_OUT (retriable) when every attempt timed out.
 * - A request that is not safe to repeat (a txn) failed after it may have reached etcd → REQUEST_TIMED_OUT:
 *   its outcome is unknown, the caller reads again.
 * - etcd refuses the request (gRPC InvalidArgument, OutOfRange, FailedPrecondition, NotFound,
 *   AlreadyExists) → INVALID_REQUEST with `details.grpcCode`; ResourceExhausted (e.g. "database space
 *   exceeded") → KAFKA_STORAGE_ERROR; anything else → UNKNOWN_SERVER_ERROR.
 * - gRPC Unavailable, DeadlineExceeded, Aborted, HTTP 5xx and network failures are transient: the next
 *   endpoint is tried, and after a round over all of them the client waits (50 ms doubling to 1 s, with jitter).
 *
 * @example
 * ```ts
 * const http = etcdHttp({ endpoints: ["http://127.0.0.1:2379"], clock: systemClock(), requestTimeoutMs: 5000 });
 * const answer = await http.call("/v3/kv/range", { key: "YQ==" }, "always");
 * ```
 * @module
 */
import { EdgelogError } from "../../core/errors.ts";
import type { Clock } from "../../core/ports/clock.ts";
import { jsonObjectStream } from "./json-stream.ts";
import type { Json } from "./etcd-codec.ts";

/**
 * Whether a request may be sent again after a failure that may have reached etcd.
 *
 * @example
 * ```ts
 * await http.call("/v3/kv/txn", body, "if-not-sent");
 * ```
 */
export type RetryPolicy = "always" | "if-not-sent";

/**
 * Options for {@link etcdHttp}.
 *
 * @example
 * ```ts
 * etcdHttp({ endpoints: ["http://127.0.0.1:2379"], clock: systemClock(), requestTimeoutMs: 5000 });
 * ```
 */
export interface EtcdHttpOptions {
  endpoints: string[];
  clock: Clock;
  /** How long one call may take, retries included. */
  requestTimeoutMs: number;
  /** The `fetch` to use (default the global one). */
  fetch?: typeof fetch;
}

/**
 * The request layer.
 *
 * @example
 * ```ts
 * const answer = await http.call("/v3/kv/put", { key: "YQ==", value: "MQ==" }, "always");
 * ```
 */
export interface EtcdHttp {
  /** POSTs `body` to `path` and resolves to the parsed answer (the first JSON object of a streamed one). */
  call(path: string, body: Json, retry: RetryPolicy, timeoutMs?: number): Promise<Json>;
  /**
   * One attempt at opening a streaming POST (for watches) on the current endpoint, moving on to the next
   * endpoint for the next attempt when it fails. Resolves to a 200 response whose body is the stream.
   */
  open(path: string, body: Json, signal: AbortSignal): Promise<Response>;
  /** Sleeps `ms`, ending early (rejecting) when the client closes. */
  sleep(ms: number): Promise<void>;
  /** The backoff before retry round `round` (0-based): 50 ms doubling to 1 s, with ±50% jitter. */
  backoff(round: number): number;
  /** Aborts everything in flight; later calls reject with COORDINATOR_NOT_AVAILABLE. */
  close(): void;
  readonly closed: boolean;
}

/** An attempt's outcome: the answer, or a failure (transient ones may be retried). */
type Outcome =
  | { kind: "answer"; message: Json }
  | { kind: "transient"; notSent: boolean; timedOut: boolean; error: unknown }
  | { kind: "final"; error: EdgelogError };
type Failure = Exclude<Outcome, { kind: "answer" }>;

/** How long one attempt may take at most, so that a hung endpoint leaves time to try the next. */
const ATTEMPT_TIMEOUT_MS = 2_000;
/** No attempt starts with less time than this left: it could only time out. */
const MIN_ATTEMPT_MS = 20;

/**
 * Creates the request layer.
 *
 * @example
 * ```ts
 * const http = etcdHttp({ endpoints, clock, requestTimeoutMs: 5000 });
 * http.close();
 * ```
 */
export function etcdHttp(options: EtcdHttpOptions): EtcdHttp {
  const { endpoints, clock } = options;
  const doFetch = options.fetch ?? ((input: RequestInfo | URL, init?: RequestInit) => fetch(input, init));
  const closing = new AbortController();
  let current = 0;

  function closedError(): EdgelogError {
    return new EdgelogError("COORDINATOR_NOT_AVAILABLE", "The etcd client is closed", { retriable: false });
  }

  function sleep(ms: number): Promise<void> {
    return new Promise((resolve, reject) => {
      if (closing.signal.aborted) return reject(closedError());
      const onClose = (): void => {
        clock.clearTimer(timer);
        reject(closedError());
      };
      const timer = clock.setTimer(ms, () => {
        closing.signal.removeEventListener("abort", onClose);
        resolve();
      });
      closing.signal.addEventListener("abort", onClose, { once: true });
    });
  }

  /** An abort signal that fires after `timeoutMs`, on close, or with `linked`. */
  function deadline(timeoutMs: number, linked?: AbortSignal) {
    const controller = new AbortController();
    let timedOut = false;
    const dispose = (): void => {
      clock.clearTimer(timer);
      closing.signal.removeEventListener("abort", abort);
      linked?.removeEventListener("abort", abort);
    };
    const abort = (): void => {
      dispose();
      controller.abort();
    };
    const timer = clock.setTimer(timeoutMs, () => {
      timedOut = true;
      abort();
    });
    closing.signal.addEventListener("abort", abort, { once: true });
    linked?.addEventListener("abort", abort, { once: true });
    if (linked?.aborted) abort();
    return {
      signal: controller.signal,
      timedOut: () => timedOut,
      /** Stops the timer; the signal still follows close and `linked`. */
      disarm: () => clock.clearTimer(timer),
      /** Stops the timer and unlinks the signal. */
      dispose,
    };
  }

  function post(endpoint: string, path: string, body: Json, signal: AbortSignal): Promise<Response> {
    return doFetch(`${endpoint}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
      signal,
    });
  }

  /** One attempt of a call: the POST and its whole answer within `timeoutMs`. */
  async function attempt(endpoint: string, path: string, body: Json, timeoutMs: number): Promise<Outcome> {
    const limit = deadline(timeoutMs);
    let sent = false;
    try {
      const response = await post(endpoint, path, body, limit.signal);
      sent = true;
      const text = await response.text();
      return interpret(endpoint, path, response.status, text);
    } catch (error) {
      if (closing.signal.aborted) return { kind: "final", error: closedError() };
      return { kind: "transient", notSent: !sent && !limit.timedOut() && isRefused(error), timedOut: limit.timedOut(), error };
    } finally {
      limit.dispose();
    }
  }

  return {
    get closed() {
      return closing.signal.aborted;
    },
    sleep,
    backoff,
    async call(path, body, retry, timeoutMs = options.requestTimeoutMs) {
      const end = clock.monotonic() + timeoutMs;
      let last: Failure | undefined;
      let unreachable = false; // whether some attempt failed for another reason than its timeout
      for (let tries = 0; ; tries++) {
        if (closing.signal.aborted) throw closedError();
        const remaining = end - clock.monotonic();
        if (last !== undefined && remaining < MIN_ATTEMPT_MS) throw exhausted(path, timeoutMs, last, unreachable);
        const index = current;
        const outcome = await attempt(endpoints[index]!, path, body, Math.max(1, Math.min(remaining, ATTEMPT_TIMEOUT_MS)));
        if (outcome.kind === "answer") return outcome.message;
        if (outcome.kind === "final") throw outcome.error;
        last = outcome;
        unreachable ||= !outcome.timedOut;
        if (retry === "if-not-sent" && !outcome.notSent) {
          throw new EdgelogError("REQUEST_TIMED_OUT", `etcd did not answer ${path}; the request may or may not have been applied`, {
            cause: outcome.error,
          });
        }
        if (current === index) current = (index + 1) % endpoints.length;
        if ((tries + 1) % endpoints.length === 0) {
          const wait = Math.min(backoff(Math.floor(tries / endpoints.length)), end - clock.monotonic());
          if (wait > 0) await sleep(wait);
        }
      }
    },
    async open(path, body, signal) {
      if (closing.signal.aborted) throw closedError();
      const index = current;
      const endpoint = endpoints[index]!;
      // The signal stays linked to `signal` and to close for the life of the stream; it unlinks
      // itself when it fires (the watch aborts `signal` whenever it drops a stream).
      const limit = deadline(options.requestTimeoutMs, signal);
      let outcome: Outcome;
      try {
        const response = await post(endpoint, path, body, limit.signal);
        limit.disarm();
        if (response.ok) return response;
        outcome = interpret(endpoint, path, response.status, await response.text());
      } catch (error) {
        if (closing.signal.aborted) throw closedError();
        if (signal.aborted) throw error;
        outcome = { kind: "transient", notSent: true, timedOut: limit.timedOut(), error };
      }
      limit.dispose();
      if (current === index) current = (index + 1) % endpoints.length;
      if (outcome.kind === "final") throw outcome.error;
      if (outcome.kind === "transient") throw exhausted(path, options.requestTimeoutMs, outcome, !outcome.timedOut);
      throw new EdgelogError("COORDINATOR_NOT_AVAILABLE", `etcd at ${endpoint} refused to open ${path}`);
    },
    close() {
      closing.abort();
    },
  };
}

function backoff(round: number): number {
  const base = Math.min(1_000, 50 * 2 ** Math.min(round, 10));
  return Math.round(base * (0.5 + Math.random()));
}

/** Reads an answer: a JSON object on success, or the failure its status and error body describe. */
function interpret(endpoint: string, path: string, status: number, text: string): Outcome {
  const first = jsonObjectStream().push(new TextEncoder().encode(text)).values[0];
  const message = typeof first === "object" && first !== null && !Array.isArray(first) ? (first as Json) : undefined;
  // Streaming endpoints (lease keep-alive) wrap messages in "result" or "error".
  const streamed = message?.["error"];
  const error = typeof streamed === "object" && streamed !== null ? (streamed as Json) : status === 200 ? undefined : message;
  if (status === 200 && message !== undefined && error === undefined) {
    const result = message["result"];
    return { kind: "answer", message: typeof result === "object" && result !== null ? (result as Json) : message };
  }
  const grpcCode = typeof error?.["grpc_code"] === "number" ? error["grpc_code"] : typeof error?.["code"] === "number" ? error["code"] : undefined;
  const etcdMessage = typeof error?.["message"] === "string" ? error["message"] : text.slice(0, 200);
  const details = { endpoint, path, status, grpcCode, etcdMessage };
  const describe = `etcd at ${endpoint} answered ${path} with ${grpcCode === undefined ? `HTTP ${status}` : `gRPC code ${grpcCode}`}: ${etcdMessage}`;
  switch (grpcCode) {
    case 4: // DeadlineExceeded
    case 10: // Aborted
    case 14: // Unavailable ("no leader", "leader changed", "request timed out")
      return { kind: "transient", notSent: false, timedOut: grpcCode === 4, error: new Error(describe) };
    case 3: // InvalidArgument
    case 5: // NotFound ("lease not found")
    case 6: // AlreadyExists
    case 9: // FailedPrecondition
    case 11: // OutOfRange ("required revision has been compacted")
      return { kind: "final", error: new EdgelogError("INVALID_REQUEST", describe, { details }) };
    case 8: // ResourceExhausted ("database space exceeded", "too many requests")
      return { kind: "final", error: new EdgelogError("KAFKA_STORAGE_ERROR", describe, { details }) };
    case undefined:
      if (status >= 500 || status === 429) return { kind: "transient", notSent: false, timedOut: false, error: new Error(describe) };
      if (status === 200) return { kind: "final", error: new EdgelogError("UNKNOWN_SERVER_ERROR", `etcd at ${endpoint} answered ${path} with something other than a JSON object: ${text.slice(0, 80)}`, { details }) };
      return {
        kind: "final",
        error: new EdgelogError("UNKNOWN_SERVER_ERROR", `${describe} (is it an etcd 3.4 or later JSON gateway?)`, { details }),
      };
    default:
      return { kind: "final", error: new EdgelogError("UNKNOWN_SERVER_ERROR", describe, { details }) };
  }
}

/**
 * The error once the deadline has passed: REQUEST_TIMED_OUT when every attempt timed out (etcd is
 * there but slow), COORDINATOR_NOT_AVAILABLE when some attempt could not reach it at all.
 */
function exhausted(path: string, timeoutMs: number, last: Failure, unreachable: boolean): EdgelogError {
  if (last.kind === "final") return last.error;
  const cause = describeError(last.error);
  return !unreachable
    ? new EdgelogError("REQUEST_TIMED_OUT", `etcd did not answer ${path} within ${timeoutMs} ms: ${cause}`, { cause: last.error })
    : new EdgelogError("COORDINATOR_NOT_AVAILABLE", `Cannot reach etcd for ${path} within ${timeoutMs} ms: ${cause}`, { cause: last.error });
}

function describeError(error: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 4; e = e.cause, depth++) parts.push(e.message);
  return parts.join(": ") || String(error);
}

/**
 * Whether a fetch failure says the connection was refused, so the request never reached etcd.
 * Node and Deno put the socket error in `cause`; Bun sets `code` on the error itself.
 */
function isRefused(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; typeof e === "object" && e !== null && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const { code, message } = e as { code?: unknown; message?: unknown };
    if (code === "ECONNREFUSED" || code === "ConnectionRefused") return true;
    if (typeof message === "string" && /ECONNREFUSED|connection refused/i.test(message)) return true;
  }
  return false;
}
