import { Buffer } from "node:buffer";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { EdgelogError } from "../../src/core/errors.ts";
import { decodeFrame, encodeFrame, encodeFrameTransient, formatOf, TRANSIENT_FRAME_BYTES } from "../../src/protocol/frame-codec.ts";
import { decodeProduceRequest } from "../../src/protocol/ops/produce.ts";

const hex = (bytes: Uint8Array) => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");

describe("encodeFrame() as CBOR", () => {
  it("encodeFrame() writes Uint8Array as an untagged CBOR byte string", () => {
    expect(hex(encodeFrame(new Uint8Array([1, 2, 3]), "cbor"))).toBe("43010203");
    expect(hex(encodeFrame(Buffer.from([1, 2]), "cbor"))).toBe("420102");
  });

  it("encodeFrame() writes maps with text keys and preferred-size headers", () => {
    expect(hex(encodeFrame({ id: 1, op: "hello" }, "cbor"))).toBe("a262696401626f706568656c6c6f");
  });

  it("encodeFrame() writes integers beyond 32 bits as CBOR integers, not floats", () => {
    expect(hex(encodeFrame(1700000000000, "cbor"))).toBe("1b0000018bcfe56800");
    expect(hex(encodeFrame(-(2 ** 40), "cbor"))).toBe("3b000000ffffffffff");
    expect(hex(encodeFrame(2 ** 53 - 1, "cbor"))).toBe("1b001fffffffffffff");
    expect(hex(encodeFrame(1.5, "cbor"))).toBe("fb3ff8000000000000");
  });

  it("encodeFrame() drops undefined map values", () => {
    expect(decodeFrame(encodeFrame({ a: 1, b: undefined }, "cbor"))).toEqual({ a: 1 });
    expect(Object.keys(decodeFrame(encodeFrame({ a: 1, b: undefined }, "cbor")) as object)).toEqual(["a"]);
  });

  it("encodeFrame() returns a plain Uint8Array, and earlier frames stay intact after later encodes", () => {
    const first = encodeFrame({ id: 1, batches: new Uint8Array(100).fill(7) }, "cbor");
    const copy = first.slice();
    for (let i = 0; i < 200; i++) encodeFrame({ id: i, batches: new Uint8Array(1000).fill(i) }, "cbor");
    expect(first.constructor).toBe(Uint8Array);
    expect(first).toEqual(copy);
  });

  it("encodeFrame() carries a 4 MiB batch whole", () => {
    const batches = Uint8Array.from({ length: 4 << 20 }, (_, i) => i * 31);
    const frame = decodeFrame(encodeFrame({ id: 1, batches }, "cbor")) as { batches: Uint8Array };
    expect(frame.batches.length).toBe(batches.length);
    expect(frame.batches.every((b, i) => b === batches[i])).toBe(true);
  });
});

describe("encodeFrameTransient()", () => {
  it("encodeFrameTransient() writes encodeFrame()'s bytes into memory that the next call reuses", () => {
    const first = { id: 1, batches: new Uint8Array(100_000).fill(1) };
    const second = { id: 2, batches: new Uint8Array(90_000).fill(2) };
    const a = encodeFrameTransient(first);
    expect(a).toEqual(encodeFrame(first, "cbor"));
    const b = encodeFrameTransient(second);
    expect(b).toEqual(encodeFrame(second, "cbor"));
    expect(b.buffer).toBe(a.buffer);
    expect(b.byteOffset).toBe(0);
  });

  it("encodeFrameTransient() gives a frame larger than TRANSIENT_FRAME_BYTES memory of its own", () => {
    const small = encodeFrameTransient({ id: 1 });
    const large = encodeFrameTransient({ id: 2, batches: new Uint8Array(TRANSIENT_FRAME_BYTES) });
    expect(large.buffer).not.toBe(small.buffer);
    expect(large.buffer.byteLength).toBe(large.length);
    expect(encodeFrameTransient({ id: 3 }).buffer).toBe(small.buffer);
  });

  it("encodeFrameTransient() encodes values outside the fast path as encodeFrame() does", () => {
    const frame = { id: 1, at: 2n ** 60n, when: new Date(0) };
    expect(encodeFrameTransient(frame)).toEqual(encodeFrame(frame, "cbor"));
  });
});

