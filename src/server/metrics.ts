/**
 * The broker's metrics and their Prometheus exposition (`GET /metrics`):
 *
 * | metric | type | labels |
 * |---|---|---|
 * | `edgelog_bytes_in_total` | counter | topic: record batch bytes appended |
 * | `edgelog_bytes_out_total` | counter | topic: record batch bytes sent by fetch and subscribe |
 * | `edgelog_records_in_total` | counter | topic |
 * | `edgelog_records_out_total` | counter | topic |
 * | `edgelog_failed_produce_total` | counter | topic: partitions a produce request failed to append to |
 * | `edgelog_connections` | gauge | open WebSocket sessions |
 * | `edgelog_request_latency_seconds` | histogram | op: time from a request frame to its reply |
 * | `edgelog_log_start_offset` | gauge | topic, partition |
 * | `edgelog_log_end_offset` | gauge | topic, partition |
 * | `edgelog_high_watermark` | gauge | topic, partition |
 * | `edgelog_consumer_group_committed_offset` | gauge | group, topic, partition: the committed offset (CURRENT-OFFSET) |
 * | `edgelog_consumer_group_lag` | gauge | group, topic, partition: high watermark − committed offset (LAG) |
 *
 * Counters live here; gauges are read from the logs and the group coordinator when the exposition
 * is rendered.
 *
 * @example
 * ```ts
 * const metrics = new BrokerMetrics();
 * metrics.recordIn("orders", 10, 1200);
 * metrics.observeLatency("produce", 0.002);
 * const text = metrics.render({ connections: 2, partitions: [{ topic: "orders", partition: 0, logStartOffset: 0, logEndOffset: 10, highWatermark: 10 }] });
 * ```
 * @module
 */
import { PrometheusText } from "./prometheus-text.ts";

/**
 * Upper bounds (seconds) of the request latency histogram's buckets.
 *
 * @example
 * ```ts
 * const metrics = new BrokerMetrics(LATENCY_BUCKETS);
 * ```
 */
export const LATENCY_BUCKETS: readonly number[] = Object.freeze([
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30,
]);

/**
 * The offsets of one partition, for the gauges.
 *
 * @example
 * ```ts
 * const p: PartitionOffsets = { topic: "orders", partition: 0, logStartOffset: 0, logEndOffset: 10, highWatermark: 10 };
 * ```
 */
export interface PartitionOffsets {
  topic: string;
  partition: number;
  logStartOffset: number;
  logEndOffset: number;
  highWatermark: number;
}

/**
 * A consumer group's committed offset of one partition and its lag (null when the partition's log
 * end is unknown), for the group gauges.
 *
 * @example
 * ```ts
 * const g: GroupOffsetGauge = { group: "billing", topic: "orders", partition: 0, committedOffset: 35, lag: 2 };
 * ```
 */
export interface GroupOffsetGauge {
  group: string;
  topic: string;
  partition: number;
  committedOffset: number;
  lag: number | null;
}

/**
 * The gauges' current values, read when rendering.
 *
 * @example
 * ```ts
 * metrics.render({ connections: sessions.size, partitions: offsetsOfEveryPartition() });
 * ```
 */
export interface GaugeValues {
  connections: number;
  partitions: Iterable<PartitionOffsets>;
  /** Committed offsets and lag of consumer groups; none when absent. */
  groups?: Iterable<GroupOffsetGauge>;
}

interface TopicCounters {
  bytesIn: number;
  bytesOut: number;
  recordsIn: number;
  recordsOut: number;
  failedProduce: number;
}

interface Histogram {
  /** Per bucket, observations at or below its bound (not cumulative; summed when rendered). */
  counts: number[];
  sum: number;
  count: number;
}

/**
 * Counters and histograms of one broker.
 *
 * @example
 * ```ts
 * const metrics = new BrokerMetrics();
 * metrics.recordOut("orders", 5, 600);
 * metrics.render({ connections: 0, partitions: [] }).includes('edgelog_records_out_total{topic="orders"} 5'); // true
 * ```
 */
export class BrokerMetrics {
  private readonly topics = new Map<string, TopicCounters>();
  private readonly latency = new Map<string, Histogram>();

  constructor(private readonly buckets: readonly number[] = LATENCY_BUCKETS) {}

  /** Counts records appended to a topic. */
  recordIn(topic: string, records: number, bytes: number): void {
    const c = this.counters(topic);
    c.recordsIn += records;
    c.bytesIn += bytes;
  }

  /** Counts records sent to consumers of a topic. */
  recordOut(topic: string, records: number, bytes: number): void {
    const c = this.counters(topic);
    c.recordsOut += records;
    c.bytesOut += bytes;
  }

