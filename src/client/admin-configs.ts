/**
 * The config ops of the admin client: read and change the configs of topics and brokers.
 * {@link Admin} documents each one; these functions do the work behind its methods.
 *
 * @example
 * ```ts
 * const { resources } = await describeConfigs(requests, { resources: [{ type: "topic", name: "orders" }] });
 * ```
 * @module
 */
import type { AlterConfigsResponse, DescribeConfigsResponse } from "../protocol/index.ts";
import type { Admin } from "./admin.ts";
import { type AdminRequests, itemError, list } from "./admin-request.ts";
import type { DescribedConfigs } from "./admin-types.ts";

/**
 * {@link Admin.describeConfigs}: the configs of topics or brokers; rejects with a per-resource error.
 *
 * @example
 * ```ts
 * const { resources } = await describeConfigs(requests, { resources: [{ type: "topic", name: "orders" }] });
 * resources[0]!.configEntries.find((e) => e.configName === "retention.ms")?.configValue;
 * ```
 */
export async function describeConfigs(
  requests: AdminRequests,
  request: Parameters<Admin["describeConfigs"]>[0],
): Promise<{ resources: DescribedConfigs[] }> {
  const resources = list(request?.resources, "describeConfigs() resources").map((r) => ({
    type: r.type,
    name: r.name,
    keys: r.configNames ?? null,
  }));
  const reply = await requests.call<DescribeConfigsResponse>("describeConfigs", { resources });
  return {
    resources: reply.resources.map((r) => {
      if (r.error !== undefined) throw itemError(r.error, { type: r.type, name: r.name });
      return {
        type: r.type,
        name: r.name,
        configEntries: r.configs.map((c) => ({
          configName: c.key,
          configValue: c.value,
          readOnly: c.readOnly,
          isDefault: c.source === "DEFAULT_CONFIG",
          configSource: c.source,
          isSensitive: c.sensitive,
        })),
      };
    }),
  };
}

/**
 * {@link Admin.alterConfigs}: sets and deletes config keys; rejects with a per-resource error.
 *
 * @example
 * ```ts
 * await alterConfigs(requests, { resources: [{ type: "topic", name: "orders", set: { "retention.ms": 3_600_000 } }] });
 * ```
 */
export async function alterConfigs(requests: AdminRequests, request: Parameters<Admin["alterConfigs"]>[0]): Promise<void> {
  const resources = list(request?.resources, "alterConfigs() resources").map((r) => {
    const set: Record<string, string> = {};
    for (const [key, value] of Object.entries(r.set ?? {})) set[key] = String(value);
    return { type: r.type, name: r.name, set, delete: r.delete ?? [] };
  });
  const reply = await requests.call<AlterConfigsResponse>("alterConfigs", { resources, validateOnly: request.validateOnly ?? false });
  for (const r of reply.resources) if (r.error !== undefined) throw itemError(r.error, { type: r.type, name: r.name });
}
