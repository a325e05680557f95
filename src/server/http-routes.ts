/**
 * The broker's plain HTTP routes: `GET /healthz` and `GET /metrics`, plus JSON answers for unknown
 * paths and unexpected failures. The admin API lives in `admin-routes.ts`; WebSocket upgrades on
 * "/" are routed to sessions by the runtime adapters before requests reach this app.
 *
 * - `/healthz`: 200 `{"status":"ok"}` while the broker serves (its logs are loaded before the app
 *   exists); 503 `{"status":"shutting_down"}` once `close()` began.
 * - `/metrics`: Prometheus text format 0.0.4 (see `metrics.ts`).
 *
 * @example
 * ```ts
 * const app = new Hono();
 * registerHttpRoutes(app, { broker: ctx, connections: () => sessions.size });
 * registerAdminRoutes(app, ctx);
 * await app.request("/healthz"); // 200 {"status":"ok"}
 * ```
 * @module
 */
import type { Hono } from "hono";
import { toWireError } from "../protocol/envelope.ts";
import type { BrokerContext } from "./broker-context.ts";
import type { PartitionOffsets } from "./metrics.ts";
import { PROMETHEUS_CONTENT_TYPE } from "./prometheus-text.ts";

/**
 * What the routes read.
 *
 * @example
 * ```ts
 * const deps: HttpRouteDeps = { broker: ctx, connections: () => sessions.size };
 * ```
 */
export interface HttpRouteDeps {
  broker: BrokerContext;
  /** Open WebSocket sessions. */
  connections: () => number;
}

/**
 * Adds `/healthz`, `/metrics`, and JSON not-found and error answers to `app`.
 *
 * @example
 * ```ts
 * registerHttpRoutes(app, { broker: ctx, connections: () => 0 });
 * ```
 */
export function registerHttpRoutes(app: Hono, deps: HttpRouteDeps): void {
  const { broker } = deps;
  app.get("/healthz", (c) => (broker.closing ? c.json({ status: "shutting_down" }, 503) : c.json({ status: "ok" })));
  app.get("/metrics", (c) => {
    const text = broker.metrics.render({ connections: deps.connections(), partitions: partitionOffsets(broker), groups: broker.groups.offsetGauges() });
    return c.body(text, 200, { "Content-Type": PROMETHEUS_CONTENT_TYPE });
  });
  app.notFound((c) => c.json({ error: { code: "INVALID_REQUEST", message: `No route for ${c.req.method} ${c.req.path}`, retriable: false } }, 404));
  app.onError((error, c) => {
    broker.logger("error", `HTTP ${c.req.method} ${c.req.path} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    return c.json({ error: toWireError(error) }, 500);
  });
}

function* partitionOffsets(broker: BrokerContext): Generator<PartitionOffsets> {
  for (const topic of broker.topics.list()) {
    for (let partition = 0; partition < topic.partitions; partition++) {
      const log = broker.logs.getLog(topic.name, partition);
      if (!log) continue;
      yield {
        topic: topic.name,
        partition,
        logStartOffset: log.logStartOffset,
        logEndOffset: log.logEndOffset,
        highWatermark: log.highWatermark,
      };
    }
  }
}
