import { afterEach, describe, expect, it } from "vitest";
import { startBroker, type Harness } from "./broker-harness.ts";

let h: Harness | undefined;
afterEach(async () => {
  await h?.broker.close();
  h = undefined;
});

const post = (body: unknown): RequestInit => ({ method: "POST", headers: { "Content-Type": "application/json" }, body: typeof body === "string" ? body : JSON.stringify(body) });

describe("/healthz", () => {
  it("/healthz answers 200 ok while serving and 503 once shutting down", async () => {
    h = await startBroker();
    const ok = await h.broker.app.request("/healthz");
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ status: "ok" });
    await h.broker.close();
    const closing = await h.broker.app.request("/healthz");
    expect(closing.status).toBe(503);
    expect(await closing.json()).toEqual({ status: "shutting_down" });
  });
});

describe("/metrics", () => {
  it("/metrics exposes counters by topic, connections, latency by op and partition offsets in Prometheus text", async () => {
    h = await startBroker();
    const c = await h.connect();
    await c.request({ op: "createTopics", topics: [{ topic: "orders", numPartitions: 2 }] });
    await c.request({ op: "produce", acks: 1, topic: "orders", partitions: [{ partition: 1, records: [{ value: "a" }, { value: "b" }] }] });
    const fetched = await c.request({ op: "fetch", topic: "orders", partition: 1, offset: 0 });
    const batchBytes = (fetched["batches"] as Uint8Array).length;
    await c.request({ op: "deleteRecords", topic: "orders", partitions: [{ partition: 1, offset: 1 }] });
    await h.connect();

    const response = await h.broker.app.request("/metrics");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/plain; version=0.0.4; charset=utf-8");
    const text = await response.text();
    const lines = text.split("\n");
    expect(lines).toContain("# TYPE edgelog_bytes_in_total counter");
    expect(lines).toContain(`edgelog_bytes_in_total{topic="orders"} ${batchBytes}`);
    expect(lines).toContain(`edgelog_bytes_out_total{topic="orders"} ${batchBytes}`);
    expect(lines).toContain('edgelog_records_in_total{topic="orders"} 2');
    expect(lines).toContain('edgelog_records_out_total{topic="orders"} 2');
    expect(lines).toContain("edgelog_connections 2");
    expect(lines).toContain("# TYPE edgelog_request_latency_seconds histogram");
    expect(lines).toContain('edgelog_request_latency_seconds_bucket{op="produce",le="+Inf"} 1');
    expect(lines).toContain('edgelog_request_latency_seconds_count{op="fetch"} 1');
    expect(lines).toContain('edgelog_log_end_offset{topic="orders",partition="1"} 2');
    expect(lines).toContain('edgelog_log_start_offset{topic="orders",partition="1"} 1');
    expect(lines).toContain('edgelog_high_watermark{topic="orders",partition="1"} 2');
    expect(lines).toContain('edgelog_log_end_offset{topic="orders",partition="0"} 0');
    // Every sample line is `name{labels} value`; every family has HELP and TYPE.
    for (const line of lines.filter((l) => l !== "" && !l.startsWith("#"))) {
      expect(line).toMatch(/^[a-z_]+(\{[a-z]+="[^"]*"(,[a-z]+="[^"]*")*\})? (\d+(\.\d+)?(e-?\d+)?|\+Inf)$/);
    }
    expect(text.endsWith("\n")).toBe(true);
  });

  it("/metrics does not grow a histogram for unknown ops", async () => {
    h = await startBroker();
    await (await h.connect()).request({ op: "bogus-op" });
    expect(await (await h.broker.app.request("/metrics")).text()).not.toContain("bogus-op");
  });
});

describe("admin API", () => {
  it("POST /admin/topics creates a topic and GET /admin/topics/:name describes it", async () => {
    h = await startBroker({ "broker.id": "2" });
    const created = await h.broker.app.request("/admin/topics", post({ name: "orders", partitions: 2, configs: { "retention.ms": 60000 } }));
    expect(created.status).toBe(201);
    const body = (await created.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ name: "orders", replicationFactor: 1, configs: { "retention.ms": "60000" } });
    expect(body["partitions"]).toEqual([
      { partition: 0, leader: 2, replicas: [2], isr: [2], logStartOffset: 0, logEndOffset: 0, highWatermark: 0 },
      { partition: 1, leader: 2, replicas: [2], isr: [2], logStartOffset: 0, logEndOffset: 0, highWatermark: 0 },
    ]);
    await (await h.connect()).request({ op: "produce", acks: 1, topic: "orders", partitions: [{ partition: 0, records: [{ value: "x" }] }] });
    const described = await h.broker.app.request("/admin/topics/orders");
    expect(described.status).toBe(200);
    expect(((await described.json()) as { partitions: { logEndOffset: number }[] }).partitions[0]!.logEndOffset).toBe(1);
  });

  it("GET /admin/topics lists every topic", async () => {
    h = await startBroker({ "num.partitions": "3" });
    await h.broker.app.request("/admin/topics", post({ name: "b" }));
    await h.broker.app.request("/admin/topics", post({ name: "a", partitions: 1 }));
    const list = (await (await h.broker.app.request("/admin/topics")).json()) as { topics: { name: string; partitions: number }[] };
    expect(list.topics.map((t) => [t.name, t.partitions])).toEqual([
      ["a", 1],
      ["b", 3],
    ]);
  });

  it("the admin API answers errors with Kafka's code and a matching status", async () => {
    h = await startBroker();
    const app = h.broker.app;
    await app.request("/admin/topics", post({ name: "dup" }));
    const cases: [Response | Promise<Response>, number, string][] = [
      [app.request("/admin/topics", post({ name: "dup" })), 409, "TOPIC_ALREADY_EXISTS"],
      [app.request("/admin/topics", post({ name: "bad/name" })), 400, "INVALID_TOPIC_EXCEPTION"],
      [app.request("/admin/topics", post({ partitions: 2 })), 400, "INVALID_REQUEST"],
      [app.request("/admin/topics", post("{not json")), 400, "INVALID_REQUEST"],
      [app.request("/admin/topics", post({ name: "x", partitions: "two" })), 400, "INVALID_REQUEST"],
      [app.request("/admin/topics", post({ name: "y", configs: { "cleanup.policy": "sometimes" } })), 400, "INVALID_CONFIG"],
      [app.request("/admin/topics/ghost"), 404, "UNKNOWN_TOPIC_OR_PARTITION"],
      [app.request("/admin/nothing"), 404, "INVALID_REQUEST"],
    ];
    for (const [pending, status, code] of cases) {
      const response = await pending;
      expect([response.status, ((await response.json()) as { error: { code: string } }).error.code]).toEqual([status, code]);
    }
  });
});
