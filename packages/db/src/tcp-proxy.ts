import { connect, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy on loopback in front of a real server (PostgreSQL in the fault tests): `cut`
 * drops every open connection and refuses new ones (each is closed as soon as it arrives)
 * until `restore`. The server itself keeps running, as when a network path fails.
 */
export class TcpProxy {
  readonly #target: { host: string; port: number };
  readonly #sockets = new Set<Socket>();
  /** The sockets of connections our clients made (the other of each pair goes to the server). */
  readonly #clients = new WeakSet<Socket>();
  /** Server sides kept open briefly after a cut, so data forwarded just before it is acted on. */
  readonly #held = new Set<Socket>();
  #server: Server | null = null;
  #isCut = false;
  #trigger: { match: (chunk: Buffer) => boolean; isForwarded: boolean } | null = null;
  /** Connections accepted and forwarded, and connections refused while cut. */
  accepted = 0;
  refused = 0;

  constructor(target: { host: string; port: number }) {
    this.#target = target;
  }

  get port(): number {
    const address = this.#server?.address();
    if (!address || typeof address === 'string') {
      throw new Error('the proxy is not listening');
    }
    return address.port;
  }

  async start(): Promise<number> {
    const server = createServer((client) => this.#forward(client));
    this.#server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    return this.port;
  }

  #forward(client: Socket): void {
    if (this.#isCut) {
      this.refused += 1;
      client.destroy();
      return;
    }
    this.accepted += 1;
    this.#clients.add(client);
    const upstream = connect(this.#target);
    for (const [socket, other] of [
      [client, upstream],
      [upstream, client],
    ] as const) {
      this.#sockets.add(socket);
      socket.setNoDelay(true);
      const end = () => {
        if (!this.#held.has(other)) {
          other.destroy();
        }
      };
      socket.on('error', end);
      socket.on('close', () => {
        this.#sockets.delete(socket);
        end();
      });
    }
    upstream.pipe(client);
    client.on('data', (chunk: Buffer) => {
      const trigger = this.#trigger;
      if (trigger?.match(chunk)) {
        this.#trigger = null;
        this.#cutAt(trigger.isForwarded ? chunk : null, upstream);
        return;
      }
      if (!upstream.write(chunk)) {
        client.pause();
        upstream.once('drain', () => client.resume());
      }
    });
  }

  /**
   * Cuts everything as soon as a client sends data that `match`es: with `isForwarded` that
   * data reaches the server first (the server acts on it, its answer is lost), without it the
   * data never leaves the proxy.
   */
  cutWhen(match: (chunk: Buffer) => boolean, options: { isForwarded: boolean }): void {
    this.#trigger = { match, isForwarded: options.isForwarded };
  }

  #cutAt(forwarded: Buffer | null, upstream: Socket): void {
    if (!forwarded) {
      this.cut();
      return;
    }
    // The server gets the data and a moment to act on it; no answer reaches the client.
    this.#held.add(upstream);
    this.#sockets.delete(upstream);
    upstream.unpipe();
    upstream.write(forwarded);
    this.cut();
    setTimeout(() => {
      this.#held.delete(upstream);
      upstream.destroy();
    }, 200).unref();
  }

  /**
   * Drops every connection now; later ones are refused until `restore`. Returns how many were
   * open. With `reset` the clients' sides are reset (RST: the client reads ECONNRESET, as when
   * a firewall or a failed path kills a connection) instead of closed in order (FIN).
   */
  cut(options: { reset?: boolean } = {}): number {
    this.#isCut = true;
    const open = this.#sockets.size / 2;
    for (const socket of this.#sockets) {
      if (options.reset && this.#clients.has(socket)) {
        socket.resetAndDestroy();
      } else {
        socket.destroy();
      }
    }
    return open;
  }

  restore(): void {
    this.#isCut = false;
    this.#trigger = null;
  }

  async stop(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => (this.#server ? this.#server.close(() => resolve()) : resolve()));
  }
}
