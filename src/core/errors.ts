/**
 * One error base class for everything edgelog reports to callers, with Kafka's error names and numeric codes.
 *
 * @example
 * ```ts
 * import { EdgelogError } from "./errors.ts";
 * throw new EdgelogError("OFFSET_OUT_OF_RANGE", "Offset 7 is below the log start offset 10");
 * ```
 * @module
 */

/** Kafka's numeric code and whether a client may retry, for each error name edgelog uses. */
export const ERROR_CODES = {
  UNKNOWN_SERVER_ERROR: { kafkaCode: -1, retriable: false },
  OFFSET_OUT_OF_RANGE: { kafkaCode: 1, retriable: false },
  CORRUPT_MESSAGE: { kafkaCode: 2, retriable: true },
  UNKNOWN_TOPIC_OR_PARTITION: { kafkaCode: 3, retriable: true },
  INVALID_FETCH_SIZE: { kafkaCode: 4, retriable: false },
  LEADER_NOT_AVAILABLE: { kafkaCode: 5, retriable: true },
  NOT_LEADER_OR_FOLLOWER: { kafkaCode: 6, retriable: true },
  REQUEST_TIMED_OUT: { kafkaCode: 7, retriable: true },
  BROKER_NOT_AVAILABLE: { kafkaCode: 8, retriable: false },
  REPLICA_NOT_AVAILABLE: { kafkaCode: 9, retriable: true },
  MESSAGE_TOO_LARGE: { kafkaCode: 10, retriable: false },
  NETWORK_EXCEPTION: { kafkaCode: 13, retriable: true },
  COORDINATOR_LOAD_IN_PROGRESS: { kafkaCode: 14, retriable: true },
  COORDINATOR_NOT_AVAILABLE: { kafkaCode: 15, retriable: true },
  NOT_COORDINATOR: { kafkaCode: 16, retriable: true },
  INVALID_TOPIC_EXCEPTION: { kafkaCode: 17, retriable: false },
  RECORD_LIST_TOO_LARGE: { kafkaCode: 18, retriable: false },
  NOT_ENOUGH_REPLICAS: { kafkaCode: 19, retriable: true },
  NOT_ENOUGH_REPLICAS_AFTER_APPEND: { kafkaCode: 20, retriable: true },
  INVALID_REQUIRED_ACKS: { kafkaCode: 21, retriable: false },
  ILLEGAL_GENERATION: { kafkaCode: 22, retriable: false },
  INCONSISTENT_GROUP_PROTOCOL: { kafkaCode: 23, retriable: false },
  INVALID_GROUP_ID: { kafkaCode: 24, retriable: false },
  UNKNOWN_MEMBER_ID: { kafkaCode: 25, retriable: false },
  INVALID_SESSION_TIMEOUT: { kafkaCode: 26, retriable: false },
  REBALANCE_IN_PROGRESS: { kafkaCode: 27, retriable: false },
  INVALID_COMMIT_OFFSET_SIZE: { kafkaCode: 28, retriable: false },
  INVALID_TIMESTAMP: { kafkaCode: 32, retriable: false },
  UNSUPPORTED_VERSION: { kafkaCode: 35, retriable: false },
  TOPIC_ALREADY_EXISTS: { kafkaCode: 36, retriable: false },
  INVALID_PARTITIONS: { kafkaCode: 37, retriable: false },
  INVALID_REPLICATION_FACTOR: { kafkaCode: 38, retriable: false },
  INVALID_REPLICA_ASSIGNMENT: { kafkaCode: 39, retriable: false },
  INVALID_CONFIG: { kafkaCode: 40, retriable: false },
  NOT_CONTROLLER: { kafkaCode: 41, retriable: true },
  INVALID_REQUEST: { kafkaCode: 42, retriable: false },
  POLICY_VIOLATION: { kafkaCode: 44, retriable: false },
  KAFKA_STORAGE_ERROR: { kafkaCode: 56, retriable: true },
  LOG_DIR_NOT_FOUND: { kafkaCode: 57, retriable: false },
  UNKNOWN_LEADER_EPOCH: { kafkaCode: 75, retriable: true },
  UNSUPPORTED_COMPRESSION_TYPE: { kafkaCode: 76, retriable: false },
  OFFSET_NOT_AVAILABLE: { kafkaCode: 78, retriable: true },
  TOPIC_DELETION_DISABLED: { kafkaCode: 73, retriable: false },
  FENCED_LEADER_EPOCH: { kafkaCode: 74, retriable: true },
  GROUP_ID_NOT_FOUND: { kafkaCode: 69, retriable: false },
  NON_EMPTY_GROUP: { kafkaCode: 68, retriable: false },
  GROUP_SUBSCRIBED_TO_TOPIC: { kafkaCode: 86, retriable: false },
  ELECTION_NOT_NEEDED: { kafkaCode: 84, retriable: false },
  PREFERRED_LEADER_NOT_AVAILABLE: { kafkaCode: 80, retriable: true },
  ELIGIBLE_LEADERS_NOT_AVAILABLE: { kafkaCode: 83, retriable: true },
  NO_REASSIGNMENT_IN_PROGRESS: { kafkaCode: 85, retriable: false },
  INVALID_UPDATE_VERSION: { kafkaCode: 95, retriable: false },
  DUPLICATE_BROKER_REGISTRATION: { kafkaCode: 101, retriable: false },
  BROKER_ID_NOT_REGISTERED: { kafkaCode: 102, retriable: false },
  INVALID_RECORD: { kafkaCode: 87, retriable: false },
  THROTTLING_QUOTA_EXCEEDED: { kafkaCode: 89, retriable: true },
  UNKNOWN_TOPIC_ID: { kafkaCode: 100, retriable: true },
  FENCED_MEMBER_EPOCH: { kafkaCode: 110, retriable: false },
  FENCED_INSTANCE_ID: { kafkaCode: 82, retriable: false },
  OFFSET_METADATA_TOO_LARGE: { kafkaCode: 12, retriable: false },
  INVALID_REGULAR_EXPRESSION: { kafkaCode: 128, retriable: false },
  UNRELEASED_INSTANCE_ID: { kafkaCode: 111, retriable: false },
  UNSUPPORTED_ASSIGNOR: { kafkaCode: 112, retriable: false },
  GROUP_MAX_SIZE_REACHED: { kafkaCode: 81, retriable: false },
  RESOURCE_LIMIT_EXCEEDED: { kafkaCode: -2, retriable: true },
} as const satisfies Record<string, { kafkaCode: number; retriable: boolean }>;

