/**
 * `edgelog consumer-groups` against a broker whose groups are set up through the protocol: an
 * inactive group with committed offsets (what reference 002 describes after its consumer stopped:
 * "Consumer group 'hello-group' has no active members." and the offsets table), and a group with a
 * member that heartbeats (reference 001's table with CONSUMER-ID, HOST and CLIENT-ID).
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { Connection } from "../../../src/client/connection.ts";
import { createClient } from "../../../src/client/client.ts";
import { nodeWebSocket } from "../../../src/client/node-websocket.ts";
import type { GroupHeartbeatResponse } from "../../../src/protocol/index.ts";
import { edgelog, expectLines, expectOneLineError, startToolBroker, type ToolBroker } from "./harness.ts";

let broker: ToolBroker;
let connection: Connection;
const bootstrap = (): string[] => ["--bootstrap-server", broker.address];
const HEADER = "GROUP           TOPIC           PARTITION  CURRENT-OFFSET  LOG-END-OFFSET  LAG             CONSUMER-ID     HOST            CLIENT-ID";
/** Records per partition of hello.kafka, as in reference 002's table (partition 0 has 4, 1 has 2, 2 has 1, 3 has 4). */
const ENDS = [4, 2, 1, 4];

beforeAll(async () => {
  broker = await startToolBroker({ "group.initial.rebalance.delay.ms": "0", "offsets.topic.num.partitions": "3" });
  const WebSocket = await nodeWebSocket();
  connection = new Connection({ brokers: [broker.address], WebSocket, clientId: "console-consumer" });
  const client = createClient({ brokers: [broker.address], WebSocket });
  await client.admin().createTopics({ topics: [{ topic: "hello.kafka", numPartitions: 4 }, { topic: "orders", numPartitions: 2 }] });
  const producer = client.producer();
  for (const [partition, count] of ENDS.entries()) {
    await producer.send({ topic: "hello.kafka", messages: Array.from({ length: count }, (_, i) => ({ value: `v${i}`, partition })) });
  }
  await producer.send({ topic: "orders", messages: [{ value: "o", partition: 0 }] });
  await producer.disconnect();
  // What the article's consumer committed before it stopped: everything it read.
  await connection.request("offsetCommit", { groupId: "hello-group", offsets: ENDS.map((offset, partition) => ({ topic: "hello.kafka", partition, offset })) });
}, 90_000);
afterAll(async () => {
  await connection?.close();
  await broker?.stop();
});

function row(group: string, topic: string, partition: number, current: string, end: string, lag: string, rest = "-               -               -"): string {
  return `${group.padEnd(15)} ${topic.padEnd(15)} ${String(partition).padEnd(10)} ${current.padEnd(15)} ${end.padEnd(15)} ${lag.padEnd(15)} ${rest}`;
}

describe("consumer-groups on a group without members", () => {
  test("--list and --describe print reference 002's listing and table", async () => {
    const [listed, described] = await Promise.all([
      edgelog(["consumer-groups", ...bootstrap(), "--list"]),
      edgelog(["consumer-groups", ...bootstrap(), "--group", "hello-group", "--describe"]),
    ]);
    expectLines(listed.lines, ["hello-group"]);
    expect(described.code).toBe(0);
    expectLines(described.errLines, ["", "Consumer group 'hello-group' has no active members."]);
    expectLines(described.lines, ["", HEADER, ...ENDS.map((end, p) => row("hello-group", "hello.kafka", p, String(end), String(end), "0"))]);
  }, 60_000);

  test("--reset-offsets plans with --dry-run and commits with --execute", async () => {
    const reset = (...scenario: string[]) => edgelog(["consumer-groups", ...bootstrap(), "--reset-offsets", "--group", "hello-group", "--topic", "hello.kafka", ...scenario]);
    const header = `${"GROUP".padEnd(30)} ${"TOPIC".padEnd(30)} ${"PARTITION".padEnd(10)} ${"NEW-OFFSET".padEnd(15)}`;
    const planRow = (p: number, offset: number) => `${"hello-group".padEnd(30)} ${"hello.kafka".padEnd(30)} ${String(p).padEnd(10)} ${String(offset).padEnd(15)}`;

    const dry = await reset("--to-earliest", "--dry-run");
    expectLines(dry.lines, ["", header, ...ENDS.map((_, p) => planRow(p, 0))]);
    const unchanged = await edgelog(["consumer-groups", ...bootstrap(), "--group", "hello-group", "--describe"]);
    expectLines(unchanged.lines.slice(2), ENDS.map((end, p) => row("hello-group", "hello.kafka", p, String(end), String(end), "0")));

    const executed = await reset("--shift-by", "-1", "--execute");
    expectLines(executed.lines, ["", header, ...ENDS.map((end, p) => planRow(p, end - 1))]);
    const after = await edgelog(["consumer-groups", ...bootstrap(), "--group", "hello-group", "--describe"]);
    expectLines(after.lines.slice(2), ENDS.map((end, p) => row("hello-group", "hello.kafka", p, String(end - 1), String(end), "1")));

    // Without --dry-run or --execute it is a dry run, with Kafka's warning.
    const bare = await reset("--to-offset", "0");
    expect(bare.code).toBe(0);
    expect(bare.errLines[0]).toMatch(/^WARN: No action will be performed as the --execute option is missing\./);
    expect(bare.lines).toHaveLength(2 + ENDS.length);

    const partial = await edgelog(["consumer-groups", ...bootstrap(), "--reset-offsets", "--group", "hello-group", "--topic", "hello.kafka:0,3", "--to-latest", "--execute"]);
    expectLines(partial.lines, ["", header, planRow(0, 4), planRow(3, 4)]);
  }, 60_000);

  test("--reset-offsets without a scenario or a scope is a usage error", async () => {
    const [noScenario, noScope, both] = await Promise.all([
      edgelog(["consumer-groups", ...bootstrap(), "--reset-offsets", "--group", "hello-group", "--topic", "hello.kafka"]),
      edgelog(["consumer-groups", ...bootstrap(), "--reset-offsets", "--group", "hello-group", "--to-earliest"]),
      edgelog(["consumer-groups", ...bootstrap(), "--reset-offsets", "--group", "hello-group", "--all-topics", "--to-earliest", "--dry-run", "--execute"]),
    ]);
    expectOneLineError(noScenario, /requires one of the following scenarios: --to-offset, --to-datetime, --by-duration, --to-earliest, --to-latest, --shift-by, --to-current/, 2);
    expectOneLineError(noScope, /One of the reset scopes should be defined: --all-topics, --topic\./, 2);
    expectOneLineError(both, /only accepts one of --execute and --dry-run/, 2);
  }, 60_000);

  test("--delete removes the group, after which describing it is an error", async () => {
    await connection.request("offsetCommit", { groupId: "doomed", offsets: [{ topic: "orders", partition: 0, offset: 1 }] });
    const deleted = await edgelog(["consumer-groups", ...bootstrap(), "--delete", "--group", "doomed"]);
    expectLines(deleted.lines, ["Deletion of requested consumer groups ('doomed') was successful."]);
    const [described, again] = await Promise.all([
      edgelog(["consumer-groups", ...bootstrap(), "--describe", "--group", "doomed"]),
      edgelog(["consumer-groups", ...bootstrap(), "--delete", "--group", "doomed"]),
    ]);
    expectOneLineError(described, /^ERROR Consumer group 'doomed' does not exist\.$/, 1);
    expectOneLineError(again, /^ERROR Group 'doomed' could not be deleted due to: .*does not exist/, 1);
  }, 60_000);
});

