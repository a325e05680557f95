/**
 * The JSON shapes of etcd v3's gateway (grpc-gateway over the etcdserverpb messages), both ways.
 * Keys and values travel as base64; int64 fields (revisions, versions, lease ids) as decimal strings,
 * and fields holding their default (0, false, empty) are left out. Revisions and versions become
 * numbers (they stay below 2^53); lease ids stay strings (etcd's exceed 2^53).
 *
 * @example
 * ```ts
 * rangeRequest("/brokers/");  // { key: "L2Jyb2tlcnMv", range_end: "L2Jyb2tlcnMw" }
 * decodeEntry({ key: "YQ==", value: "MQ==", create_revision: "2", mod_revision: "2", version: "1" });
 * ```
 * @module
 */
import { coordinationEntry, valueBytes } from "../../core/cluster/coordination-entry.ts";
import { EdgelogError } from "../../core/errors.ts";
import {
  leaseIdOf,
  type CoordinationEntry,
  type Txn,
  type TxnCompare,
  type TxnOp,
  type TxnOpResult,
  type WatchEvent,
} from "../../core/ports/coordination.ts";
import { decodeBase64, encodeBase64 } from "../../protocol/base64.ts";

/**
 * A JSON object as the gateway sends it.
 *
 * @example
 * ```ts
 * const header = objectField(answer as Json, "header");
 * ```
 */
export type Json = Record<string, unknown>;

const encoder = new TextEncoder();
const keyDecoder = new TextDecoder();

/**
 * A key as the gateway wants it: its UTF-8 bytes in base64.
 *
 * @example
 * ```ts
 * encodeKey("a"); // "YQ=="
 * ```
 */
export function encodeKey(key: string): string {
  return encodeBase64(encoder.encode(key));
}

/**
 * The `range_end` that makes a range cover every key starting with `prefix`: the prefix with its
 * last byte below 0xff incremented and what follows dropped, or "\0" (to the end of the key space)
 * when there is no such byte.
 *
 * @example
 * ```ts
 * prefixRangeEnd(new Uint8Array([0x61, 0xff])); // Uint8Array [0x62]
 * ```
 */
export function prefixRangeEnd(prefix: Uint8Array): Uint8Array {
  for (let i = prefix.length - 1; i >= 0; i--) {
    if (prefix[i]! < 0xff) {
      const end = prefix.slice(0, i + 1);
      end[i]!++;
      return end;
    }
  }
  return new Uint8Array([0]);
}

/**
 * The `key`/`range_end` pair of every key starting with `prefix` (all keys for "").
 *
 * @example
 * ```ts
 * rangeRequest(""); // { key: "AA==", range_end: "AA==" }
 * ```
 */
export function rangeRequest(prefix: string): { key: string; range_end: string } {
  const bytes = encoder.encode(prefix);
  const end = prefixRangeEnd(bytes);
  return { key: encodeBase64(bytes.length === 0 ? new Uint8Array([0]) : bytes), range_end: encodeBase64(end) };
}

/**
 * Reads an int64 field that must fit a JavaScript number; absent means 0.
 *
 * @example
 * ```ts
 * int64Field({ revision: "42" }, "revision"); // 42
 * ```
 */
export function int64Field(message: Json, field: string): number {
  const raw = message[field];
  if (raw === undefined || raw === null) return 0;
  const n = typeof raw === "number" ? raw : typeof raw === "string" && /^-?\d+$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(n)) throw malformed(`field ${field} is ${JSON.stringify(raw)}, not an integer below 2^53`);
  return n;
}

/**
 * Reads an int64 id field as a decimal string; absent means "0".
 *
 * @example
 * ```ts
 * idField({ ID: "7587868592384735517" }, "ID"); // "7587868592384735517"
 * ```
 */
export function idField(message: Json, field: string): string {
  const raw = message[field];
  if (raw === undefined || raw === null) return "0";
  if (typeof raw === "string" && /^-?\d+$/.test(raw)) return raw;
  if (typeof raw === "number" && Number.isSafeInteger(raw)) return String(raw);
  throw malformed(`field ${field} is ${JSON.stringify(raw)}, not an int64`);
}

/**
 * A nested object field; absent means an empty object.
 *
 * @example
 * ```ts
 * objectField({ header: { revision: "3" } }, "header"); // { revision: "3" }
 * ```
 */
export function objectField(message: Json, field: string): Json {
  const raw = message[field];
  if (raw === undefined || raw === null) return {};
  if (typeof raw !== "object" || Array.isArray(raw)) throw malformed(`field ${field} is not an object`);
  return raw as Json;
}

/**
 * An array-of-objects field; absent means empty.
 *
 * @example
 * ```ts
 * arrayField({ kvs: [{ key: "YQ==" }] }, "kvs").length; // 1
 * ```
 */
export function arrayField(message: Json, field: string): Json[] {
  const raw = message[field];
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw) || raw.some((item) => typeof item !== "object" || item === null)) throw malformed(`field ${field} is not an array of objects`);
  return raw as Json[];
}

/**
 * The store revision in a response's header.
 *
 * @example
 * ```ts
 * headerRevision({ header: { revision: "9" } }); // 9
 * ```
 */
