/**
 * `alterConfigs`: sets and deletes config keys of topics or brokers, leaving other keys alone (Kafka's
 * incremental alter: SET and DELETE). A deleted key falls back to the broker default. Each resource
 * succeeds or fails as a whole.
 *
 * ```
 * AlterConfigsRequest =>
 *   id: uint
 *   op: "alterConfigs"
 *   resources: [{                     at least one; no (type, name) twice
 *     type: "topic" | "broker"
 *     name: string                    topic name, or broker id in decimal
 *     set?: { [key]: string }         numbers and booleans are taken as their text
 *     delete?: [string]               keys to reset to their default; a key may not be both set and deleted
 *   }]
 *   validateOnly?: bool = false
 *
 * AlterConfigsResponse =>
 *   id: uint
 *   resources: [{ type, name, error?: WireError }]   UNKNOWN_TOPIC_OR_PARTITION, INVALID_CONFIG,
 *                                                     POLICY_VIOLATION (read-only key)
 * ```
 *
 * @example
 * ```ts
 * decodeAlterConfigsRequest({ id: 7, op: "alterConfigs",
 *   resources: [{ type: "topic", name: "orders", set: { "retention.ms": "3600000" }, delete: ["cleanup.policy"] }] });
 * ```
 * @module
 */
import { EdgelogError } from "../../core/errors.ts";
import { openRequest, type RequestId, type WireError } from "../envelope.ts";
import { fieldPath, Fields, readString, readStringMap, rejectDuplicates } from "../fields.ts";
import { type ConfigResourceType, readResourceType } from "./describe-configs.ts";

/** The changes to one resource's configs. */
export interface ConfigAlteration {
  type: ConfigResourceType;
  name: string;
  set: Record<string, string>;
  delete: string[];
}

/** A decoded `alterConfigs` request. */
export interface AlterConfigsRequest {
  id: RequestId;
  op: "alterConfigs";
  resources: ConfigAlteration[];
  validateOnly: boolean;
}

/** The outcome for one resource. */
export interface AlterConfigsResult {
  type: ConfigResourceType;
  name: string;
  error?: WireError;
}

/** The reply to `alterConfigs`. */
export interface AlterConfigsResponse {
  id: RequestId;
  resources: AlterConfigsResult[];
}

/**
 * Validates a decoded `alterConfigs` frame.
 *
 * @example
 * ```ts
 * decodeAlterConfigsRequest({ id: 7, op: "alterConfigs", resources: [{ type: "topic", name: "t", set: { a: "1" }, delete: ["a"] }] });
 * // throws INVALID_REQUEST naming resources[0].delete[0]
 * ```
 */
export function decodeAlterConfigsRequest(frame: unknown): AlterConfigsRequest {
  const { id, fields } = openRequest(frame, "alterConfigs");
  const resources = fields.list("resources", (item, path): ConfigAlteration => {
    const r = Fields.of(item, path);
    const type = readResourceType(r);
    const name = r.string("name");
    const set = r.has("set") ? readStringMap(r.get("set"), r.pathOf("set")) : {};
    const del = r.optionalList("delete", readString) ?? [];
    rejectDuplicates(del, r.pathOf("delete"));
    del.forEach((key, i) => {
      if (Object.hasOwn(set, key)) {
        const at = fieldPath(r.pathOf("delete"), i);
        throw new EdgelogError("INVALID_REQUEST", `Field ${at} deletes ${JSON.stringify(key)}, which set also sets`, {
          details: { field: at },
        });
      }
    });
    return { type, name, set, delete: del };
  }, 1);
  rejectDuplicates(resources.map((r) => `${r.type}:${r.name}`), "resources");
  return { id, op: "alterConfigs", resources, validateOnly: fields.optionalBoolean("validateOnly", false) };
}

/**
 * Builds the reply to `alterConfigs`.
 *
 * @example
 * ```ts
 * alterConfigsResponse(req.id, [{ type: "topic", name: "orders" }]);
 * ```
 */
export function alterConfigsResponse(id: RequestId, resources: AlterConfigsResult[]): AlterConfigsResponse {
  return { id, resources };
}
