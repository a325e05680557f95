/**
 * How the cluster code reports what it does: the same shape as the broker's logger, so the broker
 * passes its own.
 *
 * @example
 * ```ts
 * const logger: ClusterLogger = (level, message) => console[level](message);
 * ```
 * @module
 */

/**
 * A log line sink.
 *
 * @example
 * ```ts
 * const lines: string[] = [];
 * const logger: ClusterLogger = (level, message) => lines.push(`${level} ${message}`);
 * ```
 */
export type ClusterLogger = (level: "info" | "warn" | "error", message: string) => void;

/**
 * A logger that drops everything.
 *
 * @example
 * ```ts
 * const logger = options.logger ?? silentLogger;
 * ```
 */
export const silentLogger: ClusterLogger = () => {};

/**
 * The message of an unknown thrown value, on one line.
 *
 * @example
 * ```ts
 * logger("warn", `Cannot reach etcd: ${errorMessage(error)}`);
 * ```
 */
export function errorMessage(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).replace(/\s*\n\s*/g, " ");
}
