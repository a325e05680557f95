/**
 * The shape of a request handler: one module per op exports one, and `handlers/index.ts` maps op
 * names to them. A handler gets the decoded request and a {@link RequestScope}; it resolves to the
 * reply frame, or to `undefined` for no reply at all (produce with acks 0). A thrown error becomes
 * the request's error reply.
 *
 * @example
 * ```ts
 * export const handleDeleteTopics: Handler<DeleteTopicsRequest> = async (request, { broker }) => {
 *   const topics = [];
 *   for (const topic of request.topics) topics.push(await deleteOne(broker, topic));
 *   return deleteTopicsResponse(request.id, topics);
 * };
 * ```
 * @module
 */
import type { FrameFormat } from "../../protocol/frame-codec.ts";
import type { BrokerContext } from "../broker-context.ts";
import type { SessionScope } from "../session-scope.ts";

/**
 * What a handler may use while it serves one request.
 *
 * @example
 * ```ts
 * const handleX: Handler<XRequest> = async (request, { broker, session, format, afterReply }) => {
 *   afterReply(() => session.send({ push: "x", sub: 1 }, format));
 *   return { id: request.id, brokerId: broker.config.brokerId };
 * };
 * ```
 */
export interface RequestScope {
  broker: BrokerContext;
  session: SessionScope;
  /** The format the request came in, which its reply and any pushes it starts use. */
  format: FrameFormat;
  /** Runs `callback` right after the reply to this request has been sent (e.g. start pushing). */
  afterReply(callback: () => void): void;
}

/**
 * A request handler; see the module documentation.
 *
 * @example
 * ```ts
 * const handlePing: Handler<{ id: number }> = async (request) => ({ id: request.id });
 * ```
 */
export type Handler<R> = (request: R, scope: RequestScope) => Promise<object | undefined>;
