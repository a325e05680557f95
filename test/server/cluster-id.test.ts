import { describe, expect, it } from "vitest";
import { memoryFileSystem } from "../../src/adapters/memory/file-system.ts";
import { loadClusterId, META_PROPERTIES, openClusterId } from "../../src/server/cluster-id.ts";
import { gatedWrites } from "../support/gated-file-system.ts";
import { startBroker } from "./broker-harness.ts";

describe("openClusterId()", () => {
  it("openClusterId() answers a first start's new id before meta.properties is written, and written settles once it is", async () => {
    const memory = memoryFileSystem();
    const { fs, release } = gatedWrites(memory, `${META_PROPERTIES}.tmp`);
    const { clusterId, written } = await openClusterId(fs, ["data"], 0);
    expect(clusterId).toMatch(/^[A-Za-z0-9_-]{22}$/);
    let settled = false;
    void written.then(() => (settled = true));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(settled).toBe(false);
    release();
    await written;
    expect(new TextDecoder().decode(await memory.readFile(`data/${META_PROPERTIES}`))).toContain(`cluster.id=${clusterId}`);
    expect(await loadClusterId(memory, ["data"], 0)).toBe(clusterId);
  });

  it("openClusterId() on a later start reads the stored id and has nothing to write", async () => {
    const fs = memoryFileSystem();
    const first = await loadClusterId(fs, ["data"], 0);
    fs.crash();
    const again = await openClusterId(fs, ["data"], 0);
    expect(again.clusterId).toBe(first);
    await expect(again.written).resolves.toBeUndefined();
  });

  it("a broker serves before its first meta.properties is written, and its close waits for that write", async () => {
    const memory = memoryFileSystem();
    const { fs, release } = gatedWrites(memory, `${META_PROPERTIES}.tmp`);
    const h = await startBroker({}, fs);
    const first = (await h.client().request({ op: "hello", versions: [1] }))["clusterId"];
    let closed = false;
    const closing = h.broker.close().then(() => (closed = true));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(closed).toBe(false);
    release();
    await closing;
    memory.crash();
    const again = await startBroker({}, memory);
    try {
      expect((await again.client().request({ op: "hello", versions: [1] }))["clusterId"]).toBe(first);
    } finally {
      await again.broker.close();
    }
  });
});
