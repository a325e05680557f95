/**
 * `alterConfigs`: sets and removes topic config overrides through the topic registry, which applies
 * the result to every partition log at once (no restart). Broker configs are read-only at runtime:
 * altering one answers POLICY_VIOLATION.
 *
 * ```
 * AlterConfigsRequest  => { id, op: "alterConfigs", resources: [{ type, name, set?, delete? }], validateOnly? }
 * AlterConfigsResponse => { id, resources: [{ type, name, error? }] }
 * ```
 *
 * @example
 * ```ts
 * await handleAlterConfigs({ id: 7, op: "alterConfigs", resources: [{ type: "topic", name: "orders", set: { "retention.ms": "3600000" }, delete: [] }], validateOnly: false }, scope);
 * ```
 * @module
 */
import { EdgelogError } from "../../core/errors.ts";
import { withError } from "../../protocol/envelope.ts";
import { alterConfigsResponse, type AlterConfigsRequest, type AlterConfigsResult } from "../../protocol/ops/alter-configs.ts";
import { checkBrokerName } from "./describe-configs.ts";
import type { Handler } from "./handler.ts";

/**
 * Answers `alterConfigs`.
 *
 * @example
 * ```ts
 * HANDLERS.alterConfigs = handleAlterConfigs;
 * ```
 */
export const handleAlterConfigs: Handler<AlterConfigsRequest> = async (request, { broker }) => {
  const results: AlterConfigsResult[] = [];
  for (const resource of request.resources) {
    const { type, name } = resource;
    try {
      if (type === "broker") {
        checkBrokerName(broker, name);
        const keys = [...Object.keys(resource.set), ...resource.delete].join(", ");
        throw new EdgelogError(
          "POLICY_VIOLATION",
          `Broker configs cannot be changed at runtime (${keys || "no keys given"}); edit the broker's properties file and restart`,
        );
      }
      await broker.topics.alterConfigs(name, resource.set, resource.delete, { validateOnly: request.validateOnly });
      if (!request.validateOnly) broker.logger("info", `Altered configs of topic ${name}`);
      results.push({ type, name });
    } catch (error) {
      results.push(withError({ type, name }, error));
    }
  }
  return alterConfigsResponse(request.id, results);
};
