import { connect, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy on loopback in front of a real server (PostgreSQL in the fault tests): `cut`
 * drops every open connection and refuses new ones (each is closed as soon as it arrives)
 * until `restore`. The server itself keeps running, as when a network path fails.
 */
export class TcpProxy {
  readonly #target: { host: string; port: number };
  readonly #sockets = new Set<Socket>();
  #server: Server | null = null;
  #isCut = false;
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
    const upstream = connect(this.#target);
    for (const [socket, other] of [
      [client, upstream],
      [upstream, client],
    ] as const) {
      this.#sockets.add(socket);
      socket.setNoDelay(true);
      socket.on('error', () => other.destroy());
      socket.on('close', () => {
        this.#sockets.delete(socket);
        other.destroy();
      });
      socket.pipe(other);
    }
  }

  /** Drops every connection now; later ones are refused until `restore`. Returns how many were open. */
  cut(): number {
    this.#isCut = true;
    const open = this.#sockets.size / 2;
    for (const socket of this.#sockets) {
      socket.destroy();
    }
    return open;
  }

  restore(): void {
    this.#isCut = false;
  }

  async stop(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => (this.#server ? this.#server.close(() => resolve()) : resolve()));
  }
}
