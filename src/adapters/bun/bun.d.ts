/**
 * The few Bun APIs edgelog's Bun adapter uses, declared here so the project type-checks under Node's
 * types without `bun-types`. A namespace, so other Bun adapters can merge their own declarations.
 *
 * @example
 * ```ts
 * const bytes = await Bun.file("data/meta.properties").bytes();
 * ```
 * @module
 */
declare namespace Bun {
  /** A lazily read file. */
  interface BunFile {
    bytes(): Promise<Uint8Array>;
    arrayBuffer(): Promise<ArrayBuffer>;
  }
  /** Refers to a file by path without opening it. */
  function file(path: string): BunFile;
  /** Writes a whole file; `createPath: false` keeps missing parent directories an ENOENT error. */
  function write(destination: string, data: Uint8Array, options?: { createPath?: boolean }): Promise<number>;
}

/**
 * The parts of `Bun.serve` and its native WebSocket the Bun serve adapter (`serve.ts`) uses.
 *
 * @example
 * ```ts
 * const server = Bun.serve({ port: 0, fetch: () => new Response("ok") });
 * ```
 */
declare namespace Bun {
  /** Bun's version, e.g. "1.4.5". */
  const version: string;
  /** A server-side WebSocket; `data` is what `server.upgrade` attached. */
  interface ServerWebSocket<T> {
    readonly data: T;
    readonly remoteAddress: string;
    /** Returns the bytes sent, -1 when queued behind backpressure, 0 when dropped. */
    send(data: string | Uint8Array, compress?: boolean): number;
    close(code?: number, reason?: string): void;
    getBufferedAmount(): number;
    /** Runs `callback` with the socket corked: what it sends goes out in one write. */
    cork<R>(callback: () => R): R;
    /** How binary messages arrive: "nodebuffer" (the default, a Buffer), "uint8array" or "arraybuffer". */
    binaryType: "nodebuffer" | "uint8array" | "arraybuffer";
  }
  interface WebSocketHandler<T> {
    open?(ws: ServerWebSocket<T>): void;
    /** A text message arrives as a string, a binary one as the socket's `binaryType` says. */
    message(ws: ServerWebSocket<T>, message: string | Uint8Array): void;
    /** The socket can take more data after `send` returned -1. */
    drain?(ws: ServerWebSocket<T>): void;
    close?(ws: ServerWebSocket<T>, code: number, reason: string): void;
    /** Larger messages close the connection with 1009. */
    maxPayloadLength?: number;
    backpressureLimit?: number;
    closeOnBackpressureLimit?: boolean;
    /** Seconds without received data before closing; pings go out about 4 seconds earlier. */
    idleTimeout?: number;
    sendPings?: boolean;
    perMessageDeflate?: boolean;
  }
  interface Server {
    readonly port: number;
    upgrade<T>(request: Request, options?: { headers?: HeadersInit; data?: T }): boolean;
    /** Stops accepting; `true` also closes open connections (WebSockets with 1001). */
    stop(closeActiveConnections?: boolean): Promise<void>;
  }
  interface ServeOptions<T> {
    hostname?: string;
    port?: number;
    tls?: { cert: string; key: string };
    fetch(request: Request, server: Server): Response | Promise<Response> | undefined;
    websocket?: WebSocketHandler<T>;
  }
  function serve<T>(options: ServeOptions<T>): Server;
}
