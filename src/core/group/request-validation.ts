/**
 * Checks of the coordinator's inputs, each failing with a clear `EdgelogError` (never a crash).
 *
 * @example
 * ```ts
 * validateGroupId(""); // throws INVALID_GROUP_ID
 * requireInteger(1.5, "memberEpoch"); // throws INVALID_REQUEST
 * ```
 * @module
 */
import { EdgelogError } from "../errors.ts";
import { MAX_STRING_BYTES } from "./offsets-codec.ts";
import type { TopicPartitions } from "./topic-partitions.ts";
import { utf8Length } from "../record/record.ts";

/**
 * A group id must be a non-empty string that fits a Kafka string (32767 UTF-8 bytes).
 *
 * @example
 * ```ts
 * validateGroupId("billing"); // fine
 * ```
 */
export function validateGroupId(groupId: unknown): asserts groupId is string {
  if (typeof groupId !== "string" || groupId === "") throw new EdgelogError("INVALID_GROUP_ID", "The group id must be a non-empty string");
  if (utf8Length(groupId) > MAX_STRING_BYTES) {
    throw new EdgelogError("INVALID_GROUP_ID", `The group id is longer than ${MAX_STRING_BYTES} bytes in UTF-8`);
  }
}

/**
 * A string field, or INVALID_REQUEST naming it.
 *
 * @example
 * ```ts
 * requireString(request.clientId, "clientId");
 * ```
 */
export function requireString(value: unknown, name: string): asserts value is string {
  if (typeof value !== "string") throw new EdgelogError("INVALID_REQUEST", `${name} must be a string`);
}

/**
 * An integer field (within ±2^53), or INVALID_REQUEST naming it.
 *
 * @example
 * ```ts
 * requireInteger(request.memberEpoch, "memberEpoch");
 * ```
 */
export function requireInteger(value: unknown, name: string, min = Number.MIN_SAFE_INTEGER): asserts value is number {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < min) {
    throw new EdgelogError("INVALID_REQUEST", `${name} must be an integer${min > Number.MIN_SAFE_INTEGER ? ` ≥ ${min}` : ""}, got ${String(value)}`);
  }
}

/**
 * A list of topic names, or INVALID_REQUEST.
 *
 * @example
 * ```ts
 * requireStringList(request.subscribedTopics, "subscribedTopics");
 * ```
 */
export function requireStringList(value: unknown, name: string): asserts value is string[] {
  if (!Array.isArray(value) || value.some((v) => typeof v !== "string" || v === "")) {
    throw new EdgelogError("INVALID_REQUEST", `${name} must be a list of non-empty strings`);
  }
}

/**
 * A `[{ topic, partitions }]` list with non-negative integer partitions, or INVALID_REQUEST.
 *
 * @example
 * ```ts
 * requireTopicPartitions(request.ownedPartitions, "ownedPartitions");
 * ```
 */
export function requireTopicPartitions(value: unknown, name: string): asserts value is TopicPartitions[] {
  const ok =
    Array.isArray(value) &&
    value.every(
      (e: unknown) =>
        e !== null &&
        typeof e === "object" &&
        typeof (e as TopicPartitions).topic === "string" &&
        Array.isArray((e as TopicPartitions).partitions) &&
        (e as TopicPartitions).partitions.every((p) => Number.isSafeInteger(p) && p >= 0),
    );
  if (!ok) throw new EdgelogError("INVALID_REQUEST", `${name} must be a list of { topic, partitions } with non-negative integer partitions`);
}
