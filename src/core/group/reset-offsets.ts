/**
 * The offset plan of `kafka-consumer-groups --reset-offsets`: to-earliest, to-latest, to-current,
 * to-offset, shift-by, to-datetime and by-duration, clamped to the log as Kafka's tool does (with
 * its warnings). The coordinator checks the group is inactive and writes the plan when executing.
 *
 * @example
 * ```ts
 * const plan = await planOffsetReset({
 *   partitions: [["t", 0]],
 *   committed: () => 5,
 *   spec: { type: "shift-by", shift: -2 },
 *   logOffsets: { logStartOffset: () => 0, logEndOffset: () => 10, offsetForTimestamp: () => null },
 *   now: Date.now(),
 * }); // [{ topic: "t", partition: 0, previousOffset: 5, newOffset: 3 }]
 * ```
 * @module
 */
import { EdgelogError } from "../errors.ts";
import type { PartitionsQuery } from "./coordinator-types.ts";
import { formatTopicPartition } from "./topic-partitions.ts";

/**
 * A reset scenario, as the tool's options name them.
 *
 * @example
 * ```ts
 * const spec: ResetOffsetsSpec = { type: "to-datetime", timestamp: Date.parse("2024-05-01T00:00:00Z") };
 * ```
 */
export type ResetOffsetsSpec =
  | { type: "to-earliest" }
  | { type: "to-latest" }
  | { type: "to-current" }
  | { type: "to-offset"; offset: number }
  | { type: "shift-by"; shift: number }
  | { type: "to-datetime"; timestamp: number }
  | { type: "by-duration"; durationMs: number };

/**
 * The log offsets a reset looks up (the high watermark as the log end).
 *
 * @example
 * ```ts
 * const lookup: LogOffsetsLookup = {
 *   logStartOffset: (t, p) => logs.get(t, p).logStartOffset,
 *   logEndOffset: (t, p) => logs.get(t, p).highWatermark,
 *   offsetForTimestamp: async (t, p, ts) => (await logs.get(t, p).offsetForTimestamp(ts))?.offset ?? null,
 * };
 * ```
 */
export interface LogOffsetsLookup {
  logStartOffset(topic: string, partition: number): number | Promise<number>;
  logEndOffset(topic: string, partition: number): number | Promise<number>;
  /** The first offset whose timestamp is ≥ `timestamp`, or null when none. */
  offsetForTimestamp(topic: string, partition: number, timestamp: number): number | null | Promise<number | null>;
}

/**
 * A resetOffsets request. Without `execute` it is a dry run; `force` resets a group that has
 * members (they keep consuming from their own positions and may commit over the reset).
 *
 * @example
 * ```ts
 * await coordinator.resetOffsets({ groupId: "g", topics: [{ topic: "t" }], spec: { type: "to-earliest" }, execute: true, logOffsets });
 * ```
 */
export interface ResetOffsetsRequest {
  groupId: string;
  /** Topics (and optionally partitions) to reset; left out: every partition the group has an offset for (`--all-topics`). */
  topics?: PartitionsQuery[];
  spec: ResetOffsetsSpec;
  execute?: boolean;
  force?: boolean;
  logOffsets: LogOffsetsLookup;
}

/**
 * The new offset of one partition.
 *
 * @example
 * ```ts
 * const p: PlannedOffset = { topic: "t", partition: 0, previousOffset: null, newOffset: 0 };
 * ```
 */
export interface PlannedOffset {
  topic: string;
  partition: number;
  /** The committed offset before the reset, null when none. */
  previousOffset: number | null;
  newOffset: number;
  /** Kafka's warning when the requested offset was clamped or no record matched a time. */
  warning?: string;
}

/**
 * What resetOffsets did (or, in a dry run, would do).
 *
 * @example
 * ```ts
 * const { executed, partitions }: ResetOffsetsResult = await coordinator.resetOffsets(request);
 * ```
 */
export interface ResetOffsetsResult {
  groupId: string;
  executed: boolean;
  partitions: PlannedOffset[];
}

/**
 * What {@link planOffsetReset} needs.
 *
 * @example
 * ```ts
 * const input: ResetPlanInput = { partitions: [["t", 0]], committed: () => undefined, spec: { type: "to-latest" }, logOffsets, now: Date.now() };
 * ```
 */
