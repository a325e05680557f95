import { describe, expect, it } from "vitest";
import { memoryFileSystem } from "../../src/adapters/memory/file-system.ts";
import { requestDeadline } from "../../src/server/handlers/request-deadline.ts";
import { gatedWrites } from "../support/gated-file-system.ts";
import { startBroker, until } from "./broker-harness.ts";

describe("requestDeadline()", () => {
  it("wait() answers the work's result when it comes in time", async () => {
    await expect(requestDeadline(1_000).wait(Promise.resolve(7), "x")).resolves.toBe(7);
  });

  it("wait() fails with REQUEST_TIMED_OUT naming the operation once the deadline passed first", async () => {
    const never = new Promise<never>(() => {});
    await expect(requestDeadline(20).wait(never, "the creation of topic t")).rejects.toMatchObject({
      code: "REQUEST_TIMED_OUT",
      retriable: true,
      message: "The creation of topic t did not complete within timeoutMs (20 ms); it may still complete",
    });
  });

  it("one deadline covers the whole request: a later wait gets only what is left", async () => {
    const deadline = requestDeadline(60);
    await new Promise((resolve) => setTimeout(resolve, 70));
    await expect(deadline.wait(new Promise(() => {}), "the second topic")).rejects.toMatchObject({ code: "REQUEST_TIMED_OUT" });
  });
});

describe("timeoutMs of topic administration", () => {
  it("createTopics answers REQUEST_TIMED_OUT when the registry write outlasts timeoutMs, and the topic is created after", async () => {
    const gate = gatedWrites(memoryFileSystem(), "__edgelog_topics.json.tmp");
    const h = await startBroker({}, gate.fs);
    try {
      const c = await h.connect();
      const reply = await c.request({ op: "createTopics", topics: [{ topic: "slow", numPartitions: 2 }], timeoutMs: 30 });
      expect(reply["topics"]).toEqual([{ topic: "slow", error: expect.objectContaining({ code: "REQUEST_TIMED_OUT", retriable: true }) }]);
      gate.release();
      await until(() => h.logs.some((line) => line.includes("slow")), "the topic created");
      const metadata = await c.request({ op: "metadata", topics: ["slow"] });
      expect((metadata["topics"] as { partitions: unknown[] }[])[0]!.partitions).toHaveLength(2);
    } finally {
      gate.release();
      await h.broker.close();
    }
  });

  it("createPartitions and deleteTopics answer REQUEST_TIMED_OUT past timeoutMs too, and complete after", async () => {
    const gate = gatedWrites(memoryFileSystem(), "__edgelog_topics.json.tmp");
    const h = await startBroker({}, gate.fs);
    try {
      const c = await h.connect();
      const creating = c.request({ op: "createTopics", topics: [{ topic: "t", numPartitions: 1 }] });
      gate.release();
      expect((await creating)["topics"]).toEqual([{ topic: "t", numPartitions: 1, replicationFactor: 1 }]);
    } finally {
      await h.broker.close();
    }
    // A second broker on the same data, with a new gate for its registry writes.
    const again = gatedWrites(h.fs, "__edgelog_topics.json.tmp");
    const h2 = await startBroker({}, again.fs);
    try {
      const c = await h2.connect();
      const grown = await c.request({ op: "createPartitions", topics: [{ topic: "t", count: 3 }], timeoutMs: 20 });
      expect(grown["topics"]).toEqual([{ topic: "t", error: expect.objectContaining({ code: "REQUEST_TIMED_OUT" }) }]);
      const deleted = await c.request({ op: "deleteTopics", topics: ["t"], timeoutMs: 20 });
      expect(deleted["topics"]).toEqual([{ topic: "t", error: expect.objectContaining({ code: "REQUEST_TIMED_OUT" }) }]);
      again.release();
      await until(() => h2.logs.some((line) => line.includes("Deleted topic t")), "the deletion done");
      const metadata = await c.request({ op: "metadata", topics: [] });
      expect(metadata["topics"]).toEqual([]);
    } finally {
      again.release();
      await h2.broker.close();
    }
  });
});
