/**
 * Java `.properties` text, read and written the way `java.util.Properties.load(Reader)` and `store`
 * do, so that a Kafka `server.properties` file means the same thing to edgelog as to Kafka.
 *
 * Reading rules (Java's):
 * - Lines end at `\n`, `\r` or `\r\n`. Leading whitespace (space, tab, form feed) is skipped; blank
 *   lines are ignored; a line whose first other character is `#` or `!` is a comment.
 * - A line ending in an odd number of backslashes continues on the next line; the backslash and line
 *   break are dropped, and so is the leading whitespace of the continued line. Comments never
 *   continue, and a continued line is never a comment.
 * - The key runs to the first unescaped `=`, `:` or whitespace. Whitespace around that separator is
 *   skipped, and one `=` or `:` after whitespace is part of the separator. The value is the rest of
 *   the line: its leading whitespace is dropped, its trailing whitespace is kept (Kafka trims values
 *   when it parses them; so does `broker-config.ts`).
 * - Escapes in keys and values: `\t`, `\n`, `\r`, `\f`, `\uXXXX`; a backslash before any other
 *   character stands for that character (`\=`, `\:`, `\ `, `\\`, `\#`).
 * - A key given twice keeps its last value.
 *
 * The text is taken already decoded (Java's `load(Reader)`); Kafka itself reads server.properties as
 * ISO-8859-1 bytes, which matters only for non-ASCII text written without `\u` escapes.
 *
 * @example
 * ```ts
 * const props = parseProperties("# broker\nbroker.id=0\nlog.dirs = /var/edgelog\n");
 * props.get("log.dirs"); // "/var/edgelog"
 * formatProperties(props); // "broker.id=0\nlog.dirs=/var/edgelog\n"
 * ```
 * @module
 */
import { EdgelogError } from "../errors.ts";

/**
 * Parses Java `.properties` text into an ordered map (first appearance order, last value wins).
 * A malformed `\uXXXX` escape throws `INVALID_CONFIG` naming the line.
 *
 * @example
 * ```ts
 * const props = parseProperties("a = 1\nb: two \\\n    words\nc\\ d=\\u0041\n");
 * props.get("a"); // "1"
 * props.get("b"); // "two words"
 * props.get("c d"); // "A"
 * ```
 */
export function parseProperties(text: string): Map<string, string> {
  const result = new Map<string, string>();
  for (const line of logicalLines(text)) {
    const { key, value } = splitLine(line.text);
    result.set(unescape(key, line.number), unescape(value, line.number));
  }
  return result;
}

/**
 * Options for {@link formatProperties}.
 *
 * @example
 * ```ts
 * formatProperties(props, { comments: "written by edgelog", escapeUnicode: false });
 * ```
 */
export interface FormatPropertiesOptions {
  /** Lines written first as `#` comments (line breaks inside start new comment lines). */
  comments?: string;
  /**
   * Write every character outside printable ASCII as `\uXXXX`, as Java's `store` does, so that the
   * file reads the same as ISO-8859-1 (Kafka's reading) and as UTF-8 (default true).
   */
  escapeUnicode?: boolean;
}

/**
 * Writes a map as `.properties` text, one `key=value` line each, escaping whatever
 * {@link parseProperties} would otherwise read differently; `parseProperties(formatProperties(m))`
 * gives back `m`.
 *
 * @example
 * ```ts
 * formatProperties(new Map([["log.dirs", "/data"], ["a key", " x=y"]]));
 * // "log.dirs=/data\na\\ key=\\ x\\=y\n"
 * ```
 */
export function formatProperties(
  entries: ReadonlyMap<string, string> | Readonly<Record<string, string>>,
  options: FormatPropertiesOptions = {},
): string {
  const escapeUnicode = options.escapeUnicode ?? true;
  const pairs = entries instanceof Map ? [...entries] : Object.entries(entries);
  let out = "";
  if (options.comments !== undefined) {
    for (const line of options.comments.split(/\r\n|\r|\n/)) out += `#${line}\n`;
  }
  for (const [key, value] of pairs) {
    out += `${escape(key, true, escapeUnicode)}=${escape(value, false, escapeUnicode)}\n`;
  }
  return out;
}

