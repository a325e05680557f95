/**
 * `hello`: negotiates the protocol version and tells the client the broker's id, cluster id, limits,
 * features and ops. Remembers the client id for logs.
 *
 * ```
 * HelloRequest  => { id, op: "hello", versions: [uint16], clientId?, software? }
 * HelloResponse => { id, version, brokerId, clusterId, limits, features, ops }
 * ```
 *
 * @example
 * ```ts
 * await handleHello({ id: 0, op: "hello", versions: [1], clientId: "sensor-7", software: undefined }, scope);
 * // { id: 0, version: 1, brokerId: 0, clusterId: "...", limits: {...}, features: [...], ops: [...] }
 * ```
 * @module
 */
import { helloResponse, type HelloRequest } from "../../protocol/ops/hello.ts";
import { OP_NAMES } from "../../protocol/ops/index.ts";
import { negotiateVersion } from "../../protocol/version.ts";
import type { Handler } from "./handler.ts";

/**
 * What this broker can do beyond the ops, as `hello` announces it.
 *
 * @example
 * ```ts
 * BROKER_FEATURES.includes("subscribe"); // true
 * ```
 */
export const BROKER_FEATURES: readonly string[] = Object.freeze(["json", "produce.records", "subscribe", "compression.gzip", "format.records", "groups"]);

/**
 * Answers `hello`; UNSUPPORTED_VERSION when no version is shared.
 *
 * @example
 * ```ts
 * HANDLERS.hello = handleHello;
 * ```
 */
export const handleHello: Handler<HelloRequest> = async (request, { broker, session }) => {
  const version = negotiateVersion(request.versions);
  session.clientId = request.clientId;
  return helloResponse(request.id, {
    version,
    brokerId: broker.config.brokerId,
    clusterId: broker.clusterId,
    limits: { ...broker.limits },
    features: [...BROKER_FEATURES],
    ops: [...OP_NAMES],
  });
};
