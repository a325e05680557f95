/**
 * A watch over etcd's gateway: a streaming POST to `/v3/watch` whose answer is a stream of JSON
 * objects (split by {@link jsonObjectStream}). The watch remembers the revision after the last event
 * it delivered; when the stream breaks it opens a new one from there (backing off while etcd is
 * away), and when etcd answers that the revision is compacted it reads the prefix, delivers a
 * `resync`, and goes on from the revision of that read.
 *
 * @example
 * ```ts
 * const watch = await startEtcdWatch({ http, clock, requestTimeoutMs: 5000, readPrefix }, "/brokers/", {}, (u) => console.log(u));
 * watch.cancel();
 * ```
 * @module
 */
import { EdgelogError, isEdgelogError } from "../../core/errors.ts";
import type { Clock } from "../../core/ports/clock.ts";
import type { RangeResult, Watch, WatchEvent, WatchOptions, WatchUpdate } from "../../core/ports/coordination.ts";
import { arrayField, decodeEvent, headerRevision, int64Field, malformed, objectField, rangeRequest, type Json } from "./etcd-codec.ts";
import type { EtcdHttp } from "./etcd-http.ts";
import { jsonObjectStream } from "./json-stream.ts";

/**
 * What a watch needs from its client.
 *
 * @example
 * ```ts
 * { http, clock, requestTimeoutMs: 5000, readPrefix: (prefix) => store.getPrefix(prefix) }
 * ```
 */
export interface EtcdWatchContext {
  http: EtcdHttp;
  clock: Clock;
  /** How long the first stream may take to be established before the watch gives up. */
  requestTimeoutMs: number;
  /** Reads every entry under a prefix, for a resync. */
  readPrefix(prefix: string): Promise<RangeResult>;
}

/**
 * Starts a watch; resolves once etcd confirmed it, rejects when that does not happen within
 * `requestTimeoutMs` (COORDINATOR_NOT_AVAILABLE) or etcd refuses it.
 *
 * @example
 * ```ts
 * await startEtcdWatch(context, "/partitions/", { fromRevision: 42 }, async (update) => apply(update));
 * ```
 */
export function startEtcdWatch(
  context: EtcdWatchContext,
  prefix: string,
  options: WatchOptions,
  onUpdate: (update: WatchUpdate) => void | Promise<void>,
): Promise<Watch> {
  const { http, clock } = context;
  /** The first revision not yet delivered; undefined until etcd tells the current one ("from now"). */
  let next = options.fromRevision;
  let cancelled = false;
  let established = false;
  let lastError: unknown;
  let stream: AbortController | undefined;
  let settle: { resolve(): void; reject(error: unknown): void } | undefined;

  const watch: Watch = {
    cancel() {
      cancelled = true;
      clock.clearTimer(giveUp);
      stream?.abort();
    },
  };

  const ready = new Promise<Watch>((resolve, reject) => {
    settle = { resolve: () => resolve(watch), reject };
  });
  const giveUp = clock.setTimer(context.requestTimeoutMs, () => {
    if (established) return;
    watch.cancel();
    settle?.reject(
      isEdgelogError(lastError)
        ? lastError
        : new EdgelogError("COORDINATOR_NOT_AVAILABLE", `Cannot start a watch of "${prefix}" within ${context.requestTimeoutMs} ms`, { cause: lastError }),
    );
  });

  function report(error: unknown): void {
    try {
      options.onError?.(error);
    } catch {
      // The error listener's own failure has nowhere to go.
    }
  }

  async function deliver(update: WatchUpdate): Promise<void> {
    if (cancelled) return;
    try {
      await onUpdate(update);
    } catch (error) {
      report(error);
    }
  }

  /** Handles one streamed message; returns "restart" after a resync (the stream must be reopened). */
  async function handle(message: Json): Promise<"go-on" | "restart"> {
    if (message["error"] !== undefined) {
      const error = objectField(message, "error");
      throw new Error(`etcd reported an error on the watch stream: ${String(error["message"] ?? JSON.stringify(error))}`);
    }
    const result = objectField(message, "result");
    if (result["created"] === true) {
      next ??= headerRevision(result) + 1;
      if (!established) {
        established = true;
        clock.clearTimer(giveUp);
        settle?.resolve();
      }
    }
    if (result["canceled"] === true) {
      if (int64Field(result, "compact_revision") > 0) {
        const { entries, revision } = await context.readPrefix(prefix);
        if (cancelled) return "restart";
        next = revision + 1;
        await deliver({ type: "resync", entries, revision });
        return "restart";
      }
      throw new Error(`etcd canceled the watch of "${prefix}": ${String(result["cancel_reason"] ?? "no reason given")}`);
    }
    const floor = next ?? 0;
    const events: WatchEvent[] = arrayField(result, "events")
      .map(decodeEvent)
      .filter((event) => event.revision >= floor);
    if (events.length > 0) {
      next = events[events.length - 1]!.revision + 1;
      await deliver({ type: "events", events });
    }
    return "go-on";
  }

  async function session(signal: AbortSignal): Promise<void> {
    const createRequest = { ...rangeRequest(prefix), ...(next === undefined ? {} : { start_revision: String(next) }) };
    const response = await http.open("/v3/watch", { create_request: createRequest }, signal);
    if (response.body === null) throw new Error("etcd answered the watch without a body");
    const reader = response.body.getReader();
    const splitter = jsonObjectStream();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) throw new Error(`etcd ended the watch stream of "${prefix}"`);
        const { values, problem } = splitter.push(value);
        for (const message of values) {
          if (typeof message !== "object" || message === null) throw malformed("a watch message is not an object");
          if ((await handle(message as Json)) === "restart" || cancelled) return;
        }
        if (problem !== undefined) throw malformed(problem);
      }
    } finally {
      reader.cancel().catch(() => {});
    }
  }

  async function run(): Promise<void> {
    let round = 0;
    while (!cancelled) {
      const controller = new AbortController();
      stream = controller;
      try {
        await session(controller.signal);
        round = 0;
      } catch (error) {
        if (cancelled || http.closed) break;
        lastError = error;
        if (!established && isEdgelogError(error) && !error.retriable) {
          watch.cancel();
          clock.clearTimer(giveUp);
          settle?.reject(error);
          break;
        }
        if (established) report(error);
        else round = Math.min(round, 3); // keep trying quickly until the first stream stands
        try {
          await http.sleep(http.backoff(round++));
        } catch {
          break; // the client closed
        }
      } finally {
        controller.abort();
      }
    }
    if (!established) {
      clock.clearTimer(giveUp);
      settle?.reject(
        isEdgelogError(lastError) ? lastError : new EdgelogError("COORDINATOR_NOT_AVAILABLE", `The watch of "${prefix}" stopped before it started`, { cause: lastError }),
      );
    }
  }

  void run();
  return ready;
}
