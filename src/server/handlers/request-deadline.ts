/**
 * The `timeoutMs` of an administrative request (createTopics, deleteTopics, createPartitions,
 * deleteRecords, electLeaders, partition reassignments), as Kafka's: how long the broker waits for
 * the operation to complete before it answers `REQUEST_TIMED_OUT` for what is not done yet. The
 * operation itself goes on (Kafka: "the topic may still be created"); one deadline covers the whole
 * request, from its arrival.
 *
 * @example
 * ```ts
 * const deadline = requestDeadline(request.timeoutMs);
 * await deadline.wait(broker.topics.createTopic("orders", options), "the creation of topic orders");
 * ```
 * @module
 */
import { EdgelogError } from "../../core/errors.ts";

/**
 * Waits for operations until one deadline.
 *
 * @example
 * ```ts
 * const deadline: RequestDeadline = requestDeadline(30_000);
 * ```
 */
export interface RequestDeadline {
  /**
   * Resolves like `work`, or rejects with `REQUEST_TIMED_OUT` naming `what` once the deadline has
   * passed first (at once when it already has); `work` goes on either way.
   */
  wait<T>(work: Promise<T>, what: string): Promise<T>;
}

/**
 * A deadline `timeoutMs` from now (0 or less: it has passed; an operation not done at once times out).
 *
 * @example
 * ```ts
 * await requestDeadline(5_000).wait(slowOperation(), "the election"); // REQUEST_TIMED_OUT after 5 s
 * ```
 */
export function requestDeadline(timeoutMs: number, now: () => number = Date.now): RequestDeadline {
  const limit = Math.max(0, timeoutMs);
  const end = now() + limit;
  return {
    async wait<T>(work: Promise<T>, what: string): Promise<T> {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timedOut = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new EdgelogError("REQUEST_TIMED_OUT", `${capitalized(what)} did not complete within timeoutMs (${limit} ms); it may still complete`)),
          Math.max(0, end - now()),
        );
      });
      work.catch(() => undefined); // settles after the answer: not unhandled
      try {
        return await Promise.race([work, timedOut]);
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

function capitalized(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
