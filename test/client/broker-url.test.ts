import { describe, expect, it } from "vitest";
import { brokerUrl } from "../../src/client/broker-url.ts";

describe("brokerUrl()", () => {
  it("turns host:port into a ws:// URL", () => {
    expect(brokerUrl("localhost:9092")).toBe("ws://localhost:9092/");
    expect(brokerUrl(" 10.0.0.7:9092 ")).toBe("ws://10.0.0.7:9092/");
    expect(brokerUrl("[::1]:9092")).toBe("ws://[::1]:9092/");
  });

  it("keeps ws:// and wss:// URLs with their path", () => {
    expect(brokerUrl("ws://broker:9092")).toBe("ws://broker:9092/");
    expect(brokerUrl("wss://logs.example.com/edge")).toBe("wss://logs.example.com/edge");
    expect(brokerUrl("WSS://logs.example.com")).toBe("wss://logs.example.com/");
  });

  it("refuses other schemes, a missing port and empty input", () => {
    expect(() => brokerUrl("http://broker:9092")).toThrow(/ws:\/\/ or wss:\/\/, not http/);
    expect(() => brokerUrl("broker")).toThrow(/needs a port/);
    expect(() => brokerUrl("")).toThrow(TypeError);
    expect(() => brokerUrl(9092 as never)).toThrow(TypeError);
  });
});
