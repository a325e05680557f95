/**
 * Reference 004's quick start ("시작하기"), replayed with the compiled binary dist/edgelog for the
 * broker and every tool: create the topic test, list it, send two messages with the console
 * producer (by `--broker-list`, as the article does), read them back from the beginning, describe
 * the topic. Its multi-broker part needs a three-broker cluster and is not part of this suite.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { ensureBinary } from "../../e2e/broker-matrix.ts";
import { edgelog, expectLines, startToolBroker, TOPIC_ID, type ToolBroker } from "./harness.ts";

let broker: ToolBroker;

beforeAll(async () => {
  ensureBinary();
  broker = await startToolBroker({}, "binary");
}, 180_000);
afterAll(() => broker?.stop());

describe("reference 004: the quick start through the compiled binary", () => {
  test("create, list, produce, consume and describe run as the article shows", async () => {
    const run = (args: string[], input?: string) => edgelog(args, { target: "binary", ...(input === undefined ? {} : { input }) });
    const created = await run(["topics", "--create", "--bootstrap-server", broker.address, "--replication-factor", "1", "--partitions", "1", "--topic", "test"]);
    expectLines(created.lines, ["Created topic test."]);
    expectLines((await run(["topics", "--list", "--bootstrap-server", broker.address])).lines, ["test"]);
    const produced = await run(["console-producer", "--broker-list", broker.address, "--topic", "test"], "This is a message\nThis is another message\n");
    expect(produced).toMatchObject({ code: 0, stdout: "", stderr: "" });
    const consumed = await run(["console-consumer", "--bootstrap-server", broker.address, "--topic", "test", "--from-beginning", "--max-messages", "2"]);
    expect(consumed.code).toBe(0);
    expectLines(consumed.lines, ["This is a message", "This is another message"]);
    expectLines(consumed.errLines, ["Processed a total of 2 messages"]);
    expectLines((await run(["topics", "--describe", "--bootstrap-server", broker.address, "--topic", "test"])).lines, [
      new RegExp(`Topic: test\\tTopicId: ${TOPIC_ID.source}\\tPartitionCount: 1\\tReplicationFactor: 1\\tConfigs: `),
      "\tTopic: test\tPartition: 0\tLeader: 0\tReplicas: 0\tIsr: 0",
    ]);
  }, 60_000);
});
