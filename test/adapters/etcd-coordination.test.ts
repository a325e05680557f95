import fc from "fast-check";
import { createServer, type Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { etcdCoordination, parseEtcdEndpoints } from "../../src/adapters/etcd/etcd-coordination.ts";
import { decodeEntry, decodeEvent, prefixRangeEnd, rangeRequest, txnRequest } from "../../src/adapters/etcd/etcd-codec.ts";
import { jsonObjectStream } from "../../src/adapters/etcd/json-stream.ts";
import { memoryCoordinationStore } from "../../src/core/cluster/memory-coordination.ts";
import { describeCoordinationContract } from "../core/cluster/coordination-contract.ts";
import { startEtcd, type EtcdServer } from "../support/etcd.ts";

const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);

describeCoordinationContract("memoryCoordinationStore()", async () => {
  const store = memoryCoordinationStore();
  return {
    connect: () => store.connect(),
    stop: async () => store.stop(),
    start: async () => store.start(),
    compact: async (revision) => store.compact(revision),
    teardown: async () => {},
  };
});

describeCoordinationContract("etcdCoordination() against a real etcd", async () => {
  const etcd = await startEtcd();
  return {
    connect: () => etcdCoordination({ endpoints: etcd.endpoint, requestTimeoutMs: 1_000 }),
    stop: () => etcd.stop(),
    start: () => etcd.start(),
    compact: (revision) => etcd.compact(revision),
    teardown: () => etcd.destroy(),
  };
});

describe("etcdCoordination() endpoints and failures", () => {
  let etcd: EtcdServer;
  let notEtcd: Server;
  let notEtcdUrl = "";
  let closedPort = 0;

  beforeAll(async () => {
    etcd = await startEtcd();
    notEtcd = createServer((_request, response) => {
      response.writeHead(404, { "content-type": "text/plain" });
      response.end("404 page not found");
    });
    await new Promise<void>((resolve) => notEtcd.listen(0, "127.0.0.1", resolve));
    const address = notEtcd.address();
    notEtcdUrl = `http://127.0.0.1:${typeof address === "object" && address !== null ? address.port : 0}`;
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
    const probed = probe.address();
    closedPort = typeof probed === "object" && probed !== null ? probed.port : 0;
    await new Promise((resolve) => probe.close(resolve));
  });
  afterAll(async () => {
    await etcd?.destroy();
    await new Promise((resolve) => notEtcd?.close(resolve));
  });

  it("parseEtcdEndpoints() splits a comma-separated list and refuses what is not an http(s) URL", () => {
    expect(parseEtcdEndpoints(" http://a:2379, https://b:2379/ ,")).toEqual(["http://a:2379", "https://b:2379"]);
    expect(parseEtcdEndpoints(["http://127.0.0.1:2379"])).toEqual(["http://127.0.0.1:2379"]);
    expect(() => parseEtcdEndpoints("")).toThrow(expect.objectContaining({ code: "INVALID_CONFIG" }));
    expect(() => parseEtcdEndpoints("a:2379")).toThrow(/Invalid etcd endpoint "a:2379"/);
    expect(() => parseEtcdEndpoints("http://a:2379,ftp://b")).toThrow(expect.objectContaining({ code: "INVALID_CONFIG" }));
  });

  it("a call moves on to the next endpoint when one refuses connections", async () => {
    const store = etcdCoordination({ endpoints: `http://127.0.0.1:${closedPort},${etcd.endpoint}`, requestTimeoutMs: 3_000 });
    try {
      const { revision } = await store.put("/failover/a", "1");
      expect((await store.get("/failover/a")).entry).toMatchObject({ text: "1", modRevision: revision });
      // A txn is repeated when the connection was refused, since etcd never saw it.
      const txn = await store.txn({ compare: [], success: [{ type: "get", key: "/failover/a" }] });
      expect(txn.succeeded).toBe(true);
    } finally {
      await store.close();
    }
  });

  it("a call fails with COORDINATOR_NOT_AVAILABLE when no endpoint answers within requestTimeoutMs", async () => {
    const store = etcdCoordination({ endpoints: `http://127.0.0.1:${closedPort}`, requestTimeoutMs: 400 });
    const started = Date.now();
    await expect(store.get("/x")).rejects.toMatchObject({ code: "COORDINATOR_NOT_AVAILABLE", retriable: true });
    expect(Date.now() - started).toBeLessThan(2_000);
    await expect(store.watchPrefix("/x", {}, () => {})).rejects.toMatchObject({ code: "COORDINATOR_NOT_AVAILABLE" });
    await store.close();
    await expect(store.get("/x")).rejects.toMatchObject({ code: "COORDINATOR_NOT_AVAILABLE", retriable: false });
  });

  it("a server that is not an etcd v3 gateway is reported, not retried", async () => {
    const store = etcdCoordination({ endpoints: notEtcdUrl, requestTimeoutMs: 2_000 });
    await expect(store.get("/x")).rejects.toMatchObject({ code: "UNKNOWN_SERVER_ERROR", message: expect.stringMatching(/HTTP 404.*gateway/) });
    await expect(store.watchPrefix("/x", {}, () => {})).rejects.toMatchObject({ code: "UNKNOWN_SERVER_ERROR" });
    await store.close();
  });

  it("a txn whose request may have reached etcd is not repeated: REQUEST_TIMED_OUT", async () => {
    let calls = 0;
    const flaky: typeof fetch = async (input, init) => {
      calls++;
      if (calls === 1) throw new TypeError("fetch failed", { cause: new Error("socket hang up") });
      return fetch(input, init);
    };
    const store = etcdCoordination({ endpoints: etcd.endpoint, requestTimeoutMs: 2_000, fetch: flaky });
    await expect(store.txn({ compare: [], success: [{ type: "put", key: "/flaky/t", value: "1" }] })).rejects.toMatchObject({
      code: "REQUEST_TIMED_OUT",
    });
    expect(calls).toBe(1);
    // A put is repeated after the same failure.
    calls = 0;
    await store.put("/flaky/p", "1");
    expect(calls).toBe(2);
    await store.close();
  });

  it("etcd's own refusals map to INVALID_REQUEST with the gRPC code", async () => {
    const store = etcdCoordination({ endpoints: etcd.endpoint });
    const ops = Array.from({ length: 129 }, (_, i) => ({ type: "get" as const, key: `/many/${i}` }));
    await expect(store.txn({ compare: [], success: ops })).rejects.toMatchObject({ code: "INVALID_REQUEST" });
    await expect(store.put("/x", "1", { lease: "12345" })).rejects.toMatchObject({ code: "INVALID_REQUEST", details: { leaseNotFound: "12345" } });
    await store.close();
  });
});