export function headerRevision(message: Json): number {
  return int64Field(objectField(message, "header"), "revision");
}

function bytesField(message: Json, field: string): Uint8Array {
  const raw = message[field];
  if (raw === undefined || raw === null) return new Uint8Array(0);
  const bytes = typeof raw === "string" ? decodeBase64(raw) : undefined;
  if (bytes === undefined) throw malformed(`field ${field} is not base64`);
  return bytes;
}

/**
 * An `mvccpb.KeyValue` as an entry.
 *
 * @example
 * ```ts
 * decodeEntry({ key: "YQ==", value: "MQ==", create_revision: "2", mod_revision: "5", version: "3", lease: "0" }).text; // "1"
 * ```
 */
export function decodeEntry(kv: Json): CoordinationEntry {
  const lease = idField(kv, "lease");
  return coordinationEntry({
    key: keyDecoder.decode(bytesField(kv, "key")),
    value: bytesField(kv, "value"),
    createRevision: int64Field(kv, "create_revision"),
    modRevision: int64Field(kv, "mod_revision"),
    version: int64Field(kv, "version"),
    lease: lease === "0" ? null : lease,
  });
}

/**
 * An `mvccpb.Event` of a watch response.
 *
 * @example
 * ```ts
 * decodeEvent({ type: "DELETE", kv: { key: "YQ==", mod_revision: "8" } }); // { type: "DELETE", key: "a", revision: 8 }
 * ```
 */
export function decodeEvent(event: Json): WatchEvent {
  const entry = decodeEntry(objectField(event, "kv"));
  const type = event["type"] ?? "PUT";
  if (type === "PUT") return { type: "PUT", key: entry.key, revision: entry.modRevision, entry };
  if (type === "DELETE") return { type: "DELETE", key: entry.key, revision: entry.modRevision };
  throw malformed(`event type ${JSON.stringify(type)}`);
}

const TARGETS = { createRevision: ["CREATE", "create_revision"], modRevision: ["MOD", "mod_revision"], version: ["VERSION", "version"], value: ["VALUE", "value"] } as const;
const RESULTS = { "=": "EQUAL", "!=": "NOT_EQUAL", "<": "LESS", ">": "GREATER" } as const;

function encodeCompare(compare: TxnCompare): Json {
  const target = TARGETS[compare.target];
  const result = RESULTS[compare.op];
  if (target === undefined || result === undefined) throw new TypeError(`Unknown comparison ${compare.target} ${compare.op}`);
  const value = compare.target === "value" ? encodeBase64(valueBytes(compare.value)) : String(compare.value);
  return { key: encodeKey(compare.key), target: target[0], result, [target[1]]: value };
}

/**
 * A put request body.
 *
 * @example
 * ```ts
 * putRequest("a", "1", undefined); // { key: "YQ==", value: "MQ==" }
 * ```
 */
export function putRequest(key: string, value: Uint8Array | string, lease: string | undefined): Json {
  return { key: encodeKey(key), value: encodeBase64(valueBytes(value)), ...(lease === undefined ? {} : { lease }) };
}

function encodeOp(op: TxnOp): Json {
  switch (op.type) {
    case "put":
      return { request_put: putRequest(op.key, op.value, op.lease === undefined ? undefined : leaseIdOf(op.lease)) };
    case "delete":
      return { request_delete_range: { key: encodeKey(op.key) } };
    case "get":
      return { request_range: { key: encodeKey(op.key) } };
    case "getPrefix":
      return { request_range: rangeRequest(op.prefix) };
  }
}

/**
 * A txn request body.
 *
 * @example
 * ```ts
 * txnRequest({ compare: [{ key: "a", target: "createRevision", op: "=", value: 0 }], success: [{ type: "put", key: "a", value: "1" }] });
 * ```
 */
export function txnRequest(txn: Txn): Json {
  return { compare: txn.compare.map(encodeCompare), success: txn.success.map(encodeOp), failure: (txn.failure ?? []).map(encodeOp) };
}

/**
 * The results of a txn response, one per operation of the branch that ran.
 *
 * @example
 * ```ts
 * decodeTxnResults({ responses: [{ response_put: {} }] }, [{ type: "put", key: "a", value: "1" }]); // [{ type: "put" }]
 * ```
 */
export function decodeTxnResults(response: Json, ops: TxnOp[]): TxnOpResult[] {
  const responses = arrayField(response, "responses");
  if (responses.length !== ops.length) throw malformed(`a txn answered ${responses.length} results for ${ops.length} operations`);
  return responses.map((item, i): TxnOpResult => {
    const op = ops[i]!;
    if (op.type === "put") return { type: "put" };
    if (op.type === "delete") return { type: "delete", deleted: int64Field(objectField(item, "response_delete_range"), "deleted") };
    return { type: "get", entries: arrayField(objectField(item, "response_range"), "kvs").map(decodeEntry) };
  });
}

/**
 * The error for an answer that does not have the gateway's shape.
 *
 * @example
 * ```ts
 * throw malformed("field kvs is not an array of objects");
 * ```
 */
export function malformed(what: string): EdgelogError {
  return new EdgelogError("UNKNOWN_SERVER_ERROR", `etcd sent an answer edgelog cannot read: ${what}`);
}
