/**
 * Checks an OffsetCommit request and turns it into the records to write, before anything is
 * written: one bad offset rejects the whole commit (no partial write).
 *
 * @example
 * ```ts
 * const { epoch, classic, writes } = parseCommitRequest(request, { metadataMaxBytes: 4096, partitionsOf, now: clock.now() });
 * ```
 * @module
 */
import { EdgelogError } from "../errors.ts";
import { utf8Length } from "../record/record.ts";
import type { OffsetWrite } from "./committed-offsets.ts";
import type { CommitOffsetsRequest } from "./coordinator-types.ts";
import { requireInteger, requireString, validateGroupId } from "./request-validation.ts";

/**
 * A checked commit.
 *
 * @example
 * ```ts
 * const parsed: ParsedCommit = { groupId: "g", memberId: "", epoch: -1, classic: false, writes: [] };
 * ```
 */
export interface ParsedCommit {
  groupId: string;
  /** "" when the request names no member. */
  memberId: string;
  /** The member epoch, or the generation id of a classic client; -1 when neither was given. */
  epoch: number;
  /** Whether the epoch came as a classic generation id. */
  classic: boolean;
  writes: OffsetWrite[];
}

/**
 * Checks a commit: INVALID_GROUP_ID, INVALID_REQUEST for malformed fields, OFFSET_METADATA_TOO_LARGE,
 * UNKNOWN_TOPIC_OR_PARTITION for a partition that does not exist (`partitionsOf` throws for an unknown topic).
 *
 * @example
 * ```ts
 * parseCommitRequest({ groupId: "g", offsets: [{ topic: "t", partition: 0, offset: -5 }] }, context); // throws INVALID_REQUEST
 * ```
 */
export function parseCommitRequest(
  request: CommitOffsetsRequest,
  context: { metadataMaxBytes: number; partitionsOf: (topic: string) => number; now: number },
): ParsedCommit {
  if (request === null || typeof request !== "object") throw new EdgelogError("INVALID_REQUEST", "commitOffsets() needs a request object");
  validateGroupId(request.groupId);
  if (!Array.isArray(request.offsets)) throw new EdgelogError("INVALID_REQUEST", "offsets must be a list");
  const classic = request.generationId !== undefined;
  const epoch = request.generationId ?? request.memberEpoch ?? -1;
  requireInteger(epoch, classic ? "generationId" : "memberEpoch");
  if (request.memberId !== undefined) requireString(request.memberId, "memberId");
  const writes = request.offsets.map((o): OffsetWrite => {
    if (o === null || typeof o !== "object") throw new EdgelogError("INVALID_REQUEST", "Each offset must be an object");
    requireString(o.topic, "topic");
    requireInteger(o.partition, "partition", 0);
    requireInteger(o.offset, "offset", 0);
    if (o.leaderEpoch !== undefined) requireInteger(o.leaderEpoch, "leaderEpoch", -1);
    const metadata = o.metadata ?? "";
    requireString(metadata, "metadata");
    if (utf8Length(metadata) > context.metadataMaxBytes) {
      throw new EdgelogError("OFFSET_METADATA_TOO_LARGE", `The metadata of ${o.topic}-${o.partition} is longer than ${context.metadataMaxBytes} bytes`);
    }
    if (o.partition >= context.partitionsOf(o.topic)) {
      throw new EdgelogError("UNKNOWN_TOPIC_OR_PARTITION", `Partition ${o.topic}-${o.partition} does not exist`, {
        details: { topic: o.topic, partition: o.partition },
      });
    }
    return { topic: o.topic, partition: o.partition, value: { offset: o.offset, leaderEpoch: o.leaderEpoch ?? -1, metadata, commitTimestamp: context.now } };
  });
  return { groupId: request.groupId, memberId: request.memberId ?? "", epoch, classic, writes };
}
