/**
 * A small JSON admin API over HTTP (documented in docs/http-api.md):
 *
 * - `GET /admin/topics`: every topic with its partition count, replication factor and overrides.
 * - `POST /admin/topics` `{name, partitions?, replicationFactor?, configs?}`: creates a topic;
 *   201 with its description.
 * - `GET /admin/topics/:name`: one topic with its partitions (leader, replicas, isr, offsets) and
 *   its config overrides; 404 when unknown.
 *
 * Errors answer `{"error": {code, message, retriable}}` with Kafka's error name and a status:
 * 400 for invalid input, 404 unknown topic, 409 topic exists, 500 otherwise.
 *
 * @example
 * ```ts
 * registerAdminRoutes(app, ctx);
 * await app.request("/admin/topics", { method: "POST", body: JSON.stringify({ name: "orders", partitions: 3 }) });
 * ```
 * @module
 */
import type { Context, Hono } from "hono";
import { EdgelogError, type ErrorCode } from "../core/errors.ts";
import type { TopicDescription } from "../core/topic/topic-registry.ts";
import { toWireError } from "../protocol/envelope.ts";
import { Fields, INT16_MAX, INT32_MAX, readStringMap } from "../protocol/fields.ts";
import type { BrokerContext } from "./broker-context.ts";

/** HTTP statuses of error codes other than 500. */
const STATUS: Partial<Record<ErrorCode, 400 | 404 | 409>> = {
  INVALID_REQUEST: 400,
  INVALID_TOPIC_EXCEPTION: 400,
  INVALID_PARTITIONS: 400,
  INVALID_REPLICATION_FACTOR: 400,
  INVALID_CONFIG: 400,
  POLICY_VIOLATION: 400,
  UNKNOWN_TOPIC_OR_PARTITION: 404,
  TOPIC_ALREADY_EXISTS: 409,
};

/**
 * Adds the `/admin` routes to `app`.
 *
 * @example
 * ```ts
 * registerAdminRoutes(app, ctx);
 * ```
 */
export function registerAdminRoutes(app: Hono, broker: BrokerContext): void {
  app.get("/admin/topics", (c) => c.json({ topics: broker.topics.list().map(summary) }));

  app.post("/admin/topics", async (c) => {
    try {
      let body: unknown;
      try {
        body = JSON.parse(await c.req.text());
      } catch {
        throw new EdgelogError("INVALID_REQUEST", "The request body must be a JSON object");
      }
      const f = Fields.of(body);
      const name = f.string("name");
      const created = await broker.topics.createTopic(name, {
        partitions: f.optionalInt("partitions", -1, INT32_MAX, -1),
        replicationFactor: f.optionalInt("replicationFactor", -1, INT16_MAX, -1),
        configs: f.has("configs") ? readStringMap(f.get("configs"), "configs") : {},
      });
      broker.logger("info", `Created topic ${created.name} with ${created.partitions} partition(s) through the admin API`);
      return c.json(describe(broker, created), 201);
    } catch (error) {
      return errorResponse(c, broker, error);
    }
  });

  app.get("/admin/topics/:name", (c) => {
    try {
      return c.json(describe(broker, broker.topics.describe(c.req.param("name"))));
    } catch (error) {
      return errorResponse(c, broker, error);
    }
  });
}

function summary(topic: TopicDescription): object {
  return { name: topic.name, id: topic.id, partitions: topic.partitions, replicationFactor: topic.replicationFactor, configs: topic.configs };
}

function describe(broker: BrokerContext, topic: TopicDescription): object {
  const partitions = [];
  for (let partition = 0; partition < topic.partitions; partition++) {
    const log = broker.logs.getLog(topic.name, partition);
    partitions.push({
      partition,
      leader: broker.view.partition(topic.name, partition)?.leader ?? -1,
      replicas: [...broker.replicas.replicas(topic.name, partition)],
      isr: [...broker.replicas.inSyncReplicas(topic.name, partition)],
      logStartOffset: log?.logStartOffset ?? null,
      logEndOffset: log?.logEndOffset ?? null,
      highWatermark: log?.highWatermark ?? null,
    });
  }
  return { ...summary(topic), partitions };
}

function errorResponse(c: Context, broker: BrokerContext, error: unknown): Response {
  const wire = toWireError(error);
  const status = STATUS[wire.code] ?? 500;
  if (status === 500) broker.logger("error", `Admin API ${c.req.method} ${c.req.path} failed: ${error instanceof Error ? error.message : String(error)}`);
  return c.json({ error: wire }, status);
}
