import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { parseBrokerConfig } from "../../src/core/config/broker-config.ts";
import { ANY_HOST, serveOptionsFor } from "../../src/adapters/runtime-server.ts";
import { classifyUpgrade, closeReason, exceedsFrameLimit, listenerUrl, utf8Length } from "../../src/adapters/serve-options.ts";

describe("classifyUpgrade()", () => {
  test("hands requests that are not WebSocket upgrades on / to the app", () => {
    expect(classifyUpgrade("/", null, null)).toEqual({ kind: "http" });
    expect(classifyUpgrade("/healthz", null, null)).toEqual({ kind: "http" });
    expect(classifyUpgrade("/metrics", "websocket", "edgelog.v1")).toEqual({ kind: "http" });
    expect(classifyUpgrade("/", "h2c", null)).toEqual({ kind: "http" });
  });

  test("selects edgelog.v1 from an offer in any spacing and letter case of the Upgrade header", () => {
    expect(classifyUpgrade("/", "websocket", "edgelog.v1")).toEqual({ kind: "upgrade", protocol: "edgelog.v1" });
    expect(classifyUpgrade("/", "WebSocket", "other,edgelog.v1")).toEqual({ kind: "upgrade", protocol: "edgelog.v1" });
    expect(classifyUpgrade("/", "websocket", "other , edgelog.v1")).toEqual({ kind: "upgrade", protocol: "edgelog.v1" });
  });

  test("accepts a client that offers no subprotocol", () => {
    expect(classifyUpgrade("/", "websocket", null)).toEqual({ kind: "upgrade", protocol: undefined });
    expect(classifyUpgrade("/", "websocket", " ")).toEqual({ kind: "upgrade", protocol: undefined });
  });

  test("refuses with 400 a client that offers only other subprotocols", () => {
    const decision = classifyUpgrade("/", "websocket", "mqtt, edgelog.v2");
    expect(decision).toMatchObject({ kind: "reject", status: 400 });
    expect(decision.kind === "reject" && decision.message).toContain("edgelog.v1");
  });
});

describe("utf8Length()", () => {
  test("counts the bytes TextEncoder writes, for any string including lone surrogates", () => {
    const encoder = new TextEncoder();
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), (text) => {
        expect(utf8Length(text)).toBe(encoder.encode(text).length);
      }),
    );
  });
});

describe("exceedsFrameLimit()", () => {
  test("measures bytes, and text in UTF-8 bytes rather than characters", () => {
    expect(exceedsFrameLimit(new Uint8Array(10), 10)).toBe(false);
    expect(exceedsFrameLimit(new Uint8Array(11), 10)).toBe(true);
    expect(exceedsFrameLimit(new ArrayBuffer(11), 10)).toBe(true);
    expect(exceedsFrameLimit("é".repeat(5), 10)).toBe(false);
    expect(exceedsFrameLimit("é".repeat(5) + "x", 10)).toBe(true);
    expect(exceedsFrameLimit("x".repeat(11), 10)).toBe(true);
  });
});

describe("closeReason()", () => {
  test("keeps a short reason and cuts a long one to 123 bytes of UTF-8", () => {
    expect(closeReason(undefined)).toBeUndefined();
    expect(closeReason("Broker shutting down")).toBe("Broker shutting down");
    const cut = closeReason("é".repeat(100))!;
    expect(new TextEncoder().encode(cut).length).toBeLessThanOrEqual(123);
    expect(cut).toBe("é".repeat(61));
  });
});

describe("listenerUrl() and serveOptionsFor()", () => {
  test("bracket IPv6 hosts and bind every interface for an empty host", () => {
    expect(listenerUrl(false, "::1", 9092)).toBe("ws://[::1]:9092");
    expect(listenerUrl(true, "broker.local", 9093)).toBe("wss://broker.local:9093");
    const { config } = parseBrokerConfig({ listeners: "ws://:9092,PLAINTEXT://[::1]:0" });
    expect(serveOptionsFor(config.listeners[0]!)).toEqual({ hostname: ANY_HOST, port: 9092 });
    expect(serveOptionsFor(config.listeners[1]!)).toEqual({ hostname: "::1", port: 0 });
  });

  test("give a wss:// listener its certificate, and refuse one without", () => {
    const { config } = parseBrokerConfig({ listeners: "wss://127.0.0.1:9093", "ssl.certificate.location": "c.pem", "ssl.key.location": "k.pem" });
    const tls = { cert: "CERT", key: "KEY" };
    expect(serveOptionsFor(config.listeners[0]!, tls)).toEqual({ hostname: "127.0.0.1", port: 9093, tls });
    expect(() => serveOptionsFor(config.listeners[0]!)).toThrow(TypeError);
  });
});
