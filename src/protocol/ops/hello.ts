/**
 * `hello`: the first request on a connection. Picks the protocol version and tells the client who the
 * broker is, what it allows and what it can do.
 *
 * ```
 * HelloRequest =>
 *   id: uint
 *   op: "hello"
 *   versions: [uint16]          versions the client speaks, at least one
 *   clientId?: string           shown in broker logs and metrics
 *   software?: string           client library and version, e.g. "edgelog-js/0.1.0"
 *
 * HelloResponse =>
 *   id: uint
 *   version: uint16             the highest version both speak
 *   brokerId: int32
 *   clusterId: string
 *   limits: {
 *     maxFrameBytes: int        largest request frame (socket.request.max.bytes); larger closes with 1009
 *     maxMessageBytes: int      largest record batch the broker accepts (message.max.bytes)
 *     maxInFlight: int          requests a connection may have unanswered; more get RESOURCE_LIMIT_EXCEEDED
 *     maxSubscriptions: int     subscriptions a connection may hold
 *     maxWaitMs: int            the longest fetch long-poll; longer maxWaitMs are cut to this
 *   }
 *   features: [string]          e.g. "json", "produce.records", "subscribe", "compression.gzip", "format.records"
 *   ops: [string]               the ops this broker answers
 * ```
 * No common version → error UNSUPPORTED_VERSION (`details.supported`, comma-separated).
 *
 * @example
 * ```ts
 * const req = decodeHelloRequest({ id: 0, op: "hello", versions: [1], clientId: "sensor-7" });
 * ```
 * @module
 */
import { openRequest, type RequestId } from "../envelope.ts";
import { INT16_MAX, readInt } from "../fields.ts";

/** A decoded `hello` request. */
export interface HelloRequest {
  id: RequestId;
  op: "hello";
  versions: number[];
  clientId: string | undefined;
  software: string | undefined;
}

/** What a broker allows one connection. */
export interface HelloLimits {
  maxFrameBytes: number;
  maxMessageBytes: number;
  maxInFlight: number;
  maxSubscriptions: number;
  maxWaitMs: number;
}

/** The reply to `hello`. */
export interface HelloResponse {
  id: RequestId;
  version: number;
  brokerId: number;
  clusterId: string;
  limits: HelloLimits;
  features: string[];
  ops: string[];
}

/**
 * Validates a decoded `hello` frame.
 *
 * @example
 * ```ts
 * decodeHelloRequest({ id: 0, op: "hello", versions: [] }); // throws INVALID_REQUEST naming versions
 * ```
 */
export function decodeHelloRequest(frame: unknown): HelloRequest {
  const { id, fields: f } = openRequest(frame, "hello");
  return {
    id,
    op: "hello",
    versions: f.list("versions", (v, path) => readInt(v, path, 0, INT16_MAX), 1),
    clientId: f.optionalString("clientId"),
    software: f.optionalString("software"),
  };
}

/**
 * Builds the reply to `hello`.
 *
 * @example
 * ```ts
 * helloResponse(req.id, { version: negotiateVersion(req.versions), brokerId: 1, clusterId, limits, features, ops: OP_NAMES });
 * ```
 */
export function helloResponse(id: RequestId, body: Omit<HelloResponse, "id">): HelloResponse {
  return { id, ...body };
}
