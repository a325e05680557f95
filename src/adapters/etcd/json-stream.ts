/**
 * Splits a byte stream of concatenated JSON objects (etcd's gateway streams one object per line, but
 * a network chunk may end anywhere) into parsed values, as an explicit state machine over bytes:
 *
 * - `between`: whitespace is skipped; `{` starts an object; anything else is a problem.
 * - `value`: counts nesting of `{`/`[` against `}`/`]`; `"` enters `string`; depth 0 ends the object.
 * - `string`: `\` enters `escape`; `"` returns to `value`.
 * - `escape`: any byte returns to `string`.
 * - `failed`: final; every later push reports the same problem.
 *
 * The structural bytes are ASCII, which never occurs inside a multi-byte UTF-8 sequence, so scanning
 * bytes is safe; a complete object is decoded as UTF-8 and parsed with `JSON.parse`.
 *
 * @example
 * ```ts
 * const stream = jsonObjectStream();
 * stream.push(utf8('{"a":1}\n{"b":')); // { values: [{ a: 1 }] }
 * stream.push(utf8('"x"}\n'));          // { values: [{ b: "x" }] }
 * ```
 * @module
 */

/**
 * What one push yields: the objects completed by the chunk, and a problem when the stream is not JSON objects.
 *
 * @example
 * ```ts
 * const { values, problem } = stream.push(chunk);
 * if (problem !== undefined) reconnect();
 * ```
 */
export interface JsonStreamResult {
  values: unknown[];
  problem?: string;
}

/**
 * An incremental splitter of concatenated JSON objects.
 *
 * @example
 * ```ts
 * const stream = jsonObjectStream();
 * stream.push(chunk);
 * if (stream.partial) console.log("the stream broke inside an object");
 * ```
 */
export interface JsonObjectStream {
  /** Feeds the next chunk. */
  push(chunk: Uint8Array): JsonStreamResult;
  /** Whether the stream stopped inside an object (a torn last object). */
  readonly partial: boolean;
}

type State = "between" | "value" | "string" | "escape" | "failed";

const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

const isWhitespace = (b: number): boolean => b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;

/**
 * Creates a splitter; `maxObjectBytes` (default 64 MiB) bounds one object, so a broken peer cannot
 * make it buffer without end.
 *
 * @example
 * ```ts
 * const stream = jsonObjectStream({ maxObjectBytes: 1 << 20 });
 * for await (const chunk of response.body!) for (const message of stream.push(chunk).values) handle(message);
 * ```
 */
export function jsonObjectStream(options: { maxObjectBytes?: number } = {}): JsonObjectStream {
  const maxObjectBytes = options.maxObjectBytes ?? 64 * 1024 * 1024;
  const decoder = new TextDecoder();
  let state: State = "between";
  let problem = "";
  let depth = 0;
  /** Bytes of the current object from earlier chunks. */
  let parts: Uint8Array[] = [];
  let partsLength = 0;

  function fail(why: string): JsonStreamResult & { problem: string } {
    state = "failed";
    problem = why;
    parts = [];
    partsLength = 0;
    return { values: [], problem };
  }

  function complete(chunk: Uint8Array, start: number, end: number): { value: unknown } | { problem: string } {
    let bytes = chunk.subarray(start, end);
    if (parts.length > 0) {
      const whole = new Uint8Array(partsLength + bytes.length);
      let at = 0;
      for (const part of parts) {
        whole.set(part, at);
        at += part.length;
      }
      whole.set(bytes, at);
      bytes = whole;
      parts = [];
      partsLength = 0;
    }
    const text = decoder.decode(bytes);
    try {
      return { value: JSON.parse(text) as unknown };
    } catch {
      return { problem: `Cannot parse a streamed JSON object: ${text.slice(0, 80)}` };
    }
  }

  return {
    get partial() {
      return state === "value" || state === "string" || state === "escape";
    },
    push(chunk) {
      if (state === "failed") return { values: [], problem };
      const values: unknown[] = [];
      let start = 0; // where the current object starts in this chunk
      for (let i = 0; i < chunk.length; i++) {
        const b = chunk[i]!;
        switch (state) {
          case "between":
            if (isWhitespace(b)) continue;
            if (b !== OPEN_BRACE) return { ...fail(`Expected a JSON object in the stream, found byte 0x${b.toString(16)}`), values };
            state = "value";
            depth = 1;
            start = i;
            break;
          case "value":
            if (b === QUOTE) state = "string";
            else if (b === OPEN_BRACE || b === OPEN_BRACKET) depth++;
            else if (b === CLOSE_BRACE || b === CLOSE_BRACKET) {
              depth--;
              if (depth === 0) {
                const done = complete(chunk, start, i + 1);
                if ("problem" in done) return { ...fail(done.problem), values };
                values.push(done.value);
                state = "between";
              }
            }
            break;
          case "string":
            if (b === BACKSLASH) state = "escape";
            else if (b === QUOTE) state = "value";
            break;
          case "escape":
            state = "string";
            break;
        }
      }
      if (state !== "between") {
        const rest = chunk.slice(start);
        partsLength += rest.length;
        if (partsLength > maxObjectBytes) return { ...fail(`A streamed JSON object exceeds ${maxObjectBytes} bytes`), values };
        parts.push(rest);
      }
      return { values };
    },
  };
}
