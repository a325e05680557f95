/**
 * Ctrl-C for the long-running tools (console-consumer, verifiable producer and consumer, perf
 * tests): the first SIGINT or SIGTERM asks the tool to finish cleanly (print its summary, close its
 * connection); a second one, half a second or more later, exits at once with 128 + the signal's
 * number, as a stuck JVM tool would be killed.
 *
 * @example
 * ```ts
 * const stop = onStopSignal(() => consumer.stop());
 * try { await consuming; } finally { stop(); }
 * ```
 * @module
 */
import process from "node:process";

const SIGNALS = { SIGINT: 2, SIGTERM: 15 } as const;
const DUPLICATE_SIGNAL_MS = 500;

/**
 * Calls `onStop` on the first SIGINT or SIGTERM; returns the function that stops listening.
 *
 * @example
 * ```ts
 * const unlisten = onStopSignal(() => (stopping = true));
 * unlisten();
 * ```
 */
export function onStopSignal(onStop: (signal: string) => void): () => void {
  let firstAt: number | undefined;
  const handlers = Object.entries(SIGNALS).map(([name, number]) => {
    const handler = (): void => {
      const now = performance.now();
      if (firstAt === undefined) {
        firstAt = now;
        onStop(name);
      } else if (now - firstAt >= DUPLICATE_SIGNAL_MS) {
        process.exit(128 + number);
      }
    };
    process.on(name, handler);
    return [name, handler] as const;
  });
  return () => {
    for (const [name, handler] of handlers) process.off(name, handler);
  };
}
