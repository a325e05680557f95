/**
 * Protocol versions. The WebSocket subprotocol `edgelog.v1` names the framing and envelope; the
 * `hello` request then picks the highest op-set version both sides speak. Additions that old peers can
 * ignore (new ops, new optional fields, new features) do not change the version; they are announced
 * in `hello`'s `ops` and `features`.
 *
 * @example
 * ```ts
 * import { negotiateVersion, SUBPROTOCOL } from "./version.ts";
 * new WebSocket(url, SUBPROTOCOL);
 * negotiateVersion([1, 2]); // 1
 * ```
 * @module
 */
import { EdgelogError } from "../core/errors.ts";

/** The WebSocket subprotocol clients offer and the broker selects. */
export const SUBPROTOCOL = "edgelog.v1";

/** The protocol versions this implementation speaks, oldest first. */
export const PROTOCOL_VERSIONS: readonly number[] = Object.freeze([1]);

/** The newest protocol version this implementation speaks. */
export const PROTOCOL_VERSION = 1;

/**
 * The highest version in both lists. Throws `UNSUPPORTED_VERSION` naming the supported versions when
 * there is none.
 *
 * @example
 * ```ts
 * negotiateVersion([1]);    // 1
 * negotiateVersion([2, 3]); // throws UNSUPPORTED_VERSION: ... speaks protocol versions 1
 * ```
 */
export function negotiateVersion(clientVersions: readonly number[], supported: readonly number[] = PROTOCOL_VERSIONS): number {
  let best = -1;
  for (const v of clientVersions) if (supported.includes(v) && v > best) best = v;
  if (best < 0) {
    throw new EdgelogError(
      "UNSUPPORTED_VERSION",
      `No common protocol version: the client speaks ${clientVersions.join(", ") || "none"}, the broker speaks ${supported.join(", ")}`,
      { details: { supported: supported.join(",") } },
    );
  }
  return best;
}

/**
 * The subprotocol to accept from a client's `Sec-WebSocket-Protocol` offer (a header value such as
 * `"edgelog.v1, other"` or a list), or `undefined` when `edgelog.v1` is not offered.
 *
 * @example
 * ```ts
 * selectSubprotocol("foo, edgelog.v1"); // "edgelog.v1"
 * selectSubprotocol(["foo"]);           // undefined
 * ```
 */
export function selectSubprotocol(offered: string | readonly string[] | null | undefined): string | undefined {
  if (offered === null || offered === undefined) return undefined;
  const list = typeof offered === "string" ? offered.split(",") : offered;
  return list.some((p) => p.trim() === SUBPROTOCOL) ? SUBPROTOCOL : undefined;
}
