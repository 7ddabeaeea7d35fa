// The small socket surface umqtt needs, shaped like MicroPython's `socket`
// module. The client talks only to these interfaces, so a real TCP/TLS socket,
// the emulator's simulated network, or a test double can stand behind it.

export interface SocketAddress {
  host: string;
  port: number;
}

export interface Socket {
  /** Connect to an address from `getaddrinfo`. Rejects with OSError (e.g. ECONNREFUSED, ETIMEDOUT). */
  connect(addr: SocketAddress): Promise<void>;
  /**
   * Like MicroPython's `settimeout`: `null` blocks forever, `0` is non-blocking,
   * a positive number of seconds makes blocking operations raise
   * OSError(ETIMEDOUT) when nothing happens for that long.
   */
  settimeout(seconds: number | null): void;
  /** `setblocking(true)` is `settimeout(null)`; `setblocking(false)` is `settimeout(0)`. */
  setblocking(flag: boolean): void;
  /**
   * Read up to `n` bytes, as a MicroPython stream does:
   * - blocking: resolves once `n` bytes arrived, or with fewer (possibly an
   *   empty array) when the peer closed; a timeout with nothing read rejects
   *   with OSError(ETIMEDOUT), a timeout after a partial read resolves with it;
   * - non-blocking: resolves at once with what is buffered (at most `n`), or
   *   `null` when nothing is.
   * A reset connection rejects with OSError(ECONNRESET) or similar.
   */
  read(n: number): Promise<Uint8Array | null>;
  /** Write all of `data` (blocking semantics); resolves with the count written. */
  write(data: Uint8Array): Promise<number>;
  /** Close; later reads resolve empty and writes reject with OSError(EBADF). Idempotent. */
  close(): void;
}

/** Parameters for the legacy `ssl.wrap_socket(sock, **ssl_params)` path (`ssl=True`). */
export interface SslParams {
  server_hostname?: string;
  /** PEM text, or with umqtt.default a file path on the board's filesystem. */
  cert?: string;
  key?: string;
  ca?: string;
  cert_reqs?: number;
  [other: string]: unknown;
}

/** An SSL context object (`ssl=<SSLContext>`): umqtt wraps with `server_hostname=server`. */
export interface SslContext {
  wrap_socket(sock: Socket, options: { server_hostname: string }): Promise<Socket>;
}

/**
 * What the platform offers the client: MicroPython's `socket.getaddrinfo`,
 * `socket.socket()` and `ssl.wrap_socket`.
 */
export interface Transport {
  /** Resolve a host; rejects with OSError (a negative errno, as lwIP reports DNS failures). */
  getaddrinfo(host: string, port: number): Promise<SocketAddress>;
  socket(): Socket;
  /** Legacy TLS wrap for `ssl=True`; rejects with OSError(EOPNOTSUPP) where TLS is unavailable. */
  wrapSocket(sock: Socket, params: SslParams): Promise<Socket>;
}
