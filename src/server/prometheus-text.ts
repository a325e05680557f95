/**
 * Writes Prometheus' text exposition format 0.0.4: `# HELP` and `# TYPE` lines, then one sample per
 * line, `name{label="value",...} number`. Label values escape `\`, `"` and newlines; numbers print
 * `+Inf`, `-Inf` and `NaN` as Prometheus spells them.
 *
 * @example
 * ```ts
 * const out = new PrometheusText();
 * out.family("edgelog_connections", "gauge", "Open WebSocket connections");
 * out.sample("edgelog_connections", {}, 3);
 * out.toString(); // "# HELP edgelog_connections Open WebSocket connections\n# TYPE ... gauge\nedgelog_connections 3\n"
 * ```
 * @module
 */

/**
 * The content type of the format, for the HTTP response.
 *
 * @example
 * ```ts
 * return c.body(text, 200, { "Content-Type": PROMETHEUS_CONTENT_TYPE });
 * ```
 */
export const PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

/**
 * A metric family's type.
 *
 * @example
 * ```ts
 * const type: MetricType = "histogram";
 * ```
 */
export type MetricType = "counter" | "gauge" | "histogram";

/**
 * Accumulates the lines of one exposition.
 *
 * @example
 * ```ts
 * const out = new PrometheusText();
 * out.family("edgelog_bytes_in_total", "counter", "Record bytes appended");
 * out.sample("edgelog_bytes_in_total", { topic: "orders" }, 1024);
 * ```
 */
export class PrometheusText {
  private readonly lines: string[] = [];

  /** Starts a metric family with its help text and type. */
  family(name: string, type: MetricType, help: string): void {
    this.lines.push(`# HELP ${name} ${escapeHelp(help)}`, `# TYPE ${name} ${type}`);
  }

  /** One sample line. Labels print in the order given. */
  sample(name: string, labels: Readonly<Record<string, string>>, value: number): void {
    const keys = Object.keys(labels);
    const labelText = keys.length === 0 ? "" : `{${keys.map((k) => `${k}="${escapeLabelValue(labels[k]!)}"`).join(",")}}`;
    this.lines.push(`${name}${labelText} ${formatSampleValue(value)}`);
  }

  /** The exposition, each line ended by a newline. */
  toString(): string {
    return this.lines.length === 0 ? "" : `${this.lines.join("\n")}\n`;
  }
}

/**
 * Escapes a label value: backslash, double quote and line feed.
 *
 * @example
 * ```ts
 * escapeLabelValue('a"b\\c\nd'); // 'a\\"b\\\\c\\nd'
 * ```
 */
export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

/**
 * A sample value as the format writes it.
 *
 * @example
 * ```ts
 * formatSampleValue(Infinity); // "+Inf"
 * formatSampleValue(0.25);     // "0.25"
 * ```
 */
export function formatSampleValue(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (value === Infinity) return "+Inf";
  if (value === -Infinity) return "-Inf";
  return String(value);
}

function escapeHelp(text: string): string {
  return text.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
}
