/**
 * References 000 ("Kafka 란") and 003 ("Kafka & Zookeeper"), replayed on one broker: create,
 * list, describe and delete a topic; the console producer (also by Kafka's older `--broker-list`)
 * and a `--from-beginning` consumer; 003's consumer in dev-group and the group's offsets and lag;
 * keys printed with `key.separator=:`. Their multi-broker fail-over steps need a three-broker
 * cluster and are not part of this suite.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { edgelog, expectLines, startToolBroker, TOPIC_ID, type ToolBroker } from "./harness.ts";

let broker: ToolBroker;
const bootstrap = (): string[] => ["--bootstrap-server", broker.address];

beforeAll(async () => {
  broker = await startToolBroker({ "log.segment.bytes": "1073741824", "group.initial.rebalance.delay.ms": "0" });
}, 90_000);
afterAll(() => broker?.stop());

describe("reference 000: create, describe, write, read and delete a topic", () => {
  test("the STEP 2 to STEP 4 commands run on one broker with one replica", async () => {
    const created = await edgelog(["topics", "--create", "--topic", "my-kafka-topic", ...bootstrap(), "--partitions", "3", "--replication-factor", "1"]);
    expectLines(created.lines, ["Created topic my-kafka-topic."]);
    expectLines((await edgelog(["topics", "--list", ...bootstrap()])).lines, ["my-kafka-topic"]);
    expectLines((await edgelog(["topics", "--describe", "--topic", "my-kafka-topic", ...bootstrap()])).lines, [
      new RegExp(`Topic: my-kafka-topic\\tTopicId: ${TOPIC_ID.source}\\tPartitionCount: 3\\tReplicationFactor: 1\\tConfigs: segment\\.bytes=1073741824`),
      "\tTopic: my-kafka-topic\tPartition: 0\tLeader: 0\tReplicas: 0\tIsr: 0",
      "\tTopic: my-kafka-topic\tPartition: 1\tLeader: 0\tReplicas: 0\tIsr: 0",
      "\tTopic: my-kafka-topic\tPartition: 2\tLeader: 0\tReplicas: 0\tIsr: 0",
    ]);
    expect((await edgelog(["console-producer", "--topic", "my-kafka-topic", ...bootstrap()], { input: "first\nsecond\n" })).code).toBe(0);
    const consumed = await edgelog(["console-consumer", "--topic", "my-kafka-topic", "--from-beginning", ...bootstrap(), "--max-messages", "2"]);
    expect([...consumed.lines].sort()).toEqual(["first", "second"]);
    expect(await edgelog(["topics", "--delete", "--topic", "my-kafka-topic", ...bootstrap()])).toMatchObject({ code: 0, stdout: "", stderr: "" });
  }, 60_000);
});

describe("reference 003: the topic commands and console tools", () => {
  test("dev-topic is created, listed, described, written with --broker-list, read and deleted", async () => {
    const created = await edgelog(["topics", "--create", ...bootstrap(), "--replication-factor", "1", "--partitions", "1", "--topic", "dev-topic"]);
    expectLines(created.lines, ["Created topic dev-topic."]);
    expectLines((await edgelog(["topics", "--list", ...bootstrap()])).lines, ["dev-topic"]);
    expectLines((await edgelog(["topics", "--describe", "--topic", "dev-topic", ...bootstrap()])).lines, [
      new RegExp(`Topic: dev-topic\\tTopicId: ${TOPIC_ID.source}\\tPartitionCount: 1\\tReplicationFactor: 1\\tConfigs: segment\\.bytes=1073741824`),
      "\tTopic: dev-topic\tPartition: 0\tLeader: 0\tReplicas: 0\tIsr: 0",
    ]);
    const produced = await edgelog(["console-producer", "--broker-list", broker.address, "--topic", "dev-topic"], { input: "dev-topic test~~~~~~~~~~~~~~~~~\nfirst insert\n두번째 입력\n" });
    expect(produced).toMatchObject({ code: 0, stdout: "", stderr: "" });
    const consumed = await edgelog(["console-consumer", ...bootstrap(), "--topic", "dev-topic", "--from-beginning", "--max-messages", "3"]);
    expectLines(consumed.lines, ["dev-topic test~~~~~~~~~~~~~~~~~", "first insert", "두번째 입력"]);
    // "컨슈머 그룹을 지정합니다": a consumer in dev-group, then the group's CURRENT-OFFSET, LOG-END-OFFSET and LAG.
    const grouped = await edgelog(["console-consumer", ...bootstrap(), "--topic", "dev-topic", "--group", "dev-group", "--from-beginning", "--max-messages", "2"]);
    expectLines(grouped.lines, ["dev-topic test~~~~~~~~~~~~~~~~~", "first insert"]);
    const described = await edgelog(["consumer-groups", ...bootstrap(), "--describe", "--group", "dev-group"]);
    expectLines(described.lines, [
      "",
      "GROUP           TOPIC           PARTITION  CURRENT-OFFSET  LOG-END-OFFSET  LAG             CONSUMER-ID     HOST            CLIENT-ID",
      "dev-group       dev-topic       0          2               3               1               -               -               -",
    ]);
    expect((await edgelog(["topics", "--delete", ...bootstrap(), "--topic", "dev-topic"])).code).toBe(0);
    // The group's offsets live in the internal topic __consumer_offsets, which --list shows, as Kafka's;
    // without internal topics the list is empty, which Kafka prints as one empty line.
    expectLines((await edgelog(["topics", "--list", ...bootstrap()])).lines, ["__consumer_offsets"]);
    expectLines((await edgelog(["topics", "--list", "--exclude-internal", ...bootstrap()])).lines, [""]);
  }, 60_000);

  test("keys print before the value with key.separator=:", async () => {
    const produced = await edgelog(["console-producer", ...bootstrap(), "--topic", "keyed-topic", "--property", "parse.key=true", "--property", "key.separator=:"], {
      input: '"key":"second key value"\n"secone message":null\nkey3:third\n',
    });
    expect(produced.code).toBe(0);
    const consumed = await edgelog([
      "console-consumer", ...bootstrap(), "--topic", "keyed-topic", "--from-beginning", "--property", "print.key=true", "--property", "key.separator=:", "--max-messages", "3",
    ]);
    expectLines(consumed.lines, ['"key":"second key value"', '"secone message":null', "key3:third"]);
  }, 60_000);
});
