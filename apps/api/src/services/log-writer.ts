import { isDatabaseUnavailable } from '@openalgo/db';
import type { Logger } from 'pino';

export interface LogWriterOptions<Row> {
  name: string;
  /** Writes one batch; called serially, never concurrently. */
  write: (rows: Row[]) => Promise<void>;
  flushIntervalMs: number;
  /** Bounded memory: beyond this, the oldest rows are dropped and counted. */
  maxBuffered: number;
  /** A flush starts early once this many rows wait, keeping each batch (and its cost) small. */
  batchSize?: number;
  logger: Logger;
}

/**
 * Asynchronous, batched log writer: `push` is O(1) and never waits on the database, so logging
 * stays off the request's critical path. A failed batch is retried once on the next flush;
 * while the database is unavailable it is kept for as long as that lasts (the rows are not at
 * fault, and memory stays bounded by `maxBuffered` plus one batch).
 */
export class LogWriter<Row> {
  readonly #options: LogWriterOptions<Row>;
  #buffer: Row[] = [];
  #dropped = 0;
  #flushing: Promise<void> | null = null;
  readonly #timer: NodeJS.Timeout;
  #retry: Row[] | null = null;
  /** Rows of the batch being written now (neither buffered nor yet in the database). */
  #writing = 0;

  constructor(options: LogWriterOptions<Row>) {
    this.#options = options;
    this.#timer = setInterval(() => void this.flush(), options.flushIntervalMs);
    this.#timer.unref();
  }

  push(row: Row): void {
    if (this.#buffer.length >= this.#options.maxBuffered) {
      this.#buffer.shift();
      this.#dropped += 1;
    }
    this.#buffer.push(row);
    if (this.#buffer.length === (this.#options.batchSize ?? 500) && !this.#flushing) {
      setImmediate(() => void this.flush());
    }
  }

  get dropped(): number {
    return this.#dropped;
  }

  /** Rows not yet in the database: buffered, waiting for a retry, or being written now. */
  get pending(): number {
    return this.#buffer.length + (this.#retry?.length ?? 0) + this.#writing;
  }

  async flush(): Promise<void> {
    if (this.#flushing) {
      return this.#flushing;
    }
    this.#flushing = this.#drain().finally(() => {
      this.#flushing = null;
    });
    return this.#flushing;
  }

  async #drain(): Promise<void> {
    const batchSize = this.#options.batchSize ?? 500;
    let batch: Row[];
    if (this.#retry) {
      batch = this.#retry;
      this.#retry = null;
    } else {
      batch = this.#buffer.splice(0, batchSize);
    }
    if (batch.length === 0) {
      return;
    }
    this.#writing = batch.length;
    try {
      await this.#options.write(batch);
      if (this.#buffer.length >= batchSize) {
        setImmediate(() => void this.flush());
      }
    } catch (error) {
      if (isDatabaseUnavailable(error) && this.#retry === null) {
        this.#retry = batch;
      } else if (batch.length > 0 && this.#retry === null && !(batch as { retried?: boolean }).retried) {
        (batch as { retried?: boolean }).retried = true;
        this.#retry = batch;
      } else {
        this.#dropped += batch.length;
      }
      this.#options.logger.warn(
        { err: error, log: this.#options.name, rows: batch.length },
        'log batch not written',
      );
    } finally {
      this.#writing = 0;
    }
  }

  /** Writes every row pushed so far (a flush in flight may have taken its batch before them). */
  async settle(): Promise<void> {
    await this.flush();
    if (this.#buffer.length > 0 || this.#retry) {
      await this.flush();
    }
  }

  /**
   * Stops the timer and writes what is buffered, after the batch being written now. Bounded:
   * after three failed flushes in a row (the database is away) the rest is dropped and
   * counted, so a shutdown during an outage does not loop on a database that is not there.
   */
  async close(): Promise<void> {
    clearInterval(this.#timer);
    let failures = 0;
    do {
      const before = this.#unwritten();
      await this.flush();
      failures = this.#unwritten() < before ? 0 : failures + 1;
    } while ((this.#retry || this.#buffer.length > 0) && failures < 3);
    const left = this.#unwritten();
    if (left > 0) {
      this.#dropped += left;
      this.#buffer = [];
      this.#retry = null;
      this.#options.logger.warn({ log: this.#options.name, rows: left }, 'log rows not written at shutdown');
    }
  }

  /** Rows waiting to be written (buffered or kept for a retry), not counting a batch in flight. */
  #unwritten(): number {
    return this.#buffer.length + (this.#retry?.length ?? 0);
  }
}
