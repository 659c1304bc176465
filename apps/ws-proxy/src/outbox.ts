import type { Socket } from 'node:net';

/**
 * Batches socket writes. Frames for a client are collected and handed to its socket as one
 * buffer, so a burst of ticks costs one socket write per client instead of one per frame.
 *
 * A batch leaves at the end of the event-loop turn that started it, unless the proxy is writing
 * faster than its write budget: a release that wrote to `k` clients holds the next one back for
 * `k / writesPerSecond` (at most `maxDelayMs`), and what arrives meanwhile leaves together. A
 * paced feed brings about one tick per turn, and on loopback a socket write costs about as much
 * as the rest of a frame's delivery, so without the budget 100 clients of a 1,000 ticks/s feed
 * cost 100,000 writes a second. A few clients, or a quiet feed, never wait.
 */
export interface Batched {
  /** Writes out what was collected. */
  release(): void;
}

export interface WriteBatcherOptions {
  /** Socket writes per second to stay under by merging batches; 0 releases every turn. */
  writesPerSecond: number;
  /** Longest a batch is held back for the budget, ms. Default 10. */
  maxDelayMs?: number;
  /** Monotonic clock in ms (performance.now). */
  clock?: () => number;
}

export class WriteBatcher {
  readonly #writesPerSecond: number;
  readonly #maxDelayMs: number;
  readonly #clock: () => number;
  readonly #pending: Batched[] = [];
  #isScheduled = false;
  #nextReleaseAt = Number.NEGATIVE_INFINITY;

  constructor(options: WriteBatcherOptions) {
    this.#writesPerSecond = options.writesPerSecond;
    this.#maxDelayMs = options.maxDelayMs ?? 10;
    this.#clock = options.clock ?? (() => performance.now());
  }

  add(target: Batched): void {
    this.#pending.push(target);
    if (this.#isScheduled) {
      return;
    }
    this.#isScheduled = true;
    const wait = this.#nextReleaseAt - this.#clock();
    if (wait < 1) {
      setImmediate(this.#releaseAll);
    } else {
      setTimeout(this.#releaseAll, wait);
    }
  }

  readonly #releaseAll = (): void => {
    this.#isScheduled = false;
    const targets = this.#pending.splice(0);
    if (this.#writesPerSecond > 0) {
      const holdMs = Math.min(this.#maxDelayMs, (targets.length * 1_000) / this.#writesPerSecond);
      this.#nextReleaseAt = this.#clock() + holdMs;
    }
    for (const target of targets) {
      target.release();
    }
  };
}

/** Largest batch collected before it is written out. */
const MAX_BATCH_BYTES = 64 * 1_024;

export interface OutboxOptions {
  socket: Socket;
  batcher: WriteBatcher;
  /** Bytes buffered on the socket past which ticks are held back and conflated. */
  highWaterBytes: number;
  /** Replies and order updates held for a slow client before it counts as lost. */
  maxPending: number;
  /** Whether frames may still be written (the WebSocket is open). */
  isOpen: () => boolean;
  /** Called once when the client must go (too much held for it). */
  onOverflow: (reason: string) => void;
}

/**
 * One client's outbound path. While the socket drains, frames are written directly. Once more
 * than the high-water mark is buffered the client is slow: ticks are kept one per topic (the
 * latest replaces the older, so memory stays bounded by the client's subscriptions), replies
 * and order updates are queued in order up to a bound, and the proxy's flush timer writes them
 * as the socket drains. Nothing here ever waits for this client, so others are never delayed.
 */
export class Outbox implements Batched {
  readonly #options: OutboxOptions;
  readonly #socket: Socket;
  /** This turn's frames, not handed to the socket yet. */
  #batch: Buffer[] = [];
  #batchBytes = 0;
  #pendingTicks: Map<string, Buffer> | null = null;
  #pendingOrdered: Buffer[] = [];
  /** Epoch ms since when the client has been behind (0 when it is keeping up). */
  slowSince = 0;
  conflated = 0;

  constructor(options: OutboxOptions) {
    this.#options = options;
    this.#socket = options.socket;
  }

  get isSlow(): boolean {
    return this.slowSince !== 0;
  }

  /** Bytes the client has not taken yet (this turn's batch is not counted: it is ours). */
  get bufferedBytes(): number {
    return this.#socket.writableLength;
  }

  get pendingCount(): number {
    return this.#pendingOrdered.length + (this.#pendingTicks?.size ?? 0);
  }

  /** A reply or an order update: never dropped, never reordered. */
  sendOrdered(frame: Buffer, now: number): void {
    if (this.slowSince !== 0) {
      if (this.#pendingOrdered.length >= this.#options.maxPending) {
        this.#options.onOverflow(`more than ${this.#options.maxPending} messages waiting`);
        return;
      }
      this.#pendingOrdered.push(frame);
      return;
    }
    this.#write(frame, now);
  }

  /** A tick: conflated per topic while the client is slow. */
  sendTick(topic: string, frame: Buffer, now: number): void {
    if (this.slowSince !== 0) {
      const pending = this.#pendingTicks ?? new Map<string, Buffer>();
      if (pending.has(topic)) {
        this.conflated += 1;
        pending.delete(topic);
      }
      pending.set(topic, frame);
      this.#pendingTicks = pending;
      return;
    }
    this.#write(frame, now);
  }

  /** Writes what is held while the socket has room; true when the client has caught up. */
  flush(now: number): boolean {
    if (this.slowSince === 0) {
      return true;
    }
    const limit = this.#options.highWaterBytes;
    if (!this.#options.isOpen()) {
      return false;
    }
    let index = 0;
    while (index < this.#pendingOrdered.length && this.bufferedBytes < limit) {
      this.#rawWrite(this.#pendingOrdered[index] as Buffer);
      index += 1;
    }
    if (index > 0) {
      this.#pendingOrdered.splice(0, index);
    }
    const ticks = this.#pendingTicks;
    if (this.#pendingOrdered.length === 0 && ticks) {
      for (const [topic, frame] of ticks) {
        if (this.bufferedBytes >= limit) {
          break;
        }
        this.#rawWrite(frame);
        ticks.delete(topic);
      }
      if (ticks.size === 0) {
        this.#pendingTicks = null;
      }
    }
    if (this.pendingCount === 0 && this.bufferedBytes < limit) {
      this.slowSince = 0;
      return true;
    }
    if (this.slowSince === 0) {
      this.slowSince = now;
    }
    return false;
  }

  /** Drops everything held (the client is gone). */
  clear(): void {
    this.#pendingTicks = null;
    this.#pendingOrdered = [];
  }

  #write(frame: Buffer, now: number): void {
    if (!this.#options.isOpen()) {
      return;
    }
    this.#rawWrite(frame);
    if (this.bufferedBytes >= this.#options.highWaterBytes) {
      this.slowSince = now;
    }
  }

  #rawWrite(frame: Buffer): void {
    if (this.#batch.length === 0) {
      this.#options.batcher.add(this);
    }
    this.#batch.push(frame);
    this.#batchBytes += frame.length;
    if (this.#batchBytes >= MAX_BATCH_BYTES) {
      // A long turn: hand this batch to the socket now, so backpressure shows in time.
      this.release();
    }
  }

  release(): void {
    const batch = this.#batch;
    if (batch.length === 0) {
      return;
    }
    const bytes = this.#batchBytes;
    this.#batch = [];
    this.#batchBytes = 0;
    if (this.#options.isOpen()) {
      this.#socket.write(batch.length === 1 ? (batch[0] as Buffer) : Buffer.concat(batch, bytes));
    }
  }
}
