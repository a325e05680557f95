/**
 * A scripted fake of the WebSocket class for client unit tests: each socket decodes what the client
 * sends and hands it to a handler that answers like a broker would (or not at all), with replies,
 * pushes and closes delivered asynchronously as a real socket does.
 */
import type { WebSocketConstructor, WebSocketLike } from "../../src/client/index.ts";
import { decodeFrame, encodeFrame, type HelloLimits } from "../../src/protocol/index.ts";

/** A decoded request frame. */
export type Frame = Record<string, unknown>;

/** Limits of the fake broker's hello reply. */
export const FAKE_LIMITS: HelloLimits = { maxFrameBytes: 1 << 20, maxMessageBytes: 1 << 20, maxInFlight: 100, maxSubscriptions: 100, maxWaitMs: 30_000 };

/** One fake connection. */
export class FakeSocket implements WebSocketLike {
  binaryType = "blob";
  readyState = 0;
  onopen: ((event: never) => unknown) | null = null;
  onmessage: ((event: never) => unknown) | null = null;
  onclose: ((event: never) => unknown) | null = null;
  onerror: ((event: never) => unknown) | null = null;
  /** Every frame the client sent, decoded. */
  readonly sent: Frame[] = [];
  closedBy: { code: number | undefined; reason: string | undefined } | undefined;

  constructor(
    readonly url: string,
    readonly protocols: string | string[] | undefined,
    private readonly server: FakeServer,
  ) {
    setTimeout(() => {
      if (server.refuse(url)) {
        this.readyState = 3;
        this.fire("onclose", { code: 1006, reason: "" });
        return;
      }
      this.readyState = 1;
      this.fire("onopen", {});
    }, 0);
  }

  send(data: Uint8Array | string): void {
    if (this.readyState !== 1) throw new Error("send() on a socket that is not open");
    const frame = decodeFrame(data) as Frame;
    this.sent.push(frame);
    this.server.handle(frame, this);
  }

  close(code?: number, reason?: string): void {
    if (this.readyState >= 2) return;
    this.closedBy = { code, reason };
    this.readyState = 3;
    setTimeout(() => this.fire("onclose", { code: code ?? 1005, reason: reason ?? "" }), 0);
  }

  /** Sends a frame to the client (a reply or a push), asynchronously. */
  deliver(frame: Frame): void {
    const bytes = encodeFrame(frame, "cbor");
    const data = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
    setTimeout(() => {
      if (this.readyState === 1) this.fire("onmessage", { data });
    }, 0);
  }

  /** The broker side drops the connection. */
  drop(code = 1006): void {
    if (this.readyState >= 2) return;
    this.readyState = 3;
    setTimeout(() => this.fire("onclose", { code, reason: "" }), 0);
  }

  private fire(name: "onopen" | "onmessage" | "onclose", event: object): void {
    (this[name] as ((event: object) => unknown) | null)?.(event);
  }
}

/** Answers requests: return a reply body (merged with the id), `"none"` for no reply, or call `socket.deliver` yourself. */
export type FakeHandler = (request: Frame, socket: FakeSocket) => Frame | "none" | undefined;

/** The fake broker behind every socket of one WebSocket class. */
export class FakeServer {
  readonly sockets: FakeSocket[] = [];
  /** Addresses that refuse connections. */
  refused = new Set<string>();
  helloLimits: HelloLimits = FAKE_LIMITS;

  constructor(public handler: FakeHandler = () => undefined) {}

  /** The WebSocket class to inject into the client. */
  get WebSocket(): WebSocketConstructor {
    const server = this;
    return class extends FakeSocket {
      constructor(url: string, protocols?: string | string[]) {
        super(url, protocols, server);
        server.sockets.push(this);
      }
    };
  }

  /** Requests of one op, over every socket. */
  requests(op: string): Frame[] {
    return this.sockets.flatMap((s) => s.sent).filter((f) => f["op"] === op);
  }

  refuse(url: string): boolean {
    return [...this.refused].some((r) => url.includes(r));
  }

  handle(frame: Frame, socket: FakeSocket): void {
    if (frame["op"] === "hello") {
      socket.deliver({ id: frame["id"], version: 1, brokerId: 1, clusterId: "fake", limits: this.helloLimits, features: [], ops: [] });
      return;
    }
    const reply = this.handler(frame, socket);
    if (reply === "none" || reply === undefined) return;
    socket.deliver({ ...reply, id: frame["id"] });
  }
}