describe("etcd gateway codec", () => {
  it("prefixRangeEnd() increments the last byte below 0xff and drops what follows", () => {
    expect(prefixRangeEnd(new Uint8Array([0x61, 0x2f]))).toEqual(new Uint8Array([0x61, 0x30]));
    expect(prefixRangeEnd(new Uint8Array([0x61, 0xff, 0xff]))).toEqual(new Uint8Array([0x62]));
    expect(prefixRangeEnd(new Uint8Array([0xff]))).toEqual(new Uint8Array([0]));
    expect(rangeRequest("")).toEqual({ key: "AA==", range_end: "AA==" });
    expect(rangeRequest("a/")).toEqual({ key: "YS8=", range_end: "YTA=" });
  });

  it("decodeEntry() reads base64 and int64 strings, with absent fields as their defaults", () => {
    const entry = decodeEntry({ key: "YQ==", create_revision: "2", mod_revision: "9007199254740991", lease: "7587868592384735517" });
    expect(entry).toMatchObject({ key: "a", text: "", createRevision: 2, modRevision: 9007199254740991, version: 0, lease: "7587868592384735517" });
    expect(decodeEntry({ key: "YQ==", lease: "0" }).lease).toBeNull();
    expect(() => decodeEntry({ key: "YQ==", mod_revision: "9007199254740993" })).toThrow(expect.objectContaining({ code: "UNKNOWN_SERVER_ERROR" }));
    expect(() => decodeEntry({ key: "not base64!" })).toThrow(/not base64/);
    expect(decodeEvent({ type: "DELETE", kv: { key: "YQ==", mod_revision: "8" } })).toEqual({ type: "DELETE", key: "a", revision: 8 });
  });

  it("txnRequest() names etcd's compare targets and results", () => {
    const body = txnRequest({
      compare: [
        { key: "a", target: "createRevision", op: "=", value: 0 },
        { key: "a", target: "value", op: "!=", value: "x" },
      ],
      success: [{ type: "put", key: "a", value: "1", lease: "77" }],
      failure: [{ type: "getPrefix", prefix: "a" }],
    });
    expect(body).toEqual({
      compare: [
        { key: "YQ==", target: "CREATE", result: "EQUAL", create_revision: "0" },
        { key: "YQ==", target: "VALUE", result: "NOT_EQUAL", value: "eA==" },
      ],
      success: [{ request_put: { key: "YQ==", value: "MQ==", lease: "77" } }],
      failure: [{ request_range: { key: "YQ==", range_end: "Yg==" } }],
    });
  });
});

describe("jsonObjectStream()", () => {
  const messages = [{ result: { created: true } }, { result: { events: [{ kv: { key: "e30=", value: "XCJ9" } }] } }, { s: 'a "}{" \\ é ✓' }, { n: [1, [2, { x: 3 }]] }];
  const text = messages.map((m) => JSON.stringify(m)).join("\n") + "\n";

  it("yields every object whole however the stream is cut into chunks", () => {
    const bytes = utf8(text);
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 1, max: bytes.length - 1 }), { maxLength: 12 }), (cuts) => {
        const stream = jsonObjectStream();
        const values: unknown[] = [];
        let at = 0;
        for (const cut of [...cuts.sort((a, b) => a - b), bytes.length]) {
          const result = stream.push(bytes.subarray(at, cut));
          expect(result.problem).toBeUndefined();
          values.push(...result.values);
          at = cut;
        }
        expect(values).toEqual(messages);
        expect(stream.partial).toBe(false);
      }),
      { numRuns: 300 },
    );
  });

  it("yields objects byte by byte and knows when it stopped inside one", () => {
    const stream = jsonObjectStream();
    const values: unknown[] = [];
    for (const byte of utf8('{"a":"}"}  {"b":')) values.push(...stream.push(new Uint8Array([byte])).values);
    expect(values).toEqual([{ a: "}" }]);
    expect(stream.partial).toBe(true);
  });

  it("reports a stream that is not JSON objects, and stays failed", () => {
    const stream = jsonObjectStream();
    expect(stream.push(utf8('{"a":1}\n[1]'))).toEqual({ values: [{ a: 1 }], problem: expect.stringMatching(/Expected a JSON object/) });
    expect(stream.push(utf8('{"b":2}')).problem).toMatch(/Expected a JSON object/);
    expect(jsonObjectStream().push(utf8('{"a":tru}')).problem).toMatch(/Cannot parse/);
    const small = jsonObjectStream({ maxObjectBytes: 8 });
    expect(small.push(utf8('{"a":"0123456789')).problem).toMatch(/exceeds 8 bytes/);
  });
});
