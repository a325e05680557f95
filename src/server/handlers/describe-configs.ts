/**
 * `describeConfigs`: the effective configuration of topics (every topic-level key with its value and
 * source: DYNAMIC_TOPIC_CONFIG, STATIC_BROKER_CONFIG or DEFAULT_CONFIG) and of this broker (every
 * broker key edgelog reads: STATIC_BROKER_CONFIG when set in its config, else DEFAULT_CONFIG; broker
 * keys are read-only at runtime).
 *
 * ```
 * DescribeConfigsRequest  => { id, op: "describeConfigs", resources: [{ type, name, keys? }] }
 * DescribeConfigsResponse => { id, resources: [{ type, name, error?, configs: [{ key, value, source, readOnly, sensitive }] }] }
 * ```
 *
 * @example
 * ```ts
 * await handleDescribeConfigs({ id: 6, op: "describeConfigs", resources: [{ type: "topic", name: "orders", keys: ["retention.ms"] }] }, scope);
 * ```
 * @module
 */
import { BROKER_CONFIG_KEYS } from "../../core/config/broker-config-keys.ts";
import { EdgelogError } from "../../core/errors.ts";
import { withError } from "../../protocol/envelope.ts";
import {
  describeConfigsResponse,
  type ConfigEntry,
  type DescribeConfigsRequest,
  type DescribeConfigsResult,
} from "../../protocol/ops/describe-configs.ts";
import type { BrokerContext } from "../broker-context.ts";
import type { Handler } from "./handler.ts";

/**
 * Answers `describeConfigs`.
 *
 * @example
 * ```ts
 * HANDLERS.describeConfigs = handleDescribeConfigs;
 * ```
 */
export const handleDescribeConfigs: Handler<DescribeConfigsRequest> = async (request, { broker }) => {
  const results: DescribeConfigsResult[] = request.resources.map(({ type, name, keys }) => {
    try {
      const all = type === "topic" ? topicConfigs(broker, name) : brokerConfigs(broker, name);
      const configs = keys === null ? all : all.filter((entry) => keys.includes(entry.key));
      return { type, name, configs };
    } catch (error) {
      return withError({ type, name, configs: [] as ConfigEntry[] }, error);
    }
  });
  return describeConfigsResponse(request.id, results);
};

function topicConfigs(broker: BrokerContext, name: string): ConfigEntry[] {
  return broker.topics.describeConfigs(name).map((entry) => ({
    key: entry.name,
    value: entry.sensitive ? null : entry.value,
    source: entry.source,
    readOnly: entry.readOnly,
    sensitive: entry.sensitive,
  }));
}

function brokerConfigs(broker: BrokerContext, name: string): ConfigEntry[] {
  checkBrokerName(broker, name);
  const raw = broker.config.raw;
  return BROKER_CONFIG_KEYS.map((key) => {
    const set = raw.get(key.name);
    return {
      key: key.name,
      value: set ?? key.default,
      source: set === undefined ? "DEFAULT_CONFIG" : "STATIC_BROKER_CONFIG",
      readOnly: true,
      sensitive: false,
    };
  });
}

/**
 * Throws INVALID_REQUEST unless `name` is this broker's id in decimal.
 *
 * @example
 * ```ts
 * checkBrokerName(broker, "0");
 * ```
 */
export function checkBrokerName(broker: BrokerContext, name: string): void {
  if (name !== String(broker.config.brokerId)) {
    throw new EdgelogError("INVALID_REQUEST", `Unexpected broker id, expected ${broker.config.brokerId} but received ${name}`);
  }
}