export interface ResetPlanInput {
  partitions: ReadonlyArray<[string, number]>;
  committed: (topic: string, partition: number) => number | undefined;
  spec: ResetOffsetsSpec;
  logOffsets: LogOffsetsLookup;
  now: number;
}

/**
 * Works out the new offset of every partition. A malformed spec is INVALID_REQUEST; shift-by on a
 * partition without a committed offset is INVALID_REQUEST with Kafka's message.
 *
 * @example
 * ```ts
 * (await planOffsetReset({ ...input, spec: { type: "to-offset", offset: 99 } }))[0]!.warning;
 * // "New offset (99) is higher than latest offset for topic partition t-0. Value will be set to 10"
 * ```
 */
export async function planOffsetReset(input: ResetPlanInput): Promise<PlannedOffset[]> {
  const { spec, logOffsets } = input;
  checkSpec(spec);
  const out: PlannedOffset[] = [];
  for (const [topic, partition] of input.partitions) {
    const name = formatTopicPartition(topic, partition);
    const previous = input.committed(topic, partition);
    const base = { topic, partition, previousOffset: previous ?? null };
    const start = async (): Promise<number> => logOffsets.logStartOffset(topic, partition);
    const end = async (): Promise<number> => logOffsets.logEndOffset(topic, partition);
    const clamp = async (offset: number): Promise<PlannedOffset> => {
      const latest = await end();
      if (offset > latest) {
        return { ...base, newOffset: latest, warning: `New offset (${offset}) is higher than latest offset for topic partition ${name}. Value will be set to ${latest}` };
      }
      const earliest = await start();
      if (offset < earliest) {
        return { ...base, newOffset: earliest, warning: `New offset (${offset}) is lower than earliest offset for topic partition ${name}. Value will be set to ${earliest}` };
      }
      return { ...base, newOffset: offset };
    };
    switch (spec.type) {
      case "to-earliest":
        out.push({ ...base, newOffset: await start() });
        break;
      case "to-latest":
        out.push({ ...base, newOffset: await end() });
        break;
      case "to-current":
        out.push({ ...base, newOffset: previous ?? (await end()) });
        break;
      case "to-offset":
        out.push(await clamp(spec.offset));
        break;
      case "shift-by":
        if (previous === undefined) {
          throw new EdgelogError("INVALID_REQUEST", `Cannot shift offset for partition ${name} since there is no current committed offset`);
        }
        out.push(await clamp(previous + spec.shift));
        break;
      case "to-datetime":
      case "by-duration": {
        const timestamp = spec.type === "to-datetime" ? spec.timestamp : input.now - spec.durationMs;
        const found = await logOffsets.offsetForTimestamp(topic, partition, timestamp);
        if (found === null) {
          out.push({ ...base, newOffset: await end(), warning: `Partition ${partition} from topic ${topic} is empty. Falling back to latest known offset.` });
        } else {
          out.push({ ...base, newOffset: found });
        }
        break;
      }
    }
  }
  return out;
}

function checkSpec(spec: ResetOffsetsSpec): void {
  const bad = (why: string): never => {
    throw new EdgelogError("INVALID_REQUEST", why);
  };
  if (spec === null || typeof spec !== "object") bad("A reset needs a spec such as { type: \"to-earliest\" }");
  const integer = (v: unknown): boolean => typeof v === "number" && Number.isSafeInteger(v);
  switch (spec.type) {
    case "to-earliest":
    case "to-latest":
    case "to-current":
      return;
    case "to-offset":
      if (!integer(spec.offset) || spec.offset < 0) bad(`to-offset needs a non-negative integer offset, got ${String(spec.offset)}`);
      return;
    case "shift-by":
      if (!integer(spec.shift)) bad(`shift-by needs an integer shift, got ${String(spec.shift)}`);
      return;
    case "to-datetime":
      if (!integer(spec.timestamp)) bad(`to-datetime needs a timestamp in milliseconds, got ${String(spec.timestamp)}`);
      return;
    case "by-duration":
      if (!integer(spec.durationMs) || spec.durationMs < 0) bad(`by-duration needs a non-negative duration in milliseconds, got ${String(spec.durationMs)}`);
      return;
    default:
      bad(
        `Unknown reset scenario ${JSON.stringify((spec as { type?: unknown }).type)}: use to-earliest, to-latest, to-current, to-offset, shift-by, to-datetime or by-duration`,
      );
  }
}
