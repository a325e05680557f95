import { describe, expect, it } from "vitest";
import { isEdgelogError } from "../../../src/core/errors.ts";
import {
  hasCollisionChars,
  isInternalTopic,
  isValidTopicName,
  topicNamesCollide,
  validateTopicName,
} from "../../../src/core/topic/topic-name.ts";

function rejection(name: string): string {
  try {
    validateTopicName(name);
  } catch (error) {
    expect(isEdgelogError(error, "INVALID_TOPIC_EXCEPTION")).toBe(true);
    expect((error as { kafkaCode: number }).kafkaCode).toBe(17);
    return (error as Error).message;
  }
  throw new Error(`validateTopicName(${JSON.stringify(name)}) did not throw`);
}

describe("validateTopicName()", () => {
  it("validateTopicName() accepts ASCII alphanumerics, '.', '_' and '-'", () => {
    for (const name of ["a", "orders", "Orders.V1", "my_topic-2", "__consumer_offsets", "...", "-", "0"]) {
      expect(() => validateTopicName(name), name).not.toThrow();
    }
  });

  it("validateTopicName() refuses the empty name with Kafka's wording", () => {
    expect(rejection("")).toBe("Topic name is illegal, it can't be empty");
  });

  it("validateTopicName() refuses '.' and '..' with Kafka's wording", () => {
    expect(rejection(".")).toBe('Topic name cannot be "." or ".."');
    expect(rejection("..")).toBe('Topic name cannot be "." or ".."');
  });

  it("validateTopicName() accepts 249 characters and refuses 250", () => {
    expect(() => validateTopicName("a".repeat(249))).not.toThrow();
    expect(rejection("a".repeat(250))).toBe(
      `Topic name is illegal, it can't be longer than 249 characters, topic name: ${"a".repeat(250)}`,
    );
  });

  it("validateTopicName() refuses any other character with Kafka's wording", () => {
    expect(rejection("my topic")).toBe(
      `Topic name "my topic" is illegal, it contains a character other than ASCII alphanumerics, '.', '_' and '-'`,
    );
    for (const name of ["a/b", "a:b", "é", "토픽", "a\nb", "a*", "a\u0000"]) expect(isValidTopicName(name), name).toBe(false);
  });

  it("validateTopicName() keeps its message on one line", () => {
    expect(rejection("a\nb")).not.toContain("\n");
    expect(rejection(`${"x".repeat(250)}\n`)).not.toContain("\n");
  });
});

describe("topic name helpers", () => {
  it("isInternalTopic() knows Kafka's internal topics", () => {
    expect(isInternalTopic("__consumer_offsets")).toBe(true);
    expect(isInternalTopic("__transaction_state")).toBe(true);
    expect(isInternalTopic("consumer_offsets")).toBe(false);
  });

  it("hasCollisionChars() spots '.' and '_'", () => {
    expect(hasCollisionChars("a.b")).toBe(true);
    expect(hasCollisionChars("a_b")).toBe(true);
    expect(hasCollisionChars("a-b")).toBe(false);
  });

  it("topicNamesCollide() treats '.' and '_' as the same character", () => {
    expect(topicNamesCollide("metrics.cpu", "metrics_cpu")).toBe(true);
    expect(topicNamesCollide("a.b_c", "a_b.c")).toBe(true);
    expect(topicNamesCollide("a-b", "a_b")).toBe(false);
    expect(topicNamesCollide("ab", "a.b")).toBe(false);
  });
});