interface LogicalLine {
  /** The line's text with continuations joined and the leading whitespace dropped. */
  text: string;
  /** 1-based number of the physical line it starts on. */
  number: number;
}

function isBlank(c: string): boolean {
  return c === " " || c === "\t" || c === "\f";
}

/** Splits text into logical lines: no blank lines, no comments, continuations joined. */
function* logicalLines(text: string): Generator<LogicalLine> {
  const physical = text.split(/\r\n|\r|\n/);
  let i = 0;
  while (i < physical.length) {
    const number = i + 1;
    let line = stripLeading(physical[i]!);
    i++;
    if (line === "" || line[0] === "#" || line[0] === "!") continue;
    let joined = "";
    for (;;) {
      if (!endsWithOddBackslashes(line)) {
        joined += line;
        break;
      }
      joined += line.slice(0, -1);
      if (i >= physical.length) break; // a final backslash at the end of the text is dropped
      line = stripLeading(physical[i]!);
      i++;
    }
    yield { text: joined, number };
  }
}

function stripLeading(line: string): string {
  let start = 0;
  while (start < line.length && isBlank(line[start]!)) start++;
  return line.slice(start);
}

function endsWithOddBackslashes(line: string): boolean {
  let count = 0;
  for (let j = line.length - 1; j >= 0 && line[j] === "\\"; j--) count++;
  return count % 2 === 1;
}

/** Splits a logical line into its raw (still escaped) key and value. */
function splitLine(line: string): { key: string; value: string } {
  let keyEnd = 0;
  let valueStart = line.length;
  let hasSeparator = false;
  let escaped = false;
  for (; keyEnd < line.length; keyEnd++) {
    const c = line[keyEnd]!;
    if (!escaped && (c === "=" || c === ":")) {
      valueStart = keyEnd + 1;
      hasSeparator = true;
      break;
    }
    if (!escaped && isBlank(c)) {
      valueStart = keyEnd + 1;
      break;
    }
    escaped = c === "\\" ? !escaped : false;
  }
  while (valueStart < line.length) {
    const c = line[valueStart]!;
    if (!isBlank(c)) {
      if (!hasSeparator && (c === "=" || c === ":")) hasSeparator = true;
      else break;
    }
    valueStart++;
  }
  return { key: line.slice(0, keyEnd), value: line.slice(valueStart) };
}

const SIMPLE_ESCAPES: Record<string, string> = { t: "\t", n: "\n", r: "\r", f: "\f" };

function unescape(raw: string, lineNumber: number): string {
  if (!raw.includes("\\")) return raw;
  let out = "";
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    if (c !== "\\") {
      out += c;
      continue;
    }
    i++;
    if (i >= raw.length) break; // a lone trailing backslash stands for nothing
    const e = raw[i]!;
    if (e === "u") {
      const hex = raw.slice(i + 1, i + 5);
      if (!/^[0-9a-fA-F]{4}$/.test(hex)) {
        throw new EdgelogError("INVALID_CONFIG", `Malformed \\uXXXX escape on line ${lineNumber} of the properties text`);
      }
      out += String.fromCharCode(Number.parseInt(hex, 16));
      i += 4;
    } else {
      out += SIMPLE_ESCAPES[e] ?? e;
    }
  }
  return out;
}

function escape(text: string, isKey: boolean, escapeUnicode: boolean): string {
  let out = "";
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    const code = text.charCodeAt(i);
    switch (c) {
      case " ":
        out += isKey || i === 0 ? "\\ " : " ";
        break;
      case "\t":
        out += "\\t";
        break;
      case "\n":
        out += "\\n";
        break;
      case "\r":
        out += "\\r";
        break;
      case "\f":
        out += "\\f";
        break;
      case "\\":
      case "=":
      case ":":
      case "#":
      case "!":
        out += `\\${c}`;
        break;
      default:
        if (code < 0x20 || code === 0x7f || (escapeUnicode && code > 0x7e)) {
          out += `\\u${code.toString(16).toUpperCase().padStart(4, "0")}`;
        } else {
          out += c;
        }
    }
  }
  return out;
}