  /** Counts a partition of a produce request that failed (with any acks, 0 included). */
  produceFailed(topic: string): void {
    this.counters(topic).failedProduce++;
  }

  /** Adds one request's latency, in seconds, to the histogram of its op. */
  observeLatency(op: string, seconds: number): void {
    let h = this.latency.get(op);
    if (!h) {
      h = { counts: new Array<number>(this.buckets.length).fill(0), sum: 0, count: 0 };
      this.latency.set(op, h);
    }
    const value = Math.max(0, seconds);
    const i = this.buckets.findIndex((bound) => value <= bound);
    if (i >= 0) h.counts[i]!++;
    h.sum += value;
    h.count++;
  }

  /** Drops a deleted topic's counters, as Kafka removes a topic's metrics. */
  forgetTopic(topic: string): void {
    this.topics.delete(topic);
  }

  /** Counters of a topic (zeros when none), for tests and the admin API. */
  topicCounters(topic: string): Readonly<TopicCounters> {
    return { ...(this.topics.get(topic) ?? emptyCounters()) };
  }

  /** The exposition in Prometheus text format 0.0.4. */
  render(gauges: GaugeValues): string {
    const out = new PrometheusText();
    const topics = [...this.topics.keys()].sort();
    const counter = (name: string, help: string, field: keyof TopicCounters): void => {
      out.family(name, "counter", help);
      for (const topic of topics) out.sample(name, { topic }, this.topics.get(topic)![field]);
    };
    counter("edgelog_bytes_in_total", "Record batch bytes appended to the log, by topic", "bytesIn");
    counter("edgelog_bytes_out_total", "Record batch bytes sent to consumers by fetch and subscribe, by topic", "bytesOut");
    counter("edgelog_records_in_total", "Records appended to the log, by topic", "recordsIn");
    counter("edgelog_records_out_total", "Records sent to consumers by fetch and subscribe, by topic", "recordsOut");
    counter("edgelog_failed_produce_total", "Partitions of produce requests that failed to append, by topic", "failedProduce");

    out.family("edgelog_connections", "gauge", "Open WebSocket sessions");
    out.sample("edgelog_connections", {}, gauges.connections);

    const name = "edgelog_request_latency_seconds";
    out.family(name, "histogram", "Time from a request frame to its reply, by op");
    for (const op of [...this.latency.keys()].sort()) {
      const h = this.latency.get(op)!;
      let cumulative = 0;
      this.buckets.forEach((bound, i) => {
        cumulative += h.counts[i]!;
        out.sample(`${name}_bucket`, { op, le: String(bound) }, cumulative);
      });
      out.sample(`${name}_bucket`, { op, le: "+Inf" }, h.count);
      out.sample(`${name}_sum`, { op }, h.sum);
      out.sample(`${name}_count`, { op }, h.count);
    }

    const partitions = [...gauges.partitions].sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition));
    const gauge = (metric: string, help: string, field: "logStartOffset" | "logEndOffset" | "highWatermark"): void => {
      out.family(metric, "gauge", help);
      for (const p of partitions) out.sample(metric, { topic: p.topic, partition: String(p.partition) }, p[field]);
    };
    gauge("edgelog_log_start_offset", "The first offset of a partition's log", "logStartOffset");
    gauge("edgelog_log_end_offset", "The offset the next record appended to a partition will get", "logEndOffset");
    gauge("edgelog_high_watermark", "The end of what consumers of a partition may read", "highWatermark");

    const groups = [...(gauges.groups ?? [])].sort(
      (a, b) => compare(a.group, b.group) || compare(a.topic, b.topic) || a.partition - b.partition,
    );
    const labels = (g: GroupOffsetGauge): Record<string, string> => ({ group: g.group, topic: g.topic, partition: String(g.partition) });
    out.family("edgelog_consumer_group_committed_offset", "gauge", "The offset a consumer group committed for a partition (CURRENT-OFFSET)");
    for (const g of groups) out.sample("edgelog_consumer_group_committed_offset", labels(g), g.committedOffset);
    out.family("edgelog_consumer_group_lag", "gauge", "Records of a partition past a consumer group's committed offset: high watermark minus committed offset (LAG)");
    for (const g of groups) if (g.lag !== null) out.sample("edgelog_consumer_group_lag", labels(g), g.lag);
    return out.toString();
  }

  private counters(topic: string): TopicCounters {
    let c = this.topics.get(topic);
    if (!c) {
      c = emptyCounters();
      this.topics.set(topic, c);
    }
    return c;
  }
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function emptyCounters(): TopicCounters {
  return { bytesIn: 0, bytesOut: 0, recordsIn: 0, recordsOut: 0, failedProduce: 0 };
}
