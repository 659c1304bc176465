import type { Logger } from '@openalgo/broker-sdk';

type Frames = Array<Buffer | string>;

interface WritableSocket {
  send(message: Frames): Promise<void>;
}

/**
 * ZeroMQ sockets allow one send in flight at a time: this queue serializes them. It is bounded:
 * past `limit` queued messages the oldest is dropped and counted (market data is latest-value;
 * order updates carry sequence numbers and are replayed on a gap).
 */
export class SendQueue {
  readonly #socket: WritableSocket;
  readonly #limit: number;
  readonly #logger: Logger;
  readonly #name: string;
  #queue: Frames[] = [];
  #head = 0;
  #isPumping = false;
  #isClosed = false;
  dropped = 0;

  constructor(socket: WritableSocket, options: { limit: number; logger: Logger; name: string }) {
    this.#socket = socket;
    this.#limit = options.limit;
    this.#logger = options.logger;
    this.#name = options.name;
  }

  get length(): number {
    return this.#queue.length - this.#head;
  }

  push(message: Frames): void {
    if (this.#isClosed) {
      return;
    }
    if (this.length >= this.#limit) {
      this.#head += 1;
      this.dropped += 1;
      if (this.dropped === 1 || this.dropped % 10_000 === 0) {
        this.#logger.warn(
          { socket: this.#name, dropped: this.dropped },
          'bus send queue full; dropping oldest',
        );
      }
    }
    this.#queue.push(message);
    if (!this.#isPumping) {
      void this.#pump();
    }
  }

  close(): void {
    this.#isClosed = true;
    this.#queue = [];
    this.#head = 0;
  }

  async #pump(): Promise<void> {
    this.#isPumping = true;
    try {
      while (this.#head < this.#queue.length && !this.#isClosed) {
        const message = this.#queue[this.#head] as Frames;
        this.#head += 1;
        if (this.#head > 1_024 && this.#head * 2 > this.#queue.length) {
          this.#queue = this.#queue.slice(this.#head);
          this.#head = 0;
        }
        try {
          await this.#socket.send(message);
        } catch (error) {
          if (this.#isClosed) {
            return;
          }
          this.#logger.warn({ err: error, socket: this.#name }, 'bus send failed');
        }
      }
      if (this.#head >= this.#queue.length) {
        this.#queue = [];
        this.#head = 0;
      }
    } finally {
      this.#isPumping = false;
    }
  }
}
