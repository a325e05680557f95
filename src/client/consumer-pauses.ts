/**
 * Which partitions the application paused, as a consumer keeps it: whole topics (which also holds
 * back partitions of the topic assigned later) and single partitions, applied to what the consumer
 * delivers from (assigned streams or group partitions).
 *
 * @example
 * ```ts
 * import { PausedPartitions } from "./consumer-pauses.ts";
 * const pauses = new PausedPartitions();
 * pauses.pause([{ topic: "orders", partitions: [0] }], streams);
 * const resumed = pauses.resume([{ topic: "orders" }], streams); // resume() them
 * ```
 * @module
 */
import { checkTopicPartitions, type TopicPartitions } from "./consumer-options.ts";

/**
 * What can be paused: an assigned stream or a group partition.
 *
 * @example
 * ```ts
 * const p: Pausable = stream;
 * ```
 */
export interface Pausable {
  readonly topic: string;
  readonly partition: number;
  readonly paused: boolean;
  pause(): void;
  resume(): unknown;
}

/**
 * See the module documentation.
 *
 * @example
 * ```ts
 * if (pauses.isPaused("orders", 3)) stream.pause();
 * ```
 */
export class PausedPartitions {
  readonly #topics = new Set<string>();
  readonly #partitions = new Set<string>();

  /**
   * Whether the application paused this partition (or its topic).
   *
   * @example
   * ```ts
   * pauses.isPaused("orders", 0);
   * ```
   */
  isPaused(topic: string, partition: number): boolean {
    return this.#topics.has(topic) || this.#partitions.has(keyOf(topic, partition));
  }

  /**
   * Pauses topics or partitions (a `TypeError` for malformed input) and those of `current` they name.
   *
   * @example
   * ```ts
   * pauses.pause([{ topic: "audit" }], streams);
   * ```
   */
  pause(topics: TopicPartitions[], current: readonly Pausable[]): void {
    for (const { topic, partitions } of checkTopicPartitions(topics, "pause")) {
      if (partitions === undefined) this.#topics.add(topic);
      else for (const p of partitions) this.#partitions.add(keyOf(topic, p));
      for (const s of matching(current, topic, partitions)) s.pause();
    }
  }

  /**
   * Unpauses topics or partitions; returns those of `current` that are no longer paused, for the
   * caller to resume.
   *
   * @example
   * ```ts
   * for (const s of pauses.resume([{ topic: "audit" }], streams)) s.resume();
   * ```
   */
  resume(topics: TopicPartitions[], current: readonly Pausable[]): Pausable[] {
    const resumed: Pausable[] = [];
    for (const { topic, partitions } of checkTopicPartitions(topics, "resume")) {
      if (partitions === undefined) {
        this.#topics.delete(topic);
        for (const key of [...this.#partitions]) if (key.startsWith(`${topic}\u0000`)) this.#partitions.delete(key);
      } else {
        for (const p of partitions) this.#partitions.delete(keyOf(topic, p));
      }
      for (const s of matching(current, topic, partitions)) if (!this.isPaused(topic, s.partition) && !resumed.includes(s)) resumed.push(s);
    }
    return resumed;
  }

  /**
   * The paused ones of `current`, by topic.
   *
   * @example
   * ```ts
   * pauses.paused(streams); // [{ topic: "orders", partitions: [0] }]
   * ```
   */
  paused(current: readonly Pausable[]): { topic: string; partitions: number[] }[] {
    const byTopic = new Map<string, number[]>();
    for (const s of current) if (s.paused) byTopic.set(s.topic, [...(byTopic.get(s.topic) ?? []), s.partition]);
    return [...byTopic].map(([topic, partitions]) => ({ topic, partitions }));
  }
}

function matching(current: readonly Pausable[], topic: string, partitions: number[] | undefined): Pausable[] {
  return current.filter((s) => s.topic === topic && (partitions === undefined || partitions.includes(s.partition)));
}

function keyOf(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`;
}
