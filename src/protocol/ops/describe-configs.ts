/**
 * `describeConfigs`: the effective configuration of topics or brokers, each entry with where its
 * value comes from. Kafka's config names are used as they are (`retention.ms`, `log.dirs`).
 *
 * ```
 * DescribeConfigsRequest =>
 *   id: uint
 *   op: "describeConfigs"
 *   resources: [{                   at least one
 *     type: "topic" | "broker"
 *     name: string                  topic name, or broker id in decimal ("1")
 *     keys?: [string] | null        absent or null: every key
 *   }]
 *
 * DescribeConfigsResponse =>
 *   id: uint
 *   resources: [{
 *     type: "topic" | "broker"
 *     name: string
 *     error?: WireError             UNKNOWN_TOPIC_OR_PARTITION, INVALID_REQUEST (unknown broker)
 *     configs: [{
 *       key: string
 *       value: string | null        null when sensitive
 *       source: "DYNAMIC_TOPIC_CONFIG" | "DYNAMIC_BROKER_CONFIG" | "STATIC_BROKER_CONFIG" | "DEFAULT_CONFIG"
 *       readOnly: bool
 *       sensitive: bool
 *     }]
 *   }]
 * ```
 *
 * @example
 * ```ts
 * decodeDescribeConfigsRequest({ id: 6, op: "describeConfigs", resources: [{ type: "topic", name: "orders" }] });
 * ```
 * @module
 */
import { openRequest, type RequestId, type WireError } from "../envelope.ts";
import { Fields, readString } from "../fields.ts";

/** The kinds of resource that have configs. */
export type ConfigResourceType = "topic" | "broker";

/** Where a config value comes from, as Kafka names it. */
export type ConfigSource = "DYNAMIC_TOPIC_CONFIG" | "DYNAMIC_BROKER_CONFIG" | "STATIC_BROKER_CONFIG" | "DEFAULT_CONFIG";

/** A decoded `describeConfigs` request. */
export interface DescribeConfigsRequest {
  id: RequestId;
  op: "describeConfigs";
  resources: { type: ConfigResourceType; name: string; keys: string[] | null }[];
}

/** One config entry. */
export interface ConfigEntry {
  key: string;
  value: string | null;
  source: ConfigSource;
  readOnly: boolean;
  sensitive: boolean;
}

/** The configs of one resource, or why they could not be described. */
export interface DescribeConfigsResult {
  type: ConfigResourceType;
  name: string;
  error?: WireError;
  configs: ConfigEntry[];
}

/** The reply to `describeConfigs`. */
export interface DescribeConfigsResponse {
  id: RequestId;
  resources: DescribeConfigsResult[];
}

/**
 * Reads a resource type field: `"topic"` or `"broker"`.
 *
 * @example
 * ```ts
 * readResourceType(Fields.of({ type: "topic" }));  // "topic"
 * ```
 */
export function readResourceType(fields: Fields): ConfigResourceType {
  const type = fields.get("type");
  if (type !== "topic" && type !== "broker") throw fields.fail("type", '"topic" or "broker"');
  return type;
}

/**
 * Validates a decoded `describeConfigs` frame.
 *
 * @example
 * ```ts
 * decodeDescribeConfigsRequest({ id: 6, op: "describeConfigs", resources: [{ type: "group", name: "g" }] }); // throws naming resources[0].type
 * ```
 */
export function decodeDescribeConfigsRequest(frame: unknown): DescribeConfigsRequest {
  const { id, fields } = openRequest(frame, "describeConfigs");
  const resources = fields.list("resources", (item, path) => {
    const r = Fields.of(item, path);
    return { type: readResourceType(r), name: r.string("name"), keys: r.optionalList("keys", readString) ?? null };
  }, 1);
  return { id, op: "describeConfigs", resources };
}

/**
 * Builds the reply to `describeConfigs`.
 *
 * @example
 * ```ts
 * describeConfigsResponse(req.id, [{ type: "topic", name: "orders", configs: [{ key: "retention.ms", value: "604800000", source: "DEFAULT_CONFIG", readOnly: false, sensitive: false }] }]);
 * ```
 */
export function describeConfigsResponse(id: RequestId, resources: DescribeConfigsResult[]): DescribeConfigsResponse {
  return { id, resources };
}
