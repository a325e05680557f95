/**
 * Reference 001 ("Apache Kafka 시작하기"), replayed end to end on one broker with the article's id
 * (1001, as its docker image assigns): a consumer at the end of test-topic prints what a producer
 * sends afterwards; topics are listed, deleted and described with their partitions; keys and
 * values with `parse.key`/`key.separator`; the consumer-group demo (three consumers in
 * test-consumer-group share a three-partition topic, then kafka-consumer-groups describes them);
 * `--partition`/`--offset`/`--from-beginning`; the replication factor.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createClient } from "../../../src/client/client.ts";
import { nodeWebSocket } from "../../../src/client/node-websocket.ts";
import type { Child } from "../../support/child-process.ts";
import { edgelog, expectLines, expectOneLineError, spawnEdgelog, startToolBroker, subscribeCount, TOPIC_ID, waitForSubscribes, type ToolBroker } from "./harness.ts";

let broker: ToolBroker;
const bootstrap = (): string[] => ["--bootstrap-server", broker.address];

beforeAll(async () => {
  broker = await startToolBroker({ "broker.id": "1001", "log.segment.bytes": "1073741824", "group.initial.rebalance.delay.ms": "0" });
}, 90_000);
afterAll(() => broker?.stop());

describe("reference 001: getting started", () => {
  test("a consumer started at the end of test-topic prints the lines a producer sends afterwards", async () => {
    expectLines((await edgelog(["topics", ...bootstrap(), "--topic", "test-topic", "--create"])).lines, ["Created topic test-topic."]);
    const before = await subscribeCount(broker.httpUrl);
    const consumer = spawnEdgelog(["console-consumer", ...bootstrap(), "--topic", "test-topic"]);
    try {
      await waitForSubscribes(broker.httpUrl, before + 1);
      const produced = await edgelog(["console-producer", ...bootstrap(), "--topic", "test-topic"], { input: "Hello Kafka.\nNice to meet you.\nSee you again.\n" });
      expect(produced).toMatchObject({ code: 0, stdout: "", stderr: "" });
      await consumer.waitForLine((line) => line === "See you again.");
    } finally {
      consumer.kill("SIGINT");
    }
    expect((await consumer.exited).code).toBe(0);
    expectLines(consumer.stdout, ["Hello Kafka.", "Nice to meet you.", "See you again."]);
    expectLines(consumer.stderr, ["Processed a total of 3 messages"]);
  }, 60_000);

  test("topics are listed in name order and deleted", async () => {
    await Promise.all(["my-topic", "your-topic"].map((t) => edgelog(["topics", ...bootstrap(), "--topic", t, "--create"])));
    expectLines((await edgelog(["topics", ...bootstrap(), "--list"])).lines, ["my-topic", "test-topic", "your-topic"]);
    expect(await edgelog(["topics", ...bootstrap(), "--topic", "my-topic", "--delete"])).toMatchObject({ code: 0, stdout: "" });
    expect(await edgelog(["topics", ...bootstrap(), "--topic", "your-topic", "--delete"])).toMatchObject({ code: 0, stdout: "" });
    expectLines((await edgelog(["topics", ...bootstrap(), "--list"])).lines, ["test-topic"]);
  }, 60_000);

  test("keys and values travel with parse.key and key.separator", async () => {
    const produced = await edgelog(["console-producer", ...bootstrap(), "--topic", "example-topic", "--property", "parse.key=true", "--property", "key.separator=:"], {
      input: "name:paul\nnation:korea\naddress:seoul\n",
    });
    expect(produced.code).toBe(0);
    const consumed = await edgelog([
      "console-consumer", "--topic", "example-topic", ...bootstrap(), "--from-beginning", "--property", "print.key=true", "--property", "key.separator=-", "--max-messages", "3",
    ]);
    expectLines(consumed.lines, ["name-paul", "nation-korea", "address-seoul"]);
  }, 60_000);

  test("a topic made with --partitions 3 is described with its partitions as the article shows", async () => {
    expectLines((await edgelog(["topics", ...bootstrap(), "--topic", "your-topic", "--partitions", "3", "--create"])).lines, ["Created topic your-topic."]);
    const described = await edgelog(["topics", "--describe", ...bootstrap(), "--topic", "your-topic"]);
    expectLines(described.lines, [
      new RegExp(`Topic: your-topic\\tTopicId: ${TOPIC_ID.source}\\tPartitionCount: 3\\tReplicationFactor: 1\\tConfigs: segment\\.bytes=1073741824`),
      "\tTopic: your-topic\tPartition: 0\tLeader: 1001\tReplicas: 1001\tIsr: 1001",
      "\tTopic: your-topic\tPartition: 1\tLeader: 1001\tReplicas: 1001\tIsr: 1001",
      "\tTopic: your-topic\tPartition: 2\tLeader: 1001\tReplicas: 1001\tIsr: 1001",
    ]);
  }, 60_000);

  test("three consumers of test-consumer-group share group-topic's partitions, and kafka-consumer-groups describes them", async () => {
    await edgelog(["topics", "--bootstrap-server", broker.address, "--topic", "group-topic", "--partitions", "3", "--create"]);
    const consumers: Child[] = [];
    const admin = createClient({ brokers: [broker.address], WebSocket: await nodeWebSocket() }).admin();
    try {
      for (let i = 0; i < 3; i++) {
        consumers.push(spawnEdgelog(["console-consumer", "--bootstrap-server", broker.address, "--topic", "group-topic", "--group", "test-consumer-group"]));
      }
      // Wait until each of the three members owns one partition and streams it.
      for (let ready = false; !ready; ) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        const [group] = (await admin.describeGroups(["test-consumer-group"])).groups;
        ready = group!.state === "Stable" && group!.members.length === 3 && group!.members.every((m) => m.assignment.reduce((n, t) => n + t.partitions.length, 0) === 1);
      }
      // The article types one line at a time: each record is its own batch, so they go round robin.
      const produced = await edgelog(["console-producer", "--bootstrap-server", broker.address, "--topic", "group-topic", "--sync"], { input: "a\nb\nc\nd\ne\nf\ng\n" });
      expect(produced.code).toBe(0);
      for (let seen = 0; seen < 7; ) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        seen = consumers.reduce((n, c) => n + c.stdout.length, 0);
      }
      const running = await edgelog(["consumer-groups", "--bootstrap-server", broker.address, "--describe", "--group", "test-consumer-group"]);
      expect(running.errLines).toEqual([]);
      expect(running.lines.slice(0, 2)).toEqual([
        "",
        expect.stringMatching(/^GROUP {15}TOPIC {11}PARTITION  CURRENT-OFFSET  LOG-END-OFFSET  LAG {13}CONSUMER-ID {43}HOST {12}CLIENT-ID$/),
      ]);
      expect(running.lines.slice(2)).toEqual(
        [0, 1, 2].map((p) =>
          expect.stringMatching(new RegExp(`^test-consumer-group group-topic {5}${p} {10}(\\d+|-) +\\d+ +(\\d+|-) +console-consumer-[0-9a-f-]{36} /127\\.0\\.0\\.1 {6}console-consumer$`)),
        ),
      );
    } finally {
      for (const consumer of consumers) consumer.kill("SIGINT");
      await admin.disconnect();
    }
    const exits = await Promise.all(consumers.map((c) => c.exited));
    expect(exits.map((e) => e.code)).toEqual([0, 0, 0]);
    // As in the article: a, d, g to one consumer, b, e to another, c, f to the third.
    expect(consumers.map((c) => c.stdout.join("")).sort()).toEqual(["adg", "be", "cf"]);
    expect(consumers.map((c) => c.stderr.at(-1)).sort()).toEqual(["Processed a total of 2 messages", "Processed a total of 2 messages", "Processed a total of 3 messages"]);

    // After they left, the group has no members and has committed what they printed.
    const after = await edgelog(["consumer-groups", "--bootstrap-server", broker.address, "--describe", "--group", "test-consumer-group"]);
    expectLines(after.errLines, ["", "Consumer group 'test-consumer-group' has no active members."]);
    const rows = after.lines.slice(2).map((l) => l.split(/ +/));
    expect(rows.map((r) => [r[3], r[4], r[5], r[6], r[7], r[8]])).toEqual(
      rows.map((r) => [r[4], r[4], "0", "-", "-", "-"]),
    );
    expect(rows.map((r) => Number(r[4])).sort()).toEqual([2, 2, 3]);
  }, 90_000);

  test("--offset and --from-beginning choose where his-topic is read from", async () => {
    await edgelog(["topics", ...bootstrap(), "--topic", "his-topic", "--create"]);
    expect((await edgelog(["console-producer", ...bootstrap(), "--topic", "his-topic"], { input: "a\nb\nc\nd\ne\nf\ng\nh\ni\nj\n" })).code).toBe(0);
    const [atEnd, fromFour, fromStart] = await Promise.all([
      edgelog(["console-consumer", ...bootstrap(), "--topic", "his-topic", "--timeout-ms", "1500"]),
      edgelog(["console-consumer", ...bootstrap(), "--topic", "his-topic", "--partition", "0", "--offset", "4", "--max-messages", "6"]),
      edgelog(["console-consumer", ...bootstrap(), "--topic", "his-topic", "--partition", "0", "--from-beginning", "--max-messages", "10"]),
    ]);
    // "아무 레코드도 출력되지 않는 것을 확인할 수 있다": at the end there is nothing to print.
    expect(atEnd.code).toBe(0);
    expectLines(atEnd.lines, []);
    expect(atEnd.errLines.at(-1)).toBe("Processed a total of 0 messages");
    expectLines(fromFour.lines, ["e", "f", "g", "h", "i", "j"]);
    expectLines(fromStart.lines, ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j"]);
  }, 60_000);

  test("--replication-factor is honoured up to the number of brokers", async () => {
    expectLines((await edgelog(["topics", ...bootstrap(), "--topic", "replicated", "--replication-factor", "1", "--create"])).lines, ["Created topic replicated."]);
    expectOneLineError(
      await edgelog(["topics", ...bootstrap(), "--topic", "too-replicated", "--replication-factor", "3", "--create"]),
      /^ERROR .*replication factor of 3 cannot be reached because only 1 broker\(s\) are registered\.$/,
      1,
    );
  }, 60_000);
});
