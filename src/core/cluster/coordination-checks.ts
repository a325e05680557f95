/**
 * Checks of the input of {@link Coordination} calls that every implementation makes the same way,
 * so that the memory store and etcd refuse the same requests with the same errors.
 *
 * @example
 * ```ts
 * validateTxn({ compare: [], success: [{ type: "put", key: "", value: "x" }] }); // throws INVALID_REQUEST
 * ```
 * @module
 */
import { EdgelogError } from "../errors.ts";
import type { Txn } from "../ports/coordination.ts";
import { valueBytes } from "./coordination-entry.ts";

/**
 * The most operations a transaction branch may hold (etcd's default `--max-txn-ops`).
 *
 * @example
 * ```ts
 * if (ops.length > MAX_TXN_OPS) splitIntoSeveralTransactions(ops);
 * ```
 */
export const MAX_TXN_OPS = 128;

/**
 * Checks a key: a non-empty string (INVALID_REQUEST for "").
 *
 * @example
 * ```ts
 * checkKey("/edgelog/controller"); // "/edgelog/controller"
 * ```
 */
export function checkKey(key: string): string {
  if (typeof key !== "string") throw new TypeError("A coordination key must be a string");
  if (key === "") throw new EdgelogError("INVALID_REQUEST", "A coordination key must not be empty");
  return key;
}

/**
 * Checks a key prefix: any string ("" covers every key).
 *
 * @example
 * ```ts
 * checkPrefix("/edgelog/brokers/");
 * ```
 */
export function checkPrefix(prefix: string): string {
  if (typeof prefix !== "string") throw new TypeError("A coordination key prefix must be a string");
  return prefix;
}

/**
 * Checks a transaction the way etcd does before running it: valid keys, at most {@link MAX_TXN_OPS}
 * operations per branch, and no branch writing a key twice.
 *
 * @example
 * ```ts
 * validateTxn({ compare: [], success: [{ type: "put", key: "a", value: "1" }, { type: "delete", key: "a" }] });
 * // throws INVALID_REQUEST: duplicate key
 * ```
 */
export function validateTxn(txn: Txn): void {
  if (typeof txn !== "object" || txn === null || !Array.isArray(txn.compare) || !Array.isArray(txn.success)) {
    throw new TypeError("A transaction needs a compare array and a success array");
  }
  if (txn.failure !== undefined && !Array.isArray(txn.failure)) throw new TypeError("A transaction's failure branch must be an array");
  for (const compare of txn.compare) checkKey(compare.key);
  for (const branch of [txn.success, txn.failure ?? []]) {
    if (branch.length > MAX_TXN_OPS) {
      throw new EdgelogError("INVALID_REQUEST", `A transaction branch holds ${branch.length} operations, more than ${MAX_TXN_OPS}`);
    }
    const puts = new Set<string>();
    const deletes = new Set<string>();
    for (const op of branch) {
      switch (op.type) {
        case "put":
          checkKey(op.key);
          valueBytes(op.value);
          if (puts.has(op.key) || deletes.has(op.key)) throw duplicateKey(op.key);
          puts.add(op.key);
          break;
        case "delete":
          checkKey(op.key);
          if (puts.has(op.key)) throw duplicateKey(op.key);
          deletes.add(op.key);
          break;
        case "get":
          checkKey(op.key);
          break;
        case "getPrefix":
          checkPrefix(op.prefix);
          break;
        default:
          throw new TypeError(`Unknown transaction operation "${String((op as { type: unknown }).type)}"`);
      }
    }
  }
}

function duplicateKey(key: string): EdgelogError {
  return new EdgelogError("INVALID_REQUEST", `A transaction branch writes key "${key}" twice`);
}

/**
 * Checks a lease TTL: a positive whole number of seconds (RangeError otherwise).
 *
 * @example
 * ```ts
 * checkLeaseTtl(0); // throws RangeError
 * ```
 */
export function checkLeaseTtl(ttlSeconds: number): void {
  if (!Number.isInteger(ttlSeconds) || ttlSeconds < 1 || ttlSeconds > 9_000_000_000) {
    throw new RangeError(`A lease TTL must be a positive whole number of seconds, not ${ttlSeconds}`);
  }
}

/**
 * Checks a watch's `fromRevision`: absent, or a positive integer (RangeError otherwise).
 *
 * @example
 * ```ts
 * checkFromRevision(undefined); // fine: from now
 * ```
 */
export function checkFromRevision(fromRevision: number | undefined): void {
  if (fromRevision !== undefined && (!Number.isSafeInteger(fromRevision) || fromRevision < 1)) {
    throw new RangeError(`A watch's fromRevision must be a positive integer, not ${fromRevision}`);
  }
}
