import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { EdgelogError } from "../../src/core/errors.ts";
import { decodeFrame, encodeFrame } from "../../src/protocol/frame-codec.ts";
import { decodeRequest, OP_NAMES } from "../../src/protocol/ops/index.ts";
import { VALID_REQUESTS } from "./valid-requests.ts";

/** Decodes like a server: frame, then request. Returns the request, or fails the test unless the error is INVALID_REQUEST. */
function decodeLikeServer(data: Uint8Array | string): unknown {
  try {
    return decodeRequest(decodeFrame(data));
  } catch (error) {
    if (!(error instanceof EdgelogError) || error.code !== "INVALID_REQUEST") {
      throw new Error(`decoding threw ${String(error)} instead of INVALID_REQUEST`);
    }
    return undefined;
  }
}

const FIELD_NAMES = [
  "id", "op", "versions", "clientId", "software", "topics", "topic", "numPartitions", "replicationFactor", "configs",
  "validateOnly", "timeoutMs", "count", "resources", "type", "name", "keys", "set", "delete", "acks", "partitions",
  "partition", "batches", "records", "key", "value", "headers", "timestamp", "base64", "offset", "maxBytes", "maxWaitMs",
  "minBytes", "currentLeaderEpoch", "from", "credit", "bytes", "sub", "__proto__", "constructor",
];

const leaf = fc.oneof(
  fc.integer({ min: -3, max: 3 }),
  fc.integer(),
  fc.double(),
  fc.constantFrom(2 ** 31, 2 ** 53, -(2 ** 53), "earliest", "latest", "all", "topic", "broker", "AAEC", "@@"),
  fc.string({ maxLength: 6 }),
  fc.boolean(),
  fc.constant(null),
  fc.uint8Array({ maxLength: 80 }),
  fc.constantFrom(...OP_NAMES),
);

/** Frames shaped like requests: maps whose keys are the protocol's field names, nested a few levels. */
const requestLike: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: "small", withCrossShrink: true }, leaf, fc.array(tie("value"), { maxLength: 3 }), tie("map")),
  map: fc.dictionary(fc.constantFrom(...FIELD_NAMES), tie("value"), { maxKeys: 6 }),
})).map;

const framed = fc.record({ id: fc.oneof(fc.nat(), fc.constant(-1)), op: fc.constantFrom(...OP_NAMES, "joinGroup", "nope") }).chain((head) =>
  requestLike.map((rest) => ({ ...(rest as object), ...head })),
);

describe("decoding untrusted frames", () => {
  it("random bytes end in a request or INVALID_REQUEST, nothing else", () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => void decodeLikeServer(bytes)), { numRuns: 2000 });
  });

  it("random text ends in a request or INVALID_REQUEST, nothing else", () => {
    fc.assert(fc.property(fc.string({ maxLength: 200 }), (text) => void decodeLikeServer(text)), { numRuns: 1000 });
  });

  it("request-shaped frames with wrong or random fields end in a request of their op or INVALID_REQUEST, in CBOR and JSON", () => {
    fc.assert(
      fc.property(framed, (frame) => {
        for (const data of [encodeFrame(frame, "cbor"), encodeFrame(frame, "json")]) {
          const request = decodeLikeServer(data) as { op: string } | undefined;
          if (request !== undefined) expect(request.op).toBe(frame.op);
        }
      }),
      { numRuns: 1500 },
    );
  });

  it("valid CBOR requests with bytes flipped or cut end in a request or INVALID_REQUEST", () => {
    const valid = encodeFrame(
      { id: 1, op: "produce", topic: "t", partitions: [{ partition: 0, batches: new Uint8Array(64) }, { partition: 1, records: [{ key: "k", value: { base64: "AA==" }, headers: { h: "v" } }] }] },
      "cbor",
    );
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(valid.length - 1), fc.nat(255)), { maxLength: 4 }), fc.nat(valid.length), (flips, cut) => {
        const bytes = valid.slice(0, Math.max(1, cut));
        for (const [at, value] of flips) if (at < bytes.length) bytes[at] = value;
        void decodeLikeServer(bytes);
      }),
      { numRuns: 2000 },
    );
  });

  it("CBOR tags, big integers, maps with odd keys, dates and sets end in INVALID_REQUEST or a request", () => {
    const odd = fc.anything({ withBigInt: true, withDate: true, withMap: true, withSet: true, withTypedArray: true, withNullPrototype: true, maxDepth: 3 });
    fc.assert(
      fc.property(fc.constantFrom(...OP_NAMES), odd, fc.constantFrom(...FIELD_NAMES), (op, value, key) => {
        let data: Uint8Array;
        try {
          data = encodeFrame({ id: 1, op, [key]: value }, "cbor");
        } catch {
          return; // values cbor-x cannot encode are not frames
        }
        void decodeLikeServer(data);
      }),
      { numRuns: 1000 },
    );
  });

  it("valid requests with one field anywhere replaced or removed end in a request of their op or INVALID_REQUEST", () => {
    const paths = (value: unknown, prefix: (string | number)[] = []): (string | number)[][] => {
      if (value instanceof Uint8Array || typeof value !== "object" || value === null) return [prefix];
      const keys: (string | number)[] = Array.isArray(value) ? value.map((_, i) => i) : Object.keys(value);
      return [prefix, ...keys.flatMap((k) => paths((value as Record<string | number, unknown>)[k], [...prefix, k]))];
    };
    const cases = Object.values(VALID_REQUESTS).flatMap((request) => paths(request).filter((p) => p.length > 0).map((p) => ({ request, path: p })));
    const replacement = fc.oneof(leaf, fc.constant(undefined), fc.constant([]), fc.constant({}), fc.array(leaf, { maxLength: 2 }));
    fc.assert(
      fc.property(fc.constantFrom(...cases), replacement, fc.constantFrom("cbor" as const, "json" as const), ({ request, path }, value, format) => {
        const copy = structuredClone(request);
        let target = copy as Record<string | number, unknown>;
        for (const key of path.slice(0, -1)) target = target[key] as Record<string | number, unknown>;
        const last = path[path.length - 1]!;
        if (value === undefined) delete target[last];
        else target[last] = value;
        const decoded = decodeLikeServer(encodeFrame(copy, format)) as { op: string } | undefined;
        if (decoded !== undefined) expect(decoded.op).toBe(copy["op"]);
      }),
      { numRuns: 3000 },
    );
  });

  it("every fixture request decodes from CBOR and from JSON", () => {
    for (const request of Object.values(VALID_REQUESTS)) {
      expect(decodeLikeServer(encodeFrame(request, "cbor"))).toMatchObject({ op: request["op"], id: request["id"] });
      expect(decodeLikeServer(encodeFrame(request, "json"))).toMatchObject({ op: request["op"], id: request["id"] });
    }
  });
});
