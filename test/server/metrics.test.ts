import { describe, expect, it } from "vitest";
import { BrokerMetrics, LATENCY_BUCKETS } from "../../src/server/metrics.ts";
import { escapeLabelValue, formatSampleValue, PrometheusText } from "../../src/server/prometheus-text.ts";

describe("PrometheusText", () => {
  it("escapeLabelValue() escapes backslash, double quote and newline", () => {
    expect(escapeLabelValue('a"b\\c\nd')).toBe('a\\"b\\\\c\\nd');
  });

  it("formatSampleValue() spells infinities and NaN as Prometheus does", () => {
    expect([Infinity, -Infinity, NaN, 0.25, 42].map(formatSampleValue)).toEqual(["+Inf", "-Inf", "NaN", "0.25", "42"]);
  });

  it("writes HELP and TYPE lines, then samples with labels in order", () => {
    const out = new PrometheusText();
    out.family("x_total", "counter", "Things\nseen");
    out.sample("x_total", { topic: "a", partition: "1" }, 3);
    out.sample("x_total", {}, 4);
    expect(out.toString()).toBe('# HELP x_total Things\\nseen\n# TYPE x_total counter\nx_total{topic="a",partition="1"} 3\nx_total 4\n');
  });
});

describe("BrokerMetrics", () => {
  it("the latency histogram has cumulative buckets, +Inf, sum and count per op", () => {
    const m = new BrokerMetrics([0.01, 0.1, 1]);
    m.observeLatency("fetch", 0.005);
    m.observeLatency("fetch", 0.05);
    m.observeLatency("fetch", 5);
    m.observeLatency("produce", 0.1);
    const lines = m.render({ connections: 0, partitions: [] }).split("\n");
    expect(lines.filter((l) => l.startsWith("edgelog_request_latency_seconds") && l.includes('op="fetch"'))).toEqual([
      'edgelog_request_latency_seconds_bucket{op="fetch",le="0.01"} 1',
      'edgelog_request_latency_seconds_bucket{op="fetch",le="0.1"} 2',
      'edgelog_request_latency_seconds_bucket{op="fetch",le="1"} 2',
      'edgelog_request_latency_seconds_bucket{op="fetch",le="+Inf"} 3',
      "edgelog_request_latency_seconds_sum{op=\"fetch\"} 5.055",
      'edgelog_request_latency_seconds_count{op="fetch"} 3',
    ]);
    // A value on a bucket's bound falls in that bucket (le: less than or equal).
    expect(lines).toContain('edgelog_request_latency_seconds_bucket{op="produce",le="0.1"} 1');
  });

  it("counters add up by topic and a deleted topic's counters disappear", () => {
    const m = new BrokerMetrics();
    m.recordIn("a", 2, 100);
    m.recordIn("a", 1, 50);
    m.recordOut("b", 4, 10);
    expect(m.topicCounters("a")).toMatchObject({ recordsIn: 3, bytesIn: 150 });
    const text = m.render({ connections: 1, partitions: [] });
    expect(text).toContain('edgelog_bytes_in_total{topic="a"} 150');
    expect(text).toContain('edgelog_records_out_total{topic="b"} 4');
    expect(text).toContain('edgelog_records_out_total{topic="a"} 0');
    m.forgetTopic("a");
    expect(m.render({ connections: 1, partitions: [] })).not.toContain('topic="a"');
  });

  it("partition gauges are sorted by topic and partition", () => {
    const m = new BrokerMetrics();
    const text = m.render({
      connections: 0,
      partitions: [
        { topic: "b", partition: 0, logStartOffset: 0, logEndOffset: 1, highWatermark: 1 },
        { topic: "a", partition: 10, logStartOffset: 5, logEndOffset: 9, highWatermark: 8 },
        { topic: "a", partition: 2, logStartOffset: 0, logEndOffset: 3, highWatermark: 3 },
      ],
    });
    expect(text.split("\n").filter((l) => l.startsWith("edgelog_high_watermark"))).toEqual([
      'edgelog_high_watermark{topic="a",partition="2"} 3',
      'edgelog_high_watermark{topic="a",partition="10"} 8',
      'edgelog_high_watermark{topic="b",partition="0"} 1',
    ]);
  });

  it("the default buckets are increasing", () => {
    for (let i = 1; i < LATENCY_BUCKETS.length; i++) expect(LATENCY_BUCKETS[i]!).toBeGreaterThan(LATENCY_BUCKETS[i - 1]!);
  });
});
