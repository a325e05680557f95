/**
 * Reference 002 ("카프카 커맨드 라인 툴"), replayed end to end: kafka-topics create/list/describe/
 * alter, kafka-configs for retention.ms, console producer and consumer with keys (the consumer in
 * hello-group), kafka-consumer-groups --list and --describe after it, the verifiable producer's and
 * consumer's JSON, and kafka-delete-records.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { edgelog, expectLines, expectOneLineError, startToolBroker, TOPIC_ID, type ToolBroker } from "./harness.ts";

let broker: ToolBroker;
let files: string;
const bootstrap = (): string[] => ["--bootstrap-server", broker.address];

beforeAll(async () => {
  // The article's server.properties sets log.segment.bytes (which is why describe shows it) and
  // group.initial.rebalance.delay.ms=0.
  broker = await startToolBroker({ "log.segment.bytes": "1073741824", "group.initial.rebalance.delay.ms": "0" });
  files = mkdtempSync(join(tmpdir(), "edgelog-ref-002-"));
}, 90_000);
afterAll(async () => {
  await broker?.stop();
  rmSync(files, { recursive: true, force: true });
});

describe("reference 002: the command-line tools walk-through", () => {
  test("kafka-topics creates, lists, describes and alters topics as the article prints them", async () => {
    expectLines((await edgelog(["topics", "--create", ...bootstrap(), "--topic", "hello.kafka"])).lines, ["Created topic hello.kafka."]);
    const created = await edgelog([
      "topics", "--create", ...bootstrap(), "--partitions", "3", "--replication-factor", "1", "--config", "retention.ms=172800000", "--topic", "hello.kafka.2",
    ]);
    expectLines(created.lines, ["Created topic hello.kafka.2."]);
    expectLines((await edgelog(["topics", ...bootstrap(), "--list"])).lines, ["hello.kafka", "hello.kafka.2"]);

    const described = await edgelog(["topics", ...bootstrap(), "--describe", "--topic", "hello.kafka.2"]);
    expect(described.code).toBe(0);
    expectLines(described.lines, [
      new RegExp(`Topic: hello\\.kafka\\.2\\tTopicId: ${TOPIC_ID.source}\\tPartitionCount: 3\\tReplicationFactor: 1\\tConfigs: segment\\.bytes=1073741824,retention\\.ms=172800000`),
      "\tTopic: hello.kafka.2\tPartition: 0\tLeader: 0\tReplicas: 0\tIsr: 0",
      "\tTopic: hello.kafka.2\tPartition: 1\tLeader: 0\tReplicas: 0\tIsr: 0",
      "\tTopic: hello.kafka.2\tPartition: 2\tLeader: 0\tReplicas: 0\tIsr: 0",
    ]);

    const altered = await edgelog(["topics", ...bootstrap(), "--topic", "hello.kafka", "--alter", "--partitions", "4"]);
    expect(altered).toMatchObject({ code: 0, stdout: "", stderr: "" });
    expectLines((await edgelog(["topics", ...bootstrap(), "--topic", "hello.kafka", "--describe"])).lines, [
      new RegExp(`Topic: hello\\.kafka\\tTopicId: ${TOPIC_ID.source}\\tPartitionCount: 4\\tReplicationFactor: 1\\tConfigs: segment\\.bytes=1073741824`),
      "\tTopic: hello.kafka\tPartition: 0\tLeader: 0\tReplicas: 0\tIsr: 0",
      "\tTopic: hello.kafka\tPartition: 1\tLeader: 0\tReplicas: 0\tIsr: 0",
      "\tTopic: hello.kafka\tPartition: 2\tLeader: 0\tReplicas: 0\tIsr: 0",
      "\tTopic: hello.kafka\tPartition: 3\tLeader: 0\tReplicas: 0\tIsr: 0",
    ]);

    // "토픽의 파티션을 늘릴 수 있지만 줄일 수는 없다": going down is refused with Kafka's message.
    const lowered = await edgelog(["topics", ...bootstrap(), "--topic", "hello.kafka", "--alter", "--partitions", "2"]);
    expectOneLineError(lowered, /^ERROR Topic currently has 4 partitions, which is higher than the requested 2\.$/, 1);
  }, 60_000);

  test("kafka-configs sets retention.ms and describes it as the article prints it", async () => {
    await edgelog(["topics", "--create", ...bootstrap(), "--topic", "configured"]);
    const altered = await edgelog([
      "configs", ...bootstrap(), "--entity-type", "topics", "--entity-name", "configured", "--alter", "--add-config", "retention.ms=86400000",
    ]);
    expectLines(altered.lines, ["Completed updating config for topic configured."]);
    const described = await edgelog(["configs", ...bootstrap(), "--entity-type", "topics", "--entity-name", "configured", "--describe"]);
    expectLines(described.lines, [
      "Dynamic configs for topic configured are:",
      "  retention.ms=86400000 sensitive=false synonyms={DYNAMIC_TOPIC_CONFIG:retention.ms=86400000}",
    ]);
  }, 60_000);

  test("the console producer's values and keys come back from the console consumer of hello-group, which kafka-consumer-groups then describes", async () => {
    const plain = await edgelog(["console-producer", ...bootstrap(), "--topic", "hello.kafka"], { input: "hello\nkafka\n0\n1\n2\n3\n4\n5\n" });
    expect(plain).toMatchObject({ code: 0, stdout: "", stderr: "" });
    const keyed = await edgelog(["console-producer", ...bootstrap(), "--topic", "hello.kafka", "--property", "parse.key=true", "--property", "key.separator=:"], {
      input: "key1:no1\nkey2:no2\nkey3:no3\n",
    });
    expect(keyed).toMatchObject({ code: 0, stdout: "" });

    const values = await edgelog(["console-consumer", ...bootstrap(), "--topic", "hello.kafka", "--from-beginning", "--max-messages", "11"]);
    // Records come from four partitions, so their order differs from the input's, as the article explains.
    expect([...values.lines].sort()).toEqual(["0", "1", "2", "3", "4", "5", "hello", "kafka", "no1", "no2", "no3"]);
    expectLines(values.errLines, ["Processed a total of 11 messages"]);
    const withKeys = await edgelog([
      "console-consumer", ...bootstrap(), "--topic", "hello.kafka", "--property", "print.key=true", "--property", "key.separator=-", "--group", "hello-group", "--from-beginning",
      "--max-messages", "11",
    ]);
    expect(withKeys.code, withKeys.stderr).toBe(0);
    expect([...withKeys.lines].sort()).toEqual(
      ["null-kafka", "null-4", "null-5", "key2-no2", "null-3", "null-hello", "key3-no3", "null-0", "null-1", "null-2", "key1-no1"].sort(),
    );

    expectLines((await edgelog(["consumer-groups", ...bootstrap(), "--list"])).lines, ["hello-group"]);
    const [described, ends] = await Promise.all([
      edgelog(["consumer-groups", ...bootstrap(), "--group", "hello-group", "--describe"]),
      edgelog(["get-offsets", ...bootstrap(), "--topic", "hello.kafka"]),
    ]);
    expectLines(described.errLines, ["", "Consumer group 'hello-group' has no active members."]);
    const endOf = new Map(ends.lines.map((l) => [Number(l.split(":")[1]), l.split(":")[2]!]));
    expect([...endOf.values()].reduce((n, e) => n + Number(e), 0)).toBe(11);
    expectLines(described.lines, [
      "",
      "GROUP           TOPIC           PARTITION  CURRENT-OFFSET  LOG-END-OFFSET  LAG             CONSUMER-ID     HOST            CLIENT-ID",
      ...[0, 1, 2, 3]
        .filter((p) => endOf.get(p) !== "0")
        .map((p) => `hello-group     hello.kafka     ${String(p).padEnd(10)} ${endOf.get(p)!.padEnd(15)} ${endOf.get(p)!.padEnd(15)} 0               -               -               -`),
    ]);
  }, 60_000);

  test("the verifiable producer and consumer print the article's JSON events", async () => {
    // The article's run was the second one: its offsets are 10 to 19, and the consumer reads 20.
    expect((await edgelog(["verifiable-producer", ...bootstrap(), "--max-message", "10", "--topic", "verify-test"])).code).toBe(0);
    const run = await edgelog(["verifiable-producer", ...bootstrap(), "--max-message", "10", "--topic", "verify-test"]);
    expect(run.code).toBe(0);
    expectLines(run.lines, [
      /\{"timestamp":\d+,"name":"startup_complete"\}/,
      ...Array.from(
        { length: 10 },
        (_, i) => new RegExp(`\\{"timestamp":\\d+,"name":"producer_send_success","key":null,"value":"${i}","offset":${10 + i},"topic":"verify-test","partition":0\\}`),
      ),
      /\{"timestamp":\d+,"name":"shutdown_complete"\}/,
      /\{"timestamp":\d+,"name":"tool_data","sent":10,"acked":10,"target_throughput":-1,"avg_throughput":\d+\.\d+(E\d+)?\}/,
    ]);

    const consumed = await edgelog(["verifiable-consumer", ...bootstrap(), "--topic", "verify-test", "--group-id", "test-group", "--max-messages", "20"]);
    expect(consumed.code, consumed.stderr).toBe(0);
    const events = consumed.lines.map((l) => JSON.parse(l) as Record<string, unknown> & { timestamp: number; name: string });
    expect(events.every((e) => Number.isSafeInteger(e.timestamp))).toBe(true);
    expect(events[0]!.name).toBe("startup_complete");
    expect(events[1]).toEqual({ timestamp: events[1]!.timestamp, name: "partitions_assigned", partitions: [{ topic: "verify-test", partition: 0 }] });
    expect(events.at(-1)!.name).toBe("shutdown_complete");
    expect(events.at(-2)).toEqual({ timestamp: events.at(-2)!.timestamp, name: "partitions_revoked", partitions: [{ topic: "verify-test", partition: 0 }] });
    // Records come in one or more batches, each followed by the commit of the offset after it.
    let next = 0;
    const body = events.slice(2, -2);
    for (let i = 0; i < body.length; i += 2) {
      const { count, partitions } = body[i] as unknown as { count: number; partitions: unknown[] };
      expect(body[i]).toMatchObject({ name: "records_consumed" });
      expect(partitions).toEqual([{ topic: "verify-test", partition: 0, count, minOffset: next, maxOffset: next + count - 1 }]);
      next += count;
      expect(body[i + 1]).toEqual({ timestamp: body[i + 1]!.timestamp, name: "offsets_committed", offsets: [{ topic: "verify-test", partition: 0, offset: next }], success: true });
    }
    expect(next).toBe(20);
  }, 60_000);

  test("kafka-delete-records deletes up to the offset of the JSON file", async () => {
    await edgelog(["topics", "--create", ...bootstrap(), "--topic", "test"]);
    const lines = Array.from({ length: 60 }, (_, i) => `m${i}`).join("\n");
    expect((await edgelog(["console-producer", ...bootstrap(), "--topic", "test"], { input: `${lines}\n` })).code).toBe(0);

    // The article's file is not valid JSON ("partitions": [...] holds key-value pairs): Kafka refuses it.
    const broken = join(files, "broken.json");
    writeFileSync(broken, '{"partitions": ["topic": "test", "partition": 0, "offset": 50], "version": 1}\n');
    expectOneLineError(await edgelog(["delete-records", ...bootstrap(), "--offset-json-file", broken]), /^ERROR The input string is not a valid JSON$/, 1);

    const file = join(files, "delete-topic.json");
    writeFileSync(file, '{"partitions": [{"topic": "test", "partition": 0, "offset": 50}], "version": 1}\n');
    const deleted = await edgelog(["delete-records", ...bootstrap(), "--offset-json-file", file]);
    expect(deleted.code).toBe(0);
    expectLines(deleted.lines, ["Executing records delete operation", "Records delete operation completed:", "partition: test-0\tlow_watermark: 50"]);

    const [earliest, latest, rest] = await Promise.all([
      edgelog(["get-offsets", ...bootstrap(), "--topic", "test", "--time", "-2"]),
      edgelog(["get-offsets", ...bootstrap(), "--topic", "test"]),
      edgelog(["console-consumer", ...bootstrap(), "--topic", "test", "--from-beginning", "--max-messages", "10"]),
    ]);
    expectLines(earliest.lines, ["test:0:50"]);
    expectLines(latest.lines, ["test:0:60"]);
    expectLines(rest.lines, Array.from({ length: 10 }, (_, i) => `m${50 + i}`));
  }, 60_000);
});
