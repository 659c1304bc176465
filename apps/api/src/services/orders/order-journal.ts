import {
  type CompleteOrderInput,
  completeOrders,
  type Database,
  type Kysely,
  type RecordOrderInput,
  recordOrders,
} from '@openalgo/db';
import type { Logger } from 'pino';
import type { OrderSpool } from './order-spool.js';

export interface OrderJournalOptions {
  db: Kysely<Database>;
  logger: Logger;
  /** Completions wait at most this long before they are written together. */
  flushIntervalMs: number;
  /** Rows per statement. */
  batchSize?: number;
  /**
   * The write-ahead file. With it, an order without an idempotency key is recorded by one
   * append to the file and sent at once; its row follows in the next group commit.
   */
  spool?: OrderSpool | null;
  /** Spooled rows not yet in the database beyond which placements wait for the database again. */
  maxBacklog?: number;
}

interface PendingRecord {
  input: RecordOrderInput;
  /** Its spool entry; 0 when the caller waits for the database instead. */
  seq: number;
  /** An outcome known before the row was written: the row is inserted complete. */
  completion: CompleteOrderInput | null;
  completionSeq: number;
  resolve?: (isRecorded: boolean) => void;
  reject?: (error: unknown) => void;
}

interface PendingCompletion {
  input: CompleteOrderInput;
  seq: number;
}

export interface RecoveredSpool {
  /** Rows written to the database from the spool. */
  records: number;
  /** Rows read back that the database had already (written before the stop). */
  alreadyStored: number;
  /** Outcomes applied. */
  completions: number;
  unreadable: number;
}

const DEFAULT_BATCH_SIZE = 500;
const DEFAULT_MAX_BACKLOG = 10_000;
const MAX_RETRY_DELAY_MS = 2_000;

/**
 * The order log's writer; every broker write is recorded here before it is sent.
 *
 * With a spool (the default), `record` appends the order to the spool file and resolves at
 * once: the order is durable before the broker is called, and no database round trip sits
 * between the request and the broker. Rows reach the database in a group commit: a spooled row
 * waits for the next interval flush (or a full batch), so an order that completes within
 * `flushIntervalMs` — every simulator and analyzer order, and a fast broker's — is inserted
 * complete, and all the rows of an interval share one statement (on the embedded database,
 * whose one thread runs all SQL, a statement per order was about a millisecond of it). If the
 * database refuses, spooled rows are kept and retried with backoff, and new placements wait
 * for the database (so an outage answers 503 rather than growing the spool); an order carrying
 * an idempotency key always waits for its row, since only the database can tell whether the
 * key was used, by any process.
 *
 * `complete` is off the critical path: completions are appended to the spool and written in
 * batches shortly after, never before their row.
 */
export class OrderJournal {
  readonly #options: OrderJournalOptions;
  readonly #batchSize: number;
  #records: PendingRecord[] = [];
  /** Spooled rows still waiting (not in flight), by id: a completion joins its row here. */
  readonly #queued = new Map<string, PendingRecord>();
  #inFlight: PendingRecord[] = [];
  #recordWrite: Promise<void> | null = null;
  #isRecordScheduled = false;
  #isHealthy = true;
  #retryDelayMs = 0;
  #retryTimer: NodeJS.Timeout | null = null;
  #completions: PendingCompletion[] = [];
  #completionBatch: PendingCompletion[] = [];
  #flushing: Promise<void> | null = null;
  readonly #timer: NodeJS.Timeout;
  #isClosed = false;

  constructor(options: OrderJournalOptions) {
    this.#options = options;
    this.#batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
    this.#timer = setInterval(() => void this.flush(), options.flushIntervalMs);
    this.#timer.unref();
  }

