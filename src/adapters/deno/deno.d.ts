/**
 * The few Deno APIs edgelog's Deno adapter uses, declared here so the project type-checks under Node's
 * types. A namespace, so other Deno adapters can merge their own declarations.
 *
 * @example
 * ```ts
 * const file = await Deno.open("data/a.log", { read: true, write: true, create: true });
 * ```
 * @module
 */
declare namespace Deno {
  interface OpenOptions {
    read?: boolean;
    write?: boolean;
    create?: boolean;
    truncate?: boolean;
    mode?: number;
  }
  interface FileInfo {
    isFile: boolean;
    isDirectory: boolean;
    size: number;
    mtime: Date | null;
  }
  interface DirEntry {
    name: string;
  }
  /** The origin of {@link FsFile.seek}. */
  const SeekMode: { readonly Start: 0; readonly Current: 1; readonly End: 2 };
  interface FsFile {
    /** Moves the cursor; resolves to the new position. */
    seek(offset: number, whence: 0 | 1 | 2): Promise<number>;
    /** Writes some of `data` at the cursor; resolves to how many bytes. */
    write(data: Uint8Array): Promise<number>;
    /** Reads into `into` at the cursor; resolves to how many bytes, or null at the end of the file. */
    read(into: Uint8Array): Promise<number | null>;
    sync(): Promise<void>;
    syncData(): Promise<void>;
    truncate(length?: number): Promise<void>;
    stat(): Promise<FileInfo>;
    close(): void;
  }
  function open(path: string, options?: OpenOptions): Promise<FsFile>;
  function readFile(path: string): Promise<Uint8Array>;
  function rename(from: string, to: string): Promise<void>;
  function remove(path: string, options?: { recursive?: boolean }): Promise<void>;
  function readDir(path: string): AsyncIterable<DirEntry>;
  function mkdir(path: string, options?: { recursive?: boolean }): Promise<void>;
  function stat(path: string): Promise<FileInfo>;
  namespace errors {
    class NotFound extends Error {}
    class NotADirectory extends Error {}
  }
}

/**
 * The parts of `Deno.serve` and `Deno.upgradeWebSocket` the Deno serve adapter (`serve.ts`) uses.
 *
 * @example
 * ```ts
 * const server = Deno.serve({ port: 0, onListen() {} }, () => new Response("ok"));
 * ```
 */
declare namespace Deno {
  /** Versions of the running Deno, e.g. `{ deno: "2.9.6" }`. */
  const version: { readonly deno: string };
  interface NetAddr {
    transport: "tcp" | "udp";
    hostname: string;
    port: number;
  }
  interface ServeHandlerInfo {
    /** Read it before upgrading: once the request is upgraded it throws. */
    readonly remoteAddr: NetAddr;
  }
  interface ServeOptions {
    hostname?: string;
    port?: number;
    /** PEM certificate chain; with `key`, serves https. */
    cert?: string;
    key?: string;
    /** Without it Deno prints "Listening on ..." to stdout. */
    onListen?(addr: NetAddr): void;
  }
  interface HttpServer {
    readonly addr: NetAddr;
    /** Stops accepting and resolves once in-flight HTTP requests are answered. */
    shutdown(): Promise<void>;
  }
  function serve(options: ServeOptions, handler: (request: Request, info: ServeHandlerInfo) => Response | Promise<Response>): HttpServer;
  interface UpgradeWebSocketOptions {
    /** Seconds between pings; a connection that answers none within it is closed. 0 disables. */
    idleTimeout?: number;
  }
  function upgradeWebSocket(request: Request, options?: UpgradeWebSocketOptions): { socket: WebSocket; response: Response };
}
