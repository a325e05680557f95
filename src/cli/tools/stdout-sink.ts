/**
 * Raw output for the tools that print record bytes as they are (console-consumer): writes to the
 * process's standard output, waits when the pipe is full, and reports when nobody reads any more
 * (a closed pipe, as `| head` leaves it) instead of crashing.
 *
 * @example
 * ```ts
 * const sink = stdoutSink();
 * await sink.write(new TextEncoder().encode("hello\n"));
 * if (sink.broken) console.error("Unable to write to standard out");
 * ```
 * @module
 */
import process from "node:process";

/**
 * Where record bytes go.
 *
 * @example
 * ```ts
 * const sink: ByteSink = { broken: false, write: async (bytes) => void chunks.push(bytes) };
 * ```
 */
export interface ByteSink {
  /** True once a write failed (the reader went away); later writes are dropped. */
  readonly broken: boolean;
  /** Writes bytes; resolves when the stream can take more. */
  write(bytes: Uint8Array): Promise<void>;
}

/**
 * A sink on `process.stdout`.
 *
 * @example
 * ```ts
 * await stdoutSink().write(bytes);
 * ```
 */
export function stdoutSink(): ByteSink {
  const out = process.stdout;
  let broken = false;
  out.on("error", () => {
    broken = true;
  });
  return {
    get broken() {
      return broken;
    },
    write(bytes) {
      if (broken || bytes.length === 0) return Promise.resolve();
      return new Promise((resolve) => {
        let ok: boolean;
        try {
          ok = out.write(bytes, (error) => {
            if (error) broken = true;
          });
        } catch {
          broken = true;
          resolve();
          return;
        }
        if (ok) resolve();
        else {
          const done = (): void => {
            out.off("drain", done);
            out.off("close", done);
            resolve();
          };
          out.on("drain", done);
          out.on("close", done);
        }
      });
    },
  };
}