describe("consumer-groups on a group with a member", () => {
  test("--describe shows the member's id, host and client id; --members and --state describe it; a reset is refused", async () => {
    const joined = await connection.request<GroupHeartbeatResponse>("groupHeartbeat", { groupId: "my-consumer-group", memberEpoch: 0, subscribedTopics: ["orders"] });
    let epoch = joined.memberEpoch;
    let owned = joined.assignment;
    for (let i = 0; i < 50 && owned.reduce((n, t) => n + t.partitions.length, 0) < 2; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      const beat = await connection.request<GroupHeartbeatResponse>("groupHeartbeat", {
        groupId: "my-consumer-group", memberId: joined.memberId, memberEpoch: epoch, ownedPartitions: owned,
      });
      epoch = beat.memberEpoch;
      owned = beat.assignment;
    }
    await connection.request("offsetCommit", {
      groupId: "my-consumer-group", memberId: joined.memberId, memberEpoch: epoch, offsets: [{ topic: "orders", partition: 0, offset: 1 }],
    });
    try {
      const [offsets, members, state, reset] = await Promise.all([
        edgelog(["consumer-groups", ...bootstrap(), "--describe", "--group", "my-consumer-group"]),
        edgelog(["consumer-groups", ...bootstrap(), "--describe", "--group", "my-consumer-group", "--members", "--verbose"]),
        edgelog(["consumer-groups", ...bootstrap(), "--describe", "--group", "my-consumer-group", "--state"]),
        edgelog(["consumer-groups", ...bootstrap(), "--reset-offsets", "--group", "my-consumer-group", "--all-topics", "--to-earliest", "--execute"]),
      ]);
      const id = joined.memberId;
      expect(id).toMatch(/^console-consumer-[0-9a-f-]{36}$/);
      const group = "my-consumer-group";
      const widths = (topic: string, p: string, cur: string, end: string, lag: string) =>
        `${group} ${topic.padEnd(15)} ${p.padEnd(10)} ${cur.padEnd(15)} ${end.padEnd(15)} ${lag.padEnd(15)} ${id} ${"/127.0.0.1".padEnd(15)} console-consumer`;
      expect(offsets.errLines).toEqual([]);
      expectLines(offsets.lines, [
        "",
        `${"GROUP".padEnd(group.length)} ${"TOPIC".padEnd(15)} ${"PARTITION".padEnd(10)} ${"CURRENT-OFFSET".padEnd(15)} ${"LOG-END-OFFSET".padEnd(15)} ${"LAG".padEnd(15)} ${"CONSUMER-ID".padEnd(id.length)} ${"HOST".padEnd(15)} CLIENT-ID`,
        widths("orders", "0", "1", "1", "0"),
        widths("orders", "1", "-", "0", "-"),
      ]);
      expectLines(members.lines, [
        "",
        `${"GROUP".padEnd(group.length)} ${"CONSUMER-ID".padEnd(id.length)} ${"HOST".padEnd(15)} ${"CLIENT-ID".padEnd(16)} ${"#PARTITIONS".padEnd(15)} ASSIGNMENT`,
        `${group} ${id} ${"/127.0.0.1".padEnd(15)} console-consumer ${"2".padEnd(15)} orders(0,1)`,
      ]);
      expectLines(state.lines, [
        "",
        /GROUP {21}COORDINATOR \(ID\) {10}ASSIGNMENT-STRATEGY {2}STATE {11}#MEMBERS/,
        /my-consumer-group {9}127\.0\.0\.1:\d+ +\(0\) +uniform +Stable +1/,
      ]);
      expectOneLineError(reset, /^ERROR Assignments can only be reset if the group 'my-consumer-group' is inactive, but the current state is Stable\.$/, 1);
    } finally {
      await connection.request("groupHeartbeat", { groupId: "my-consumer-group", memberId: joined.memberId, memberEpoch: -1 });
    }
  }, 60_000);
});