/** The name of an error condition, as Kafka spells it. */
export type ErrorCode = keyof typeof ERROR_CODES;

/**
 * The one error class edgelog throws at callers. `code` names the condition as Kafka does,
 * `retriable` tells a client whether the same request may succeed later.
 *
 * @example
 * ```ts
 * try { await log.read(3, 1024); } catch (e) {
 *   if (e instanceof EdgelogError && e.code === "OFFSET_OUT_OF_RANGE") console.log(e.message);
 * }
 * ```
 */
export class EdgelogError extends Error {
  override readonly name = "EdgelogError";
  readonly code: ErrorCode;
  readonly retriable: boolean;
  /** Extra fields a caller may need to act, e.g. `{ logStartOffset: 10 }` for OFFSET_OUT_OF_RANGE. */
  readonly details?: Record<string, unknown>;

  /**
   * `options.retriable` overrides the table's flag; a client uses it to keep the flag a broker sent
   * with an error code this version does not know.
   */
  constructor(
    code: ErrorCode,
    message: string,
    options?: { cause?: unknown; details?: Record<string, unknown>; retriable?: boolean },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.retriable = options?.retriable ?? ERROR_CODES[code].retriable;
    if (options?.details) this.details = options.details;
  }

  /** Kafka's numeric error code for this condition. */
  get kafkaCode(): number {
    return ERROR_CODES[this.code].kafkaCode;
  }
}

/**
 * Whether a value is an {@link EdgelogError}, optionally with a given code.
 *
 * @example
 * ```ts
 * if (isEdgelogError(e, "MESSAGE_TOO_LARGE")) reject(e.message);
 * ```
 */
export function isEdgelogError(value: unknown, code?: ErrorCode): value is EdgelogError {
  return value instanceof EdgelogError && (code === undefined || value.code === code);
}

/**
 * `error` itself when it is an {@link EdgelogError}, else one with `code` (default
 * `UNKNOWN_SERVER_ERROR`) carrying its message and the error as its cause.
 *
 * @example
 * ```ts
 * asEdgelogError(new Error("socket hang up"), "NETWORK_EXCEPTION").code; // "NETWORK_EXCEPTION"
 * ```
 */
export function asEdgelogError(error: unknown, code: ErrorCode = "UNKNOWN_SERVER_ERROR"): EdgelogError {
  if (error instanceof EdgelogError) return error;
  return new EdgelogError(code, error instanceof Error ? error.message : String(error), { cause: error });
}
