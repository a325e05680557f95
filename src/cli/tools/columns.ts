/**
 * Kafka's tables are Java `printf` lines: each column left-aligned in a fixed or computed width
 * (`%-15s`: at least 15 characters, never cut), columns separated by one space, the last column
 * often unpadded. These helpers build such lines.
 *
 * @example
 * ```ts
 * formatRow(["GROUP", "TOPIC", "PARTITION"], [15, 15, undefined]);
 * // "GROUP           TOPIC           PARTITION"
 * ```
 * @module
 */

/**
 * `text` padded with spaces to at least `width` characters (Java's `%-<width>s`).
 *
 * @example
 * ```ts
 * padRight("LAG", 6); // "LAG   "
 * padRight("long-name", 4); // "long-name"
 * ```
 */
export function padRight(text: string, width: number): string {
  return text.length >= width ? text : text + " ".repeat(width - text.length);
}

/**
 * One line of columns: each value padded to its width (undefined: as it is), joined by one space.
 *
 * @example
 * ```ts
 * formatRow(["g", "t", "0"], [5, 5, 3]); // "g     t     0  "
 * ```
 */
export function formatRow(values: readonly string[], widths: readonly (number | undefined)[]): string {
  return values.map((v, i) => (widths[i] === undefined ? v : padRight(v, widths[i]!))).join(" ");
}

/**
 * The width of a column: the longest of its values, and at least `min` (Kafka computes its column
 * widths so, with a minimum of 15).
 *
 * @example
 * ```ts
 * columnWidth(["my-consumer-group"], 15); // 17
 * ```
 */
export function columnWidth(values: readonly string[], min: number): number {
  return values.reduce((width, v) => Math.max(width, v.length), min);
}
