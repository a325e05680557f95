import { describe, expect, test } from "vitest";
import { groupStatesTable, membersTable, offsetsTable, resetTable, stateTable } from "../../../src/cli/tools/group-tables.ts";
import { formatRow, padRight } from "../../../src/cli/tools/columns.ts";

const none = { consumerId: null, host: null, clientId: null };

describe("offsetsTable()", () => {
  test("offsetsTable() reproduces reference 002's table of a group without members", () => {
    const rows = [3, 2, 1, 0].map((partition, i) => ({ topic: "hello.kafka", partition, currentOffset: [4, 1, 2, 4][i]!, logEndOffset: [4, 1, 2, 4][i]!, lag: 0, ...none }));
    expect(offsetsTable("hello-group", rows)).toEqual([
      "",
      "GROUP           TOPIC           PARTITION  CURRENT-OFFSET  LOG-END-OFFSET  LAG             CONSUMER-ID     HOST            CLIENT-ID",
      "hello-group     hello.kafka     3          4               4               0               -               -               -",
      "hello-group     hello.kafka     2          1               1               0               -               -               -",
      "hello-group     hello.kafka     1          2               2               0               -               -               -",
      "hello-group     hello.kafka     0          4               4               0               -               -               -",
    ]);
  });

  test("offsetsTable() widens the group, consumer id and host columns as reference 001's table shows", () => {
    const lines = offsetsTable("my-consumer-group", [
      { topic: "test-topic", partition: 0, currentOffset: 35, logEndOffset: 35, lag: 0, consumerId: "console-consumer-9d91eed0-c344-4acb-8019-e907d8539124", host: "/172.20.0.1", clientId: "console-consumer" },
      { topic: "my-topic", partition: 0, currentOffset: 0, logEndOffset: 0, lag: 0, ...none },
    ]);
    expect(lines.slice(0, 3)).toEqual([
      "",
      "GROUP             TOPIC           PARTITION  CURRENT-OFFSET  LOG-END-OFFSET  LAG             CONSUMER-ID                                           HOST            CLIENT-ID",
      "my-consumer-group test-topic      0          35              35              0               console-consumer-9d91eed0-c344-4acb-8019-e907d8539124 /172.20.0.1     console-consumer",
    ]);
    // The article cut this line short after its CONSUMER-ID dash.
    expect(lines[3]).toMatch(/^my-consumer-group my-topic        0          0               0               0               - {53}- {15}-$/);
  });

  test("offsetsTable() prints a member without partitions with dashes for topic and partition", () => {
    expect(offsetsTable("g", [{ topic: null, partition: null, currentOffset: null, logEndOffset: null, lag: null, consumerId: "c-1", host: "/10.0.0.7", clientId: "c" }])[2]).toBe(
      "g               -               -          -               -               -               c-1             /10.0.0.7       c",
    );
  });
});

describe("the other consumer-groups tables", () => {
  const group = {
    groupId: "billing",
    state: "Stable" as const,
    protocolType: "consumer" as const,
    assignor: "range",
    groupEpoch: 3,
    assignmentEpoch: 3,
    members: [
      { memberId: "m-1", instanceId: null, clientId: "app", host: "/10.0.0.7", memberEpoch: 3, assignment: [{ topic: "b", partitions: [1] }, { topic: "a", partitions: [2, 0] }], targetAssignment: [], subscribedTopics: ["a", "b"], subscribedPattern: null },
      { memberId: "m-2", instanceId: null, clientId: "app", host: "/10.0.0.8", memberEpoch: 3, assignment: [], targetAssignment: [], subscribedTopics: ["a"], subscribedPattern: null },
    ],
  };

  test("membersTable() counts each member's partitions and lists them with --verbose", () => {
    expect(membersTable(group, true)).toEqual([
      "",
      "GROUP           CONSUMER-ID     HOST            CLIENT-ID       #PARTITIONS     ASSIGNMENT",
      "billing         m-1             /10.0.0.7       app             3               a(0,2), b(1)",
      "billing         m-2             /10.0.0.8       app             0               -",
    ]);
    expect(membersTable(group, false)[2]).toBe("billing         m-1             /10.0.0.7       app             3               ");
  });

  test("stateTable() and groupStatesTable() print Kafka's columns", () => {
    expect(stateTable(group, "localhost:9092  (1)")).toEqual([
      "",
      "GROUP                     COORDINATOR (ID)          ASSIGNMENT-STRATEGY  STATE           #MEMBERS",
      "billing                   localhost:9092  (1)       range                Stable          2",
    ]);
    expect(groupStatesTable([{ groupId: "billing", state: "Empty", protocolType: "consumer" }])).toEqual([
      "GROUP                     STATE               ",
      "billing                   Empty               ",
    ]);
  });

  test("resetTable() prints the NEW-OFFSET table in 30/30/10/15 columns", () => {
    expect(resetTable("g", [{ topic: "t", partition: 0, previousOffset: 5, newOffset: 2 }])).toEqual([
      "",
      `${padRight("GROUP", 30)} ${padRight("TOPIC", 30)} ${padRight("PARTITION", 10)} ${padRight("NEW-OFFSET", 15)}`,
      `${padRight("g", 30)} ${padRight("t", 30)} ${padRight("0", 10)} ${padRight("2", 15)}`,
    ]);
  });

  test("formatRow() never cuts a value longer than its column", () => {
    expect(formatRow(["a-long-value", "b"], [3, undefined])).toBe("a-long-value b");
  });
});
