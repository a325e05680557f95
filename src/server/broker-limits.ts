/**
 * The per-connection limits the broker announces in `hello` (`limits`) and enforces.
 *
 * | limit | from | when exceeded |
 * |---|---|---|
 * | maxFrameBytes | `socket.request.max.bytes` | the connection closes with 1009 |
 * | maxMessageBytes | `message.max.bytes` (topics: `max.message.bytes`) | MESSAGE_TOO_LARGE for the partition |
 * | maxInFlight | `edgelog.max.in.flight.requests.per.connection` | RESOURCE_LIMIT_EXCEEDED for the request |
 * | maxSubscriptions | `edgelog.max.subscriptions.per.connection` | RESOURCE_LIMIT_EXCEEDED for the subscribe |
 * | maxWaitMs | 30000 ms, Kafka's default `request.timeout.ms` | a fetch's `maxWaitMs` is cut to it |
 *
 * A client gives up on a request after `request.timeout.ms`, so a fetch waiting longer serves no one.
 *
 * @example
 * ```ts
 * const limits = connectionLimits(config); // { maxFrameBytes: 104857600, ..., maxWaitMs: 30000 }
 * ```
 * @module
 */
import type { BrokerConfig } from "../core/config/broker-config.ts";
import type { HelloLimits } from "../protocol/ops/hello.ts";

/**
 * The longest `maxWaitMs` a fetch may wait; longer ones are cut to it.
 *
 * @example
 * ```ts
 * const waitMs = Math.min(request.maxWaitMs, FETCH_MAX_WAIT_MS_LIMIT);
 * ```
 */
export const FETCH_MAX_WAIT_MS_LIMIT = 30_000;

/**
 * The limits of every connection under `config`.
 *
 * @example
 * ```ts
 * connectionLimits(config).maxInFlight; // edgelog.max.in.flight.requests.per.connection
 * ```
 */
export function connectionLimits(config: BrokerConfig): HelloLimits {
  return {
    maxFrameBytes: config.socketRequestMaxBytes,
    maxMessageBytes: config.messageMaxBytes,
    maxInFlight: config.maxInFlightRequestsPerConnection,
    maxSubscriptions: config.maxSubscriptionsPerConnection,
    maxWaitMs: FETCH_MAX_WAIT_MS_LIMIT,
  };
}
