/**
 * `deleteTopics`: deletes each topic and its partition logs; each succeeds or fails on its own.
 * Subscriptions on a deleted topic end with an UNKNOWN_TOPIC_OR_PARTITION push.
 *
 * ```
 * DeleteTopicsRequest  => { id, op: "deleteTopics", topics: [string], timeoutMs? }
 * DeleteTopicsResponse => { id, topics: [{ topic, error? }] }
 * ```
 *
 * @example
 * ```ts
 * await handleDeleteTopics({ id: 4, op: "deleteTopics", topics: ["orders"], timeoutMs: 30000 }, scope);
 * ```
 * @module
 */
import { withError } from "../../protocol/envelope.ts";
import { deleteTopicsResponse, type DeleteTopicResult, type DeleteTopicsRequest } from "../../protocol/ops/delete-topics.ts";
import type { Handler } from "./handler.ts";
import { requestDeadline } from "./request-deadline.ts";

/**
 * Answers `deleteTopics`.
 *
 * @example
 * ```ts
 * HANDLERS.deleteTopics = handleDeleteTopics;
 * ```
 */
export const handleDeleteTopics: Handler<DeleteTopicsRequest> = async (request, { broker }) => {
  const results: DeleteTopicResult[] = [];
  const deadline = requestDeadline(request.timeoutMs);
  for (const topic of request.topics) {
    try {
      const deleting = broker.topics.deleteTopic(topic).then(() => {
        broker.topicDeleted(topic);
        broker.logger("info", `Deleted topic ${topic}`); // when it happens, also after a reply that timed out
      });
      await deadline.wait(deleting, `the deletion of topic ${topic}`);
      results.push({ topic });
    } catch (error) {
      results.push(withError({ topic }, error));
    }
  }
  return deleteTopicsResponse(request.id, results);
};
