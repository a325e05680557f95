/**
 * Numbers as Kafka's Java tools print them: `Double.toString` (always a fraction or an exponent:
 * `10.0`, `83.33333333333333`, `1.5E7`) for the JSON of the verifiable tools, and `%.Nf` (rounded
 * half up) for the perf tools' summaries.
 *
 * @example
 * ```ts
 * javaDouble(10);          // "10.0"
 * javaFixed(2.345, 2);     // "2.35"
 * ```
 * @module
 */

/**
 * A double as Java's `Double.toString` writes it; NaN and infinities as Java names them.
 *
 * @example
 * ```ts
 * javaDouble(83.33333333333333); // "83.33333333333333"
 * javaDouble(12_345_678);        // "1.2345678E7"
 * javaDouble(0.0001);            // "1.0E-4"
 * ```
 */
export function javaDouble(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (!Number.isFinite(value)) return value > 0 ? "Infinity" : "-Infinity";
  if (value === 0) return Object.is(value, -0) ? "-0.0" : "0.0";
  const abs = Math.abs(value);
  if (abs >= 1e-3 && abs < 1e7) {
    const text = String(value);
    return text.includes(".") ? text : `${text}.0`;
  }
  const [mantissa, exponent] = value.toExponential().split("e") as [string, string];
  return `${mantissa.includes(".") ? mantissa : `${mantissa}.0`}E${Number(exponent)}`;
}

/**
 * `String.format("%.<digits>f", value)`: fixed digits, rounded half up (away from zero).
 *
 * @example
 * ```ts
 * javaFixed(0.125, 2); // "0.13"
 * javaFixed(3, 1);     // "3.0"
 * ```
 */
export function javaFixed(value: number, digits: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (!Number.isFinite(value)) return value > 0 ? "Infinity" : "-Infinity";
  const factor = 10 ** digits;
  // Nudge by a relative epsilon so that binary halves (0.125 stored as 0.12499…) round up as Java's decimal rounding does.
  const scaled = Math.abs(value) * factor;
  const rounded = Math.floor(scaled + 0.5 + scaled * Number.EPSILON);
  const text = (rounded / factor).toFixed(digits);
  return value < 0 && rounded !== 0 ? `-${text}` : text;
}

/**
 * A time (ms since the epoch, local time zone) in a `java.text.SimpleDateFormat` pattern, for the
 * letters the perf tools use: `y` year, `M` month, `d` day, `H` hour (0-23), `m` minute, `s` second,
 * `S` millisecond, `'quoted'` literal text; other characters are copied.
 *
 * @example
 * ```ts
 * simpleDateFormat(Date.now(), "yyyy-MM-dd HH:mm:ss:SSS"); // "2024-01-10 13:27:18:441"
 * ```
 */
export function simpleDateFormat(ms: number, pattern: string): string {
  const date = new Date(ms);
  const fields: Record<string, number> = {
    y: date.getFullYear(),
    M: date.getMonth() + 1,
    d: date.getDate(),
    H: date.getHours(),
    m: date.getMinutes(),
    s: date.getSeconds(),
    S: date.getMilliseconds(),
  };
  let out = "";
  for (let i = 0; i < pattern.length; ) {
    const c = pattern[i]!;
    if (c === "'") {
      const end = pattern.indexOf("'", i + 1);
      const literal = end < 0 ? pattern.slice(i + 1) : pattern.slice(i + 1, end);
      out += literal === "" ? "'" : literal;
      i = end < 0 ? pattern.length : end + 1;
      continue;
    }
    let run = 1;
    while (pattern[i + run] === c) run++;
    const value = fields[c];
    if (value === undefined) out += c.repeat(run);
    else if (c === "y" && run === 2) out += String(value % 100).padStart(2, "0");
    else out += String(value).padStart(run, "0");
    i += run;
  }
  return out;
}
