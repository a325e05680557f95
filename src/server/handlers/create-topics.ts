/**
 * `createTopics`: creates each topic through the topic registry; each succeeds or fails on its own.
 *
 * ```
 * CreateTopicsRequest  => { id, op: "createTopics", topics: [{ topic, numPartitions?, replicationFactor?, configs? }], validateOnly?, timeoutMs? }
 * CreateTopicsResponse => { id, topics: [{ topic, numPartitions, replicationFactor, error? }] }
 * ```
 *
 * @example
 * ```ts
 * await handleCreateTopics({ id: 3, op: "createTopics", topics: [{ topic: "orders", numPartitions: 3, replicationFactor: -1, configs: {} }], validateOnly: false, timeoutMs: 30000 }, scope);
 * ```
 * @module
 */
import { withError } from "../../protocol/envelope.ts";
import { createTopicsResponse, type CreateTopicResult, type CreateTopicsRequest } from "../../protocol/ops/create-topics.ts";
import type { Handler } from "./handler.ts";
import { requestDeadline } from "./request-deadline.ts";

/**
 * Answers `createTopics`.
 *
 * @example
 * ```ts
 * HANDLERS.createTopics = handleCreateTopics;
 * ```
 */
export const handleCreateTopics: Handler<CreateTopicsRequest> = async (request, { broker }) => {
  const results: CreateTopicResult[] = [];
  const deadline = requestDeadline(request.timeoutMs);
  for (const t of request.topics) {
    try {
      const creating = broker.topics
        .createTopic(t.topic, {
          partitions: t.numPartitions,
          replicationFactor: t.replicationFactor,
          configs: t.configs,
          validateOnly: request.validateOnly,
        })
        .then((created) => {
          // Logged when it happens, also after a reply that timed out.
          if (!request.validateOnly) broker.logger("info", `Created topic ${created.name} with ${created.partitions} partition(s)`);
          return created;
        });
      const created = await deadline.wait(creating, `the creation of topic ${t.topic}`);
      results.push({ topic: t.topic, numPartitions: created.partitions, replicationFactor: created.replicationFactor });
    } catch (error) {
      results.push(withError({ topic: t.topic }, error));
    }
  }
  return createTopicsResponse(request.id, results);
};
