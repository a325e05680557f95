/**
 * `edgelog leader-election` and `edgelog reassign-partitions` against three in-process brokers of
 * one cluster: the commands run as they do from `edgelog`, their printed lines checked.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { leaderElectionCommand } from "../../../src/cli/commands/leader-election.ts";
import { reassignPartitionsCommand } from "../../../src/cli/commands/reassign-partitions.ts";
import { topicsCommand } from "../../../src/cli/commands/topics.ts";
import type { Command } from "../../../src/cli/command.ts";
import { UsageError } from "../../../src/cli/usage-error.ts";
import type { Frame, WsTestClient } from "../../support/ws-test-client.ts";
import { clusterHarness, eventually } from "../../server/cluster-harness.ts";

interface PartitionInfo {
  partition: number;
  leader: number;
  replicas: number[];
  isr: number[];
}

interface Run {
  code: number;
  out: string[];
  err: string[];
}

async function run(command: Command, args: string[]): Promise<Run> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await command.run(args, { out: (text) => out.push(...text.split("\n")), err: (text) => err.push(...text.split("\n")) });
  return { code, out, err };
}

async function failure(command: Command, args: string[]): Promise<{ error: Error; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  try {
    await command.run(args, { out: (text) => out.push(...text.split("\n")), err: (text) => err.push(...text.split("\n")) });
  } catch (error) {
    return { error: error as Error, out, err };
  }
  throw new Error("expected the command to fail");
}

describe("the cluster admin tools on three brokers", () => {
  const cluster = clusterHarness();
  const dir = mkdtempSync(join(tmpdir(), "edgelog-cluster-tools-"));
  let bootstrap: string[];
  let watcher: WsTestClient;

  const file = (name: string, content: unknown): string => {
    const path = join(dir, name);
    writeFileSync(path, typeof content === "string" ? content : JSON.stringify(content));
    return path;
  };
  /** `--bootstrap-server` with the live brokers. */
  const server = (): string => [...cluster.brokers.values()].map((b) => b.url).join(",");
  async function partitionsOf(topic: string): Promise<PartitionInfo[]> {
    const metadata = await watcher.call("metadata", { topics: [topic] });
    return (metadata["topics"] as Frame[])[0]!["partitions"] as unknown as PartitionInfo[];
  }
  async function inSync(topic: string, replicationFactor: number): Promise<PartitionInfo[]> {
    return eventually(async () => {
      const partitions = await partitionsOf(topic);
      for (const p of partitions) expect(p.isr).toHaveLength(replicationFactor);
      return partitions;
    });
  }

  beforeAll(async () => {
    const brokers = await cluster.start([1, 2, 3]);
    bootstrap = brokers.map((b) => b.url);
    watcher = await brokers[2]!.connect();
  });
  afterAll(async () => {
    await cluster.stopAll();
    rmSync(dir, { recursive: true, force: true });
  });

  it("leader-election --election-type PREFERRED moves leaders back to their preferred replica, and says when none was needed", async () => {
    const created = await run(topicsCommand, ["--bootstrap-server", bootstrap.join(","), "--create", "--topic", "orders", "--partitions", "2", "--replication-factor", "3"]);
    expect(created.out).toEqual(["Created topic orders."]);
    const initial = await inSync("orders", 3);
    const quiet = await run(leaderElectionCommand, ["--bootstrap-server", server(), "--election-type", "PREFERRED", "--all-topic-partitions"]);
    expect(quiet).toEqual({ code: 0, out: [], err: [] });
    const noop = await run(leaderElectionCommand, ["--bootstrap-server", server(), "--election-type", "preferred", "--topic", "orders", "--partition", "1"]);
    expect(noop.out).toEqual(["Valid replica already elected for partitions orders-1"]);

    // Broker `preferred` dies and comes back: its partitions are led by others until an election.
    const preferred = initial[0]!.replicas[0]!;
    watcher = await [...cluster.brokers.values()].find((b) => b.id !== preferred)!.connect();
    await cluster.brokers.get(preferred)!.kill();
    await eventually(async () => {
      for (const p of await partitionsOf("orders")) expect([-1, preferred]).not.toContain(p.leader);
    });
    await cluster.restart(preferred);
    const moved = await inSync("orders", 3);
    const away = moved.filter((p) => p.leader !== p.replicas[0]).map((p) => `orders-${p.partition}`);
    expect(away).toContain("orders-0");

    const elected = await run(leaderElectionCommand, ["--bootstrap-server", server(), "--election-type", "PREFERRED", "--all-topic-partitions"]);
    expect(elected.out).toEqual([`Successfully completed leader election (PREFERRED) for partitions ${away.join(", ")}`]);
    await eventually(async () => {
      for (const p of await partitionsOf("orders")) expect(p.leader).toBe(p.replicas[0]);
    });

    const json = file("election.json", { partitions: [{ topic: "orders", partition: 0 }, { topic: "orders", partition: 7 }] });
    const mixed = await failure(leaderElectionCommand, ["--bootstrap-server", server(), "--election-type", "preferred", "--path-to-json-file", json]);
    expect(mixed.out).toEqual([
      "Valid replica already elected for partitions orders-0",
      expect.stringMatching(/^Error completing leader election \(PREFERRED\) for partition: orders-7: UNKNOWN_TOPIC_OR_PARTITION: /),
    ]);
    expect(mixed.error.message).toBe("1 replica(s) could not be elected");
  });

  it("leader-election checks its command line as Kafka's tool does", async () => {
    const cases = [
      ["--bootstrap-server", server(), "--all-topic-partitions"],
      ["--bootstrap-server", server(), "--election-type", "clean", "--all-topic-partitions"],
      ["--bootstrap-server", server(), "--election-type", "preferred"],
      ["--bootstrap-server", server(), "--election-type", "preferred", "--topic", "orders"],
      ["--bootstrap-server", server(), "--election-type", "preferred", "--topic", "orders", "--partition", "0", "--all-topic-partitions"],
    ];
    for (const args of cases) expect((await failure(leaderElectionCommand, args)).error).toBeInstanceOf(UsageError);
    const duplicate = file("twice.json", { partitions: [{ topic: "orders", partition: 0 }, { topic: "orders", partition: 0 }] });
    const dup = await failure(leaderElectionCommand, ["--bootstrap-server", server(), "--election-type", "preferred", "--path-to-json-file", duplicate]);
    expect(dup.error.message).toBe("Replica election data contains duplicate partitions: orders-0");
  });

  it("reassign-partitions --generate, --execute and --verify move a topic off broker 1 (decommissioning it)", async () => {
    await run(topicsCommand, ["--bootstrap-server", server(), "--create", "--topic", "moves", "--partitions", "2", "--replication-factor", "2"]);
    const before = await inSync("moves", 2);
    const topics = file("topics.json", { version: 1, topics: [{ topic: "moves" }] });
    const generated = await run(reassignPartitionsCommand, ["--bootstrap-server", server(), "--generate", "--topics-to-move-json-file", topics, "--broker-list", "2,3"]);
    expect(generated.out).toHaveLength(5);
    expect(generated.out[0]).toBe("Current partition replica assignment");
    expect(JSON.parse(generated.out[1]!)).toEqual({
      version: 1,
      partitions: before.map((p) => ({ topic: "moves", partition: p.partition, replicas: p.replicas, log_dirs: ["any", "any"] })),
    });
    expect(generated.out.slice(2, 4)).toEqual(["", "Proposed partition reassignment configuration"]);
    const proposed = JSON.parse(generated.out[4]!) as { version: 1; partitions: { topic: string; partition: number; replicas: number[] }[] };
    expect(proposed.partitions.map((p) => [p.topic, p.partition])).toEqual([["moves", 0], ["moves", 1]]);
    for (const p of proposed.partitions) expect([...p.replicas].sort()).toEqual([2, 3]);

    const plan = file("plan.json", generated.out[4]!);
    const executed = await run(reassignPartitionsCommand, ["--bootstrap-server", server(), "--execute", "--reassignment-json-file", plan]);
    expect(executed.out).toEqual([
      "Current partition replica assignment",
      "",
      generated.out[1],
      "",
      "Save this to use as the --reassignment-json-file option during rollback",
      "Successfully started partition reassignments for moves-0,moves-1",
    ]);
    await eventually(async () => {
      const verified = await run(reassignPartitionsCommand, ["--bootstrap-server", server(), "--verify", "--reassignment-json-file", plan]);
      expect(verified.out).toEqual([
        "Status of partition reassignment:",
        "Reassignment of partition moves-0 is completed.",
        "Reassignment of partition moves-1 is completed.",
      ]);
    });
    const listed = await run(reassignPartitionsCommand, ["--bootstrap-server", server(), "--list"]);
    expect(listed.out).toEqual(["No partition reassignments found."]);
    const onBroker1 = await cluster.brokers.get(2)!.broker.cluster!.admin.replicasOnBroker(1);
    expect(onBroker1.filter((p) => p.topic === "moves")).toEqual([]);

    const tooFew = await failure(reassignPartitionsCommand, ["--bootstrap-server", server(), "--generate", "--topics-to-move-json-file", topics, "--broker-list", "2,9"]);
    expect(tooFew.error.message).toBe("The following brokers in --broker-list do not exist: 9");
  });

  it("reassign-partitions --verify, --list and --cancel follow a move that cannot finish yet", async () => {
    const [p0] = await inSync("moves", 2);
    const leaving = p0!.replicas[1]!;
    const plan = file("stuck.json", { version: 1, partitions: [{ topic: "moves", partition: 0, replicas: [p0!.replicas[0]!, 1] }] });
    // Broker 1 dies but stays registered until its session expires: its new replica cannot catch up.
    watcher = await cluster.brokers.get(p0!.replicas[0]!)!.connect();
    await cluster.brokers.get(1)!.kill();
    const executed = await run(reassignPartitionsCommand, ["--bootstrap-server", server(), "--execute", "--reassignment-json-file", plan]);
    expect(executed.out.at(-1)).toBe("Successfully started partition reassignment for moves-0");
    const verified = await run(reassignPartitionsCommand, ["--bootstrap-server", server(), "--verify", "--reassignment-json-file", plan]);
    expect(verified.out).toEqual(["Status of partition reassignment:", "Reassignment of partition moves-0 is still in progress."]);
    const listed = await run(reassignPartitionsCommand, ["--bootstrap-server", server(), "--list"]);
    expect(listed.out).toEqual(["Current partition reassignments:", `moves-0: replicas: ${p0!.replicas[0]},1,${leaving}. adding: 1. removing: ${leaving}.`]);
    const again = await failure(reassignPartitionsCommand, ["--bootstrap-server", server(), "--execute", "--reassignment-json-file", plan]);
    expect(again.error.message).toMatch(/^Cannot execute because there is an existing partition assignment\./);

    const cancelled = await run(reassignPartitionsCommand, ["--bootstrap-server", server(), "--cancel", "--reassignment-json-file", plan]);
    expect(cancelled.out).toEqual(["Successfully cancelled partition reassignment for: moves-0"]);
    const nothing = await run(reassignPartitionsCommand, ["--bootstrap-server", server(), "--cancel", "--reassignment-json-file", plan]);
    expect(nothing.out).toEqual(["None of the specified partition reassignments are active."]);
    const after = await run(reassignPartitionsCommand, ["--bootstrap-server", server(), "--verify", "--reassignment-json-file", plan]);
    expect(after.out).toEqual([
      "Status of partition reassignment:",
      `There is no active reassignment of partition moves-0, but replica set is ${p0!.replicas.join(",")} rather than ${p0!.replicas[0]},1.`,
    ]);
    await cluster.restart(1);
  });

  it("reassign-partitions reports a plan the brokers refuse, and checks its command line", async () => {
    const bad = file("bad.json", { version: 1, partitions: [{ topic: "moves", partition: 0, replicas: [2, 42] }] });
    const refused = await failure(reassignPartitionsCommand, ["--bootstrap-server", server(), "--execute", "--reassignment-json-file", bad]);
    expect(refused.err[0]).toBe("Error reassigning partition(s):");
    expect(refused.err[1]).toMatch(/^moves-0: INVALID_REPLICA_ASSIGNMENT: /);
    expect(refused.error.message).toBe("1 partition reassignment(s) could not be started");
    const broken = file("broken.json", "{not json");
    expect((await failure(reassignPartitionsCommand, ["--bootstrap-server", server(), "--verify", "--reassignment-json-file", broken])).error.message).toMatch(/is not valid JSON/);
    expect((await failure(reassignPartitionsCommand, ["--bootstrap-server", server(), "--verify"])).error).toBeInstanceOf(UsageError);
    expect((await failure(reassignPartitionsCommand, ["--bootstrap-server", server(), "--list", "--verify"])).error).toBeInstanceOf(UsageError);
    const topics = file("t.json", { version: 1, topics: [{ topic: "moves" }] });
    expect((await failure(reassignPartitionsCommand, ["--bootstrap-server", server(), "--generate", "--topics-to-move-json-file", topics])).error).toBeInstanceOf(UsageError);
  });
});