describe("decodeFrame() of CBOR", () => {
  it("decodeFrame() returns byte strings as plain Uint8Arrays, large ones as views of the input, even from a Buffer", () => {
    const large = new Uint8Array(4096).fill(6);
    const encoded = encodeFrame({ small: new Uint8Array([5, 6, 7]), large }, "cbor");
    const input = Buffer.from(encoded);
    const frame = decodeFrame(input) as { small: Uint8Array; large: Uint8Array };
    expect(frame.small.constructor).toBe(Uint8Array);
    expect(frame.small).toEqual(new Uint8Array([5, 6, 7]));
    expect(frame.large.constructor).toBe(Uint8Array);
    expect(frame.large).toEqual(large);
    expect(frame.large.buffer).toBe(input.buffer);
  });

  it("decodeFrame() reads an ArrayBuffer as CBOR", () => {
    const bytes = encodeFrame({ id: 3 }, "cbor");
    expect(decodeFrame(bytes.slice().buffer)).toEqual({ id: 3 });
  });

  it("decodeFrame() reads 64-bit CBOR integers as numbers", () => {
    expect(decodeFrame(new Uint8Array([0x1b, 0, 0, 1, 0x8b, 0xcf, 0xe5, 0x68, 0]))).toBe(1700000000000);
    expect(decodeFrame(new Uint8Array([0x1b, 0, 0, 0, 0, 0, 0, 0, 5]))).toBe(5);
  });

  it("decodeFrame() neither throws on nor pollutes the prototype with a __proto__ key", () => {
    // { "__proto__": { "polluted": 1 } }
    const bytes = new Uint8Array([0xa1, 0x69, ...new TextEncoder().encode("__proto__"), 0xa1, 0x68, ...new TextEncoder().encode("polluted"), 1]);
    const frame = decodeFrame(bytes) as Record<string, unknown>;
    expect(Object.getPrototypeOf(frame)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>)["polluted"]).toBeUndefined();
  });

  it.each([
    ["empty input", new Uint8Array(0)],
    ["a truncated map", new Uint8Array([0xa1, 0x61])],
    ["a truncated byte string", new Uint8Array([0x5a, 0xff, 0xff, 0xff, 0xff, 1])],
    ["trailing bytes", new Uint8Array([0x01, 0x02])],
    ["a reserved additional info", new Uint8Array([0x1c])],
    ["a lone break", new Uint8Array([0xff])],
    ["an array longer than the input", new Uint8Array([0x9b, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff])],
  ])("decodeFrame() rejects %s with INVALID_REQUEST", (_name, bytes) => {
    expect(() => decodeFrame(bytes)).toThrow(EdgelogError);
    try {
      decodeFrame(bytes);
    } catch (error) {
      expect((error as EdgelogError).code).toBe("INVALID_REQUEST");
      expect((error as EdgelogError).message).not.toMatch(/\n\s+at /);
    }
  });

  it("decodeFrame() answers nesting deep enough to overflow the stack with INVALID_REQUEST and keeps working", () => {
    const deep = new Uint8Array(200_001).fill(0x81); // [[[[... 0]]]]
    deep[200_000] = 0;
    expectInvalidFrame(deep);
    expect(decodeFrame(encodeFrame({ id: 1, batches: new Uint8Array([9]) }, "cbor"))).toEqual({ id: 1, batches: new Uint8Array([9]) });
  });
});

describe("JSON frames", () => {
  it("encodeFrame() writes every Uint8Array, Buffer included, as base64", () => {
    expect(encodeFrame({ id: 1, batches: new Uint8Array([0, 1, 2, 3]), list: [Buffer.from("hi")] }, "json")).toBe(
      '{"id":1,"batches":"AAECAw==","list":["aGk="]}',
    );
  });

  it("decodeFrame() parses text as JSON", () => {
    expect(decodeFrame('{"id":1,"op":"metadata"}')).toEqual({ id: 1, op: "metadata" });
  });

  it.each([["{x"], [""], ["[1,"], ['{"id":1}garbage']])("decodeFrame() rejects malformed JSON %j with INVALID_REQUEST", (text) => {
    expectInvalidFrame(text);
  });

  it("formatOf() answers text with JSON and bytes with CBOR", () => {
    expect(formatOf("{}")).toBe("json");
    expect(formatOf(new Uint8Array([0xa0]))).toBe("cbor");
  });
});

describe("round trips", () => {
  const produce = {
    id: 77,
    op: "produce",
    topic: "orders",
    partitions: [
      { partition: 0, batches: Uint8Array.from({ length: 300 }, (_, i) => (i * 7) & 255) },
      { partition: 1, records: [{ key: new Uint8Array([0, 255]), value: "text", headers: [{ key: "h", value: new Uint8Array([1]) }] }] },
    ],
  };

  it("a produce request's bytes survive a CBOR round trip", () => {
    expect(decodeProduceRequest(decodeFrame(encodeFrame(produce, "cbor")))).toEqual(decodeProduceRequest(produce));
  });

  it("a produce request's batch bytes survive a JSON round trip as base64", () => {
    const viaJson = decodeProduceRequest(decodeFrame(encodeFrame(produce, "json")));
    expect(viaJson.partitions![0]).toEqual({ partition: 0, batches: produce.partitions[0]!.batches });
  });

  const value: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
    any: fc.oneof(
      { depthSize: "small" },
      fc.integer({ min: -(2 ** 53) + 1, max: 2 ** 53 - 1 }),
      fc.integer(),
      fc.string(),
      fc.boolean(),
      fc.constant(null),
      fc.uint8Array({ maxLength: 64 }),
      fc.array(tie("any"), { maxLength: 4 }),
      fc.dictionary(fc.string({ maxLength: 8 }), tie("any"), { maxKeys: 4 }),
    ),
  })).any;

  it("any frame of maps, lists, integers, strings and bytes survives a CBOR round trip", () => {
    fc.assert(fc.property(value, (v) => { expect(decodeFrame(encodeFrame(v, "cbor"))).toEqual(v); }));
  });

  it("any frame survives a JSON round trip with bytes as base64 strings", () => {
    const toJsonShape = (v: unknown): unknown => JSON.parse(JSON.stringify(v, (_k, x) => (x instanceof Uint8Array ? btoa(String.fromCharCode(...x)) : x)));
    fc.assert(fc.property(value, (v) => { expect(decodeFrame(encodeFrame(v, "json"))).toEqual(toJsonShape(v)); }));
  });
});

function expectInvalidFrame(data: string | Uint8Array): void {
  let caught: unknown;
  try {
    decodeFrame(data);
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(EdgelogError);
  expect((caught as EdgelogError).code).toBe("INVALID_REQUEST");
}
