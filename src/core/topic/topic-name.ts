/**
 * Kafka's rules for topic names: 1 to 249 characters from `[a-zA-Z0-9._-]`, and neither "." nor
 * "..". Names that differ only in '.' against '_' collide in Kafka's metric names; Kafka refuses to
 * create a topic that collides with an existing one, and warns about names that could.
 *
 * @example
 * ```ts
 * validateTopicName("orders.v1"); // fine
 * validateTopicName("orders v1"); // throws INVALID_TOPIC_EXCEPTION
 * topicNamesCollide("a.b", "a_b"); // true
 * ```
 * @module
 */
import { EdgelogError } from "../errors.ts";

/**
 * The longest topic name Kafka accepts.
 *
 * @example
 * ```ts
 * isValidTopicName("a".repeat(MAX_TOPIC_NAME_LENGTH)); // true
 * ```
 */
export const MAX_TOPIC_NAME_LENGTH = 249;

/**
 * The internal topic that holds consumer group offsets.
 *
 * @example
 * ```ts
 * isInternalTopic(CONSUMER_OFFSETS_TOPIC); // true
 * ```
 */
export const CONSUMER_OFFSETS_TOPIC = "__consumer_offsets";

/** Kafka's internal topic names. */
const INTERNAL_TOPICS: ReadonlySet<string> = new Set([CONSUMER_OFFSETS_TOPIC, "__transaction_state"]);

const LEGAL = /^[a-zA-Z0-9._-]*$/;

/**
 * Throws `INVALID_TOPIC_EXCEPTION` with Kafka's wording when a name is not a legal topic name.
 *
 * @example
 * ```ts
 * validateTopicName(""); // throws "Topic name is illegal, it can't be empty"
 * ```
 */
export function validateTopicName(name: string): void {
  const reason = topicNameProblem(name);
  if (reason !== undefined) throw new EdgelogError("INVALID_TOPIC_EXCEPTION", reason, { details: { topic: name } });
}

/**
 * Why a name is not a legal topic name (Kafka's message), or undefined when it is legal.
 *
 * @example
 * ```ts
 * topicNameProblem(".."); // 'Topic name cannot be "." or ".."'
 * topicNameProblem("ok"); // undefined
 * ```
 */
export function topicNameProblem(name: string): string | undefined {
  if (typeof name !== "string" || name.length === 0) return "Topic name is illegal, it can't be empty";
  if (name === "." || name === "..") return 'Topic name cannot be "." or ".."';
  if (name.length > MAX_TOPIC_NAME_LENGTH) {
    return `Topic name is illegal, it can't be longer than ${MAX_TOPIC_NAME_LENGTH} characters, topic name: ${JSON.stringify(name).slice(1, -1)}`;
  }
  if (!LEGAL.test(name)) {
    return `Topic name ${JSON.stringify(name)} is illegal, it contains a character other than ASCII alphanumerics, '.', '_' and '-'`;
  }
  return undefined;
}

/**
 * Whether a name is a legal topic name.
 *
 * @example
 * ```ts
 * isValidTopicName("a/b"); // false
 * ```
 */
export function isValidTopicName(name: string): boolean {
  return topicNameProblem(name) === undefined;
}

/**
 * Whether a topic is one of Kafka's internal topics (`__consumer_offsets`, `__transaction_state`).
 *
 * @example
 * ```ts
 * isInternalTopic("__consumer_offsets"); // true
 * ```
 */
export function isInternalTopic(name: string): boolean {
  return INTERNAL_TOPICS.has(name);
}

/**
 * Whether a name holds '.' or '_', the characters that can make two names collide.
 *
 * @example
 * ```ts
 * hasCollisionChars("orders_v1"); // true
 * ```
 */
export function hasCollisionChars(name: string): boolean {
  return name.includes(".") || name.includes("_");
}

/**
 * Whether two topic names are the same once '.' and '_' are treated as one character.
 *
 * @example
 * ```ts
 * topicNamesCollide("metrics.cpu", "metrics_cpu"); // true
 * topicNamesCollide("a", "a"); // true
 * ```
 */
export function topicNamesCollide(a: string, b: string): boolean {
  return a.replaceAll(".", "_") === b.replaceAll(".", "_");
}
