/**
 * What a group subscribes to: topics by name and by regular expression, resolved against the
 * broker's topics into the partition counts the assignor works with. A change of that metadata
 * (a topic created, deleted or grown) is a change of the group.
 *
 * A pattern must match the whole topic name (as Java's `Pattern.matches`); it is a JavaScript
 * regular expression, and internal topics (`__consumer_offsets`) never match.
 *
 * @example
 * ```ts
 * const patterns = new PatternCache();
 * const m = resolveSubscriptions([{ memberId: "a", subscribedTopics: ["t"], subscribedPattern: "logs-.*" }], topics, patterns);
 * m.partitionsPerTopic; // Map { "logs-1" => 2, "t" => 3 }
 * ```
 * @module
 */
import { EdgelogError } from "../errors.ts";
import { isInternalTopic } from "../topic/topic-name.ts";
import type { GroupMember } from "./member.ts";
import { compareStrings } from "./topic-partitions.ts";

/**
 * What the coordinator needs to know of the broker's topics.
 *
 * @example
 * ```ts
 * const topics: TopicsView = { partitionsOf: (t) => registry.describe(t)?.partitions, listTopics: () => registry.list() };
 * ```
 */
export interface TopicsView {
  /** The partition count of a topic, or undefined when it does not exist. */
  partitionsOf(topic: string): number | undefined;
  /** The names of every topic. */
  listTopics(): string[];
}

/**
 * Compiled patterns, kept so that heartbeats do not compile them again.
 *
 * @example
 * ```ts
 * new PatternCache().get("orders-.*").test("orders-eu"); // true
 * ```
 */
export class PatternCache {
  private readonly compiled = new Map<string, RegExp>();

  /** The anchored expression for a pattern; an invalid one is `INVALID_REGULAR_EXPRESSION`. */
  get(pattern: string): RegExp {
    let re = this.compiled.get(pattern);
    if (re === undefined) {
      try {
        re = new RegExp(`^(?:${pattern})$`);
      } catch (cause) {
        throw new EdgelogError("INVALID_REGULAR_EXPRESSION", `Invalid regular expression ${JSON.stringify(pattern)}: ${(cause as Error).message}`, {
          cause,
        });
      }
      if (this.compiled.size >= 1000) this.compiled.clear();
      this.compiled.set(pattern, re);
    }
    return re;
  }
}

/**
 * The subscriptions of a group resolved against the topics.
 *
 * @example
 * ```ts
 * const { topicsByMember, partitionsPerTopic, signature } = resolveSubscriptions(members, topics, patterns);
 * ```
 */
export interface ResolvedSubscriptions {
  /** The existing topics each member subscribes to. */
  topicsByMember: Map<string, Set<string>>;
  /** The partition count of every subscribed topic that exists. */
  partitionsPerTopic: Map<string, number>;
  /** A text that changes exactly when `partitionsPerTopic` does. */
  signature: string;
}

/**
 * Resolves members' subscriptions (topic names and patterns) against the topics.
 *
 * @example
 * ```ts
 * resolveSubscriptions([{ memberId: "a", subscribedTopics: ["missing"], subscribedPattern: null }], topics, patterns).partitionsPerTopic.size; // 0
 * ```
 */
export function resolveSubscriptions(
  members: Iterable<Pick<GroupMember, "memberId" | "subscribedTopics" | "subscribedPattern">>,
  topics: TopicsView,
  patterns: PatternCache,
): ResolvedSubscriptions {
  const partitionsPerTopic = new Map<string, number>();
  const topicsByMember = new Map<string, Set<string>>();
  const matchesByPattern = new Map<string, string[]>();
  let allTopics: string[] | undefined;
  const consider = (topic: string, into: Set<string>): void => {
    let n = partitionsPerTopic.get(topic);
    if (n === undefined) {
      n = topics.partitionsOf(topic) ?? 0;
      if (n <= 0) return;
      partitionsPerTopic.set(topic, n);
    }
    into.add(topic);
  };
  for (const m of members) {
    const subscribed = new Set<string>();
    for (const topic of m.subscribedTopics) consider(topic, subscribed);
    if (m.subscribedPattern !== null) {
      let matches = matchesByPattern.get(m.subscribedPattern);
      if (matches === undefined) {
        const re = patterns.get(m.subscribedPattern);
        allTopics ??= topics.listTopics();
        matches = allTopics.filter((t) => !isInternalTopic(t) && re.test(t));
        matchesByPattern.set(m.subscribedPattern, matches);
      }
      for (const topic of matches) consider(topic, subscribed);
    }
    topicsByMember.set(m.memberId, subscribed);
  }
  const signature = [...partitionsPerTopic.keys()]
    .sort(compareStrings)
    .map((t) => `${t}:${partitionsPerTopic.get(t)}`)
    .join(",");
  return { topicsByMember, partitionsPerTopic, signature };
}
