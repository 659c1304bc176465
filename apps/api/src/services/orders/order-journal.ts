import {
  type CompleteOrderInput,
  completeOrders,
  type Database,
  type Kysely,
  type RecordOrderInput,
  recordOrders,
} from '@openalgo/db';
import type { Logger } from 'pino';

export interface OrderJournalOptions {
  db: Kysely<Database>;
  logger: Logger;
  /** Completions wait at most this long before they are written together. */
  flushIntervalMs: number;
  /** Rows per statement. */
  batchSize?: number;
}

interface PendingRecord {
  input: RecordOrderInput;
  resolve: (isRecorded: boolean) => void;
  reject: (error: unknown) => void;
}

/**
 * The order log's writer. `record` is the one database write on an order's critical path: it
 * resolves only once the row is stored, before the broker is called. Records that arrive in
 * the same turn of the event loop share one multi-row INSERT, so concurrency costs no extra
 * round trips. `complete` is off the critical path: completions are written in batches shortly
 * after; a crash before that leaves the row unfinished, and start-up reconciliation settles it
 * against the broker's order book.
 */
export class OrderJournal {
  readonly #options: OrderJournalOptions;
  #records: PendingRecord[] = [];
  #isRecordScheduled = false;
  #isRecording = false;
  #completions: CompleteOrderInput[] = [];
  #flushing: Promise<void> | null = null;
  readonly #timer: NodeJS.Timeout;
  #isClosed = false;

  constructor(options: OrderJournalOptions) {
    this.#options = options;
    this.#timer = setInterval(() => void this.flush(), options.flushIntervalMs);
    this.#timer.unref();
  }

  /** Stores the order; `false` when its idempotency key was already used by this API key. */
  record(input: RecordOrderInput): Promise<boolean> {
    return new Promise<boolean>((resolve, reject) => {
      this.#records.push({ input, resolve, reject });
      if (!this.#isRecordScheduled && !this.#isRecording) {
        this.#isRecordScheduled = true;
        setImmediate(() => this.#writeRecords());
      }
    });
  }

  /**
   * Group commit: one INSERT in flight at a time; what arrives meanwhile goes in the next one,
   * so batches grow with the load and the per-statement cost is paid once per batch.
   */
  #writeRecords(): void {
    this.#isRecordScheduled = false;
    if (this.#records.length === 0) {
      return;
    }
    const batch = this.#records.splice(0, this.#options.batchSize ?? 500);
    this.#isRecording = true;
    recordOrders(
      this.#options.db,
      batch.map((entry) => entry.input),
    )
      .then(
        (inserted) => {
          for (const entry of batch) {
            entry.resolve(inserted.has(entry.input.id));
          }
        },
        (error: unknown) => {
          for (const entry of batch) {
            entry.reject(error);
          }
        },
      )
      .finally(() => {
        this.#isRecording = false;
        if (this.#records.length > 0) {
          this.#writeRecords();
        }
      });
  }

  /** Queues the order's outcome; written within `flushIntervalMs`. */
  complete(input: CompleteOrderInput): void {
    this.#completions.push(input);
    if (this.#completions.length >= (this.#options.batchSize ?? 500)) {
      void this.flush();
    }
  }

  get pendingCompletions(): number {
    return this.#completions.length;
  }

  /** Writes the queued completions (one statement per batch). */
  flush(): Promise<void> {
    this.#flushing ??= this.#drain().finally(() => {
      this.#flushing = null;
    });
    return this.#flushing;
  }

  async #drain(): Promise<void> {
    const batchSize = this.#options.batchSize ?? 500;
    while (this.#completions.length > 0) {
      // The latest outcome of an order wins (a reconciled timeout after its first answer).
      const batch = this.#completions.splice(0, batchSize);
      const byId = new Map<string, CompleteOrderInput>();
      for (const completion of batch) {
        byId.set(completion.id, completion);
      }
      try {
        await completeOrders(this.#options.db, [...byId.values()]);
      } catch (error) {
        // Kept for the next flush: an order's outcome is never dropped while the process lives.
        this.#completions.unshift(...batch);
        this.#options.logger.warn({ err: error, rows: batch.length }, 'order log completions not written');
        if (!this.#isClosed) {
          return;
        }
        throw error;
      }
    }
  }

  async close(): Promise<void> {
    this.#isClosed = true;
    clearInterval(this.#timer);
    await this.flush().catch((error: unknown) =>
      this.#options.logger.error({ err: error }, 'order log completions lost at shutdown'),
    );
  }
}