  /**
   * Rows a stopped process left in the spool, written to the database (rows it already has
   * are left as they are; known outcomes applied). Run before unfinished orders are reconciled.
   */
  async recover(): Promise<RecoveredSpool> {
    const spool = this.#options.spool;
    if (!spool) {
      return { records: 0, alreadyStored: 0, completions: 0, unreadable: 0 };
    }
    const backlog = spool.readBacklog();
    const completionOf = new Map(backlog.completions.map((completion) => [completion.id, completion]));
    let inserted = 0;
    for (let from = 0; from < backlog.records.length; from += this.#batchSize) {
      const written = await recordOrders(
        this.#options.db,
        backlog.records
          .slice(from, from + this.#batchSize)
          .map((record) => ({ ...record, completion: completionOf.get(record.id) ?? null })),
      );
      inserted += written.size;
    }
    for (let from = 0; from < backlog.completions.length; from += this.#batchSize) {
      await completeOrders(this.#options.db, backlog.completions.slice(from, from + this.#batchSize));
    }
    spool.dropBacklog();
    const recovered = {
      records: inserted,
      alreadyStored: backlog.records.length - inserted,
      completions: backlog.completions.length,
      unreadable: backlog.unreadable,
    };
    if (recovered.records + recovered.unreadable > 0) {
      this.#options.logger.warn(recovered, 'order log rows recovered from the spool of a stopped process');
    }
    return recovered;
  }

  /** Stores the order; `false` when its idempotency key was already used by this API key. */
  record(input: RecordOrderInput): Promise<boolean> {
    const spool = this.#options.spool;
    if (
      spool &&
      input.idempotencyKey === null &&
      this.#isHealthy &&
      !this.#isClosed &&
      this.pendingRecords < (this.#options.maxBacklog ?? DEFAULT_MAX_BACKLOG)
    ) {
      return new Promise<boolean>((resolve, reject) => {
        const waitForRow = (error: unknown) => {
          this.#options.logger.error({ err: error }, 'order spool not written; the order waits for its row');
          this.#enqueue({ input, seq: 0, completion: null, completionSeq: 0, resolve, reject });
        };
        try {
          const seq = spool.queueRecord(input, (error) => {
            if (error) {
              waitForRow(error);
              return;
            }
            // In the same step as the write: the journal holds the row before anything can
            // release the spool past it.
            this.#enqueue({ input, seq, completion: null, completionSeq: 0 });
            if (spool.sync === 'disk') {
              spool.flushToDisk().then(() => resolve(true), reject);
            } else {
              resolve(true);
            }
          });
        } catch (error) {
          waitForRow(error);
        }
      });
    }
    return new Promise<boolean>((resolve, reject) => {
      this.#enqueue({ input, seq: 0, completion: null, completionSeq: 0, resolve, reject });
    });
  }

  #enqueue(entry: PendingRecord): void {
    this.#records.push(entry);
    if (entry.seq > 0) {
      this.#queued.set(entry.input.id, entry);
    }
    this.#scheduleRecords(entry.seq === 0);
  }

  /**
   * A spooled row is durable already, so it waits for the next interval flush (or a full
   * batch): its outcome, known by then for every simulator and analyzer order and a fast
   * broker's, goes in with it, and the rows of the interval share one statement. A row
   * someone waits for (`urgent`: no spool entry) is written at once, with whatever waits.
   */
  #scheduleRecords(urgent: boolean): void {
    if (this.#isRecordScheduled || this.#recordWrite || this.#records.length === 0) {
      return;
    }
    if (urgent || this.#records.length >= this.#batchSize) {
      this.#isRecordScheduled = true;
      setImmediate(() => this.#writeRecords());
    }
  }

  /**
   * Group commit: one INSERT in flight at a time; what arrives meanwhile goes in the next one,
   * so batches grow with the load and the per-statement cost is paid once per batch.
   */
  #writeRecords(): void {
    this.#isRecordScheduled = false;
    if (this.#records.length === 0 || this.#recordWrite) {
      return;
    }
    const batch = this.#records.splice(0, this.#batchSize);
    for (const entry of batch) {
      this.#queued.delete(entry.input.id);
    }
    this.#inFlight = batch;
    this.#recordWrite = recordOrders(
      this.#options.db,
      batch.map((entry) =>
        entry.completion ? { ...entry.input, completion: entry.completion } : entry.input,
      ),
    )
      .then(
        (inserted) => {
          this.#isHealthy = true;
          this.#retryDelayMs = 0;
          for (const entry of batch) {
            entry.resolve?.(inserted.has(entry.input.id));
            if (entry.seq > 0 && entry.completion && !inserted.has(entry.input.id)) {
              // The row was there already (an earlier attempt committed, its answer lost): the
              // outcome that rode with the skipped insert is written as an update instead.
              this.#completions.push({ input: entry.completion, seq: entry.completionSeq });
            }
          }
        },
        (error: unknown) => {
          this.#isHealthy = false;
          // Spooled rows were answered already: they are kept until the database takes them.
          const kept = batch.filter((entry) => entry.seq > 0);
          for (const entry of batch) {
            entry.reject?.(error);
          }
          if (kept.length > 0) {
            this.#records.unshift(...kept);
            for (const entry of kept) {
              this.#queued.set(entry.input.id, entry);
            }
            this.#options.logger.warn(
              { err: error, rows: kept.length },
              'order log rows not written yet; kept in the spool and retried',
            );
            this.#scheduleRetry();
          }
        },
      )
      .finally(() => {
        this.#inFlight = [];
        this.#recordWrite = null;
        this.#release();
        if (this.#isHealthy) {
          this.#scheduleRecords(this.#records.some((entry) => entry.seq === 0));
        }
      });
  }

  #scheduleRetry(): void {
    if (this.#retryTimer || this.#isClosed) {
      return;
    }
    this.#retryDelayMs = Math.min(MAX_RETRY_DELAY_MS, Math.max(100, this.#retryDelayMs * 2));
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = null;
      this.#writeRecords();
    }, this.#retryDelayMs);
    this.#retryTimer.unref();
  }

  /** Queues the order's outcome; written within `flushIntervalMs`. */
  complete(input: CompleteOrderInput): void {
    let seq = 0;
    if (this.#options.spool && !this.#isClosed) {
      try {
        seq = this.#options.spool.appendCompletion(input);
      } catch (error) {
        this.#options.logger.error({ err: error, id: input.id }, 'order outcome not written to the spool');
      }
    }
    const queued = this.#queued.get(input.id);
    if (queued) {
      // Its row is not written yet: it goes in complete.
      queued.completion = input;
      queued.completionSeq = seq;
      return;
    }
    this.#completions.push({ input, seq });
    if (this.#completions.length >= this.#batchSize) {
      void this.flush();
    }
  }

  get pendingCompletions(): number {
    return this.#completions.length;
  }

  /** Rows recorded (spooled) but not yet in the database. */
  get pendingRecords(): number {
    return this.#records.length + this.#inFlight.length;
  }

  /** Writes the queued rows, then the queued completions (one statement per batch). */
  flush(): Promise<void> {
    this.#flushing ??= this.#drain().finally(() => {
      this.#flushing = null;
    });
    return this.#flushing;
  }

  async #drain(): Promise<void> {
    // What is queued when the drain starts is written by it; what arrives meanwhile is left to
    // the next one (and the group commit). Chasing it, a steady stream of orders kept a drain
    // going for as long as the stream lasted, the outcomes behind the rows never written and
    // whoever awaited the flush waiting. At close nothing new arrives: everything is drained.
    const all = this.#isClosed;
    let recordBatches = all ? Number.POSITIVE_INFINITY : Math.ceil(this.#records.length / this.#batchSize);
    // Counted once those rows are in: the outcomes that came while they were written count too.
    let completionBatches: number | null = null;
    for (;;) {
      // Rows first: a completion never reaches the database before its row.
      while (
        this.#recordWrite ||
        (recordBatches > 0 && this.#records.length > 0 && (this.#isHealthy || this.#isClosed))
      ) {
        if (!this.#recordWrite) {
          recordBatches -= 1;
          this.#writeRecords();
        }
        await this.#recordWrite;
        if (this.#isClosed && !this.#isHealthy) {
          // Shutting down with the database refusing: one attempt, the rest stays spooled.
          break;
        }
      }
      completionBatches ??= all
        ? Number.POSITIVE_INFINITY
        : Math.ceil(this.#completions.length / this.#batchSize);
      if (this.#completions.length === 0 || completionBatches <= 0) {
        return;
      }
      completionBatches -= 1;
      // The latest outcome of an order wins (a reconciled timeout after its first answer).
      const batch = this.#completions.splice(0, this.#batchSize);
      const byId = new Map<string, PendingCompletion>();
      for (const completion of batch) {
        const queued = this.#queued.get(completion.input.id);
        if (queued) {
          // Its row's write failed and waits for a retry: the outcome goes with it.
          queued.completion = completion.input;
          queued.completionSeq = completion.seq;
        } else {
          byId.set(completion.input.id, completion);
        }
      }
      this.#completionBatch = [...byId.values()];
      try {
        await completeOrders(
          this.#options.db,
          this.#completionBatch.map((completion) => completion.input),
        );
      } catch (error) {
        // Kept for the next flush: an order's outcome is never dropped while the process lives.
        this.#completions.unshift(...this.#completionBatch);
        this.#options.logger.warn({ err: error, rows: batch.length }, 'order log completions not written');
        if (!this.#isClosed) {
          return;
        }
        throw error;
      } finally {
        this.#completionBatch = [];
      }
      this.#release();
    }
  }

  /** Tells the spool how far the database has everything. */
  #release(): void {
    const spool = this.#options.spool;
    if (!spool || this.#isClosed) {
      return;
    }
    let lowest = Number.POSITIVE_INFINITY;
    for (const entry of this.#records) {
      lowest = Math.min(lowest, entry.seq || lowest, entry.completionSeq || lowest);
    }
    for (const entry of this.#inFlight) {
      lowest = Math.min(lowest, entry.seq || lowest, entry.completionSeq || lowest);
    }
    for (const completion of this.#completions) {
      lowest = Math.min(lowest, completion.seq || lowest);
    }
    for (const completion of this.#completionBatch) {
      lowest = Math.min(lowest, completion.seq || lowest);
    }
    spool.release(lowest === Number.POSITIVE_INFINITY ? spool.lastSeq : lowest - 1);
  }

  async close(): Promise<void> {
    this.#isClosed = true;
    clearInterval(this.#timer);
    if (this.#retryTimer) {
      clearTimeout(this.#retryTimer);
      this.#retryTimer = null;
    }
    let isDrained = false;
    try {
      await this.flush();
      isDrained = this.pendingRecords === 0 && this.#completions.length === 0;
    } catch (error) {
      this.#options.logger.error({ err: error }, 'order log completions not written at shutdown');
    }
    if (!isDrained && this.#options.spool) {
      this.#options.logger.warn(
        { rows: this.pendingRecords, completions: this.#completions.length },
        'order log rows left in the spool; written at the next start',
      );
    } else if (!isDrained) {
      this.#options.logger.error('order log completions lost at shutdown');
    }
    await this.#options.spool?.settled();
    this.#options.spool?.close(isDrained);
  }
}
