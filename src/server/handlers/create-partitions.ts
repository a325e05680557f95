/**
 * `createPartitions`: raises each topic's partition count to the requested total.
 *
 * ```
 * CreatePartitionsRequest  => { id, op: "createPartitions", topics: [{ topic, count }], validateOnly?, timeoutMs? }
 * CreatePartitionsResponse => { id, topics: [{ topic, error? }] }
 * ```
 *
 * @example
 * ```ts
 * await handleCreatePartitions({ id: 5, op: "createPartitions", topics: [{ topic: "orders", count: 6 }], validateOnly: false, timeoutMs: 30000 }, scope);
 * ```
 * @module
 */
import { withError } from "../../protocol/envelope.ts";
import {
  createPartitionsResponse,
  type CreatePartitionsRequest,
  type CreatePartitionsResult,
} from "../../protocol/ops/create-partitions.ts";
import type { Handler } from "./handler.ts";
import { requestDeadline } from "./request-deadline.ts";

/**
 * Answers `createPartitions`.
 *
 * @example
 * ```ts
 * HANDLERS.createPartitions = handleCreatePartitions;
 * ```
 */
export const handleCreatePartitions: Handler<CreatePartitionsRequest> = async (request, { broker }) => {
  const results: CreatePartitionsResult[] = [];
  const deadline = requestDeadline(request.timeoutMs);
  for (const { topic, count } of request.topics) {
    try {
      await deadline.wait(broker.topics.createPartitions(topic, count, { validateOnly: request.validateOnly }), `adding partitions to topic ${topic}`);
      results.push({ topic });
    } catch (error) {
      results.push(withError({ topic }, error));
    }
  }
  return createPartitionsResponse(request.id, results);
};
