import {
  close,
  closeSync,
  existsSync,
  fdatasync,
  fdatasyncSync,
  mkdirSync,
  open,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  unlink,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { CompleteOrderInput, RecordOrderInput } from '@openalgo/db';
import type { Logger } from 'pino';

/**
 * `os`: each entry is written to the file before the broker is called, so it survives the
 * process dying (a crash, a kill, an out-of-memory end); the operating system writes it to
 * disk. `disk`: an order waits until its entry is on disk (one `fdatasync` per event-loop
 * turn, shared by the orders of that turn), so it also survives a power cut.
 */
export type OrderSpoolSync = 'os' | 'disk';

export interface OrderSpoolOptions {
  /** The spool's folder (DATA_DIR/order-spool). */
  dir: string;
  sync: OrderSpoolSync;
  logger: Logger;
  /** A segment is closed and a new one started beyond this size, caught up with or not. */
  segmentBytes?: number;
  /** A segment the database has caught up with is replaced once it holds this much… */
  recycleBytes?: number;
  /** …or is this old (ms), so little is read back twice after a crash. */
  recycleMs?: number;
}

/** What a stopped process left in the spool: rows the database may not have. */
export interface SpoolBacklog {
  records: RecordOrderInput[];
  /** The latest outcome of each order, by id. */
  completions: CompleteOrderInput[];
  /** Lines that could not be read (a write torn by the crash). */
  unreadable: number;
}

type RecordLine = { k: 'r'; s: number } & Omit<RecordOrderInput, 'createdAt'> & { createdAt: string };
type CompletionLine = { k: 'c'; s: number } & Omit<CompleteOrderInput, 'completedAt'> & {
    completedAt: string;
  };

interface Segment {
  path: string;
  fd: number;
  bytes: number;
  /** The highest sequence number written to it (0: none). */
  lastSeq: number;
  /** When it became the segment written to (epoch ms). */
  startedAt: number;
}

const SEGMENT_PATTERN = /^segment-(\d{12})\.jsonl$/;
const LOCK_FILE = 'spool.lock';
const DEFAULT_SEGMENT_BYTES = 16 * 1024 * 1024;
const DEFAULT_RECYCLE_BYTES = 1024 * 1024;
const DEFAULT_RECYCLE_MS = 1_000;

/**
 * The order log's write-ahead file. Every order is appended here — a synchronous write of one
 * line, some ten microseconds — before the broker is called, and reaches the database a moment
 * later in the journal's group commit. So an order is recorded before it is sent without a
 * database round trip on its way to the broker. Entries are numbered; once the database holds
 * everything up to a number, the segments below it are deleted. Only the appends run on the
 * request's thread: the next segment is opened ahead of time, and finished ones are closed and
 * deleted, in the background (metadata operations can stall for long on a busy disk).
 * At start-up, whatever a stopped process left behind is read back and written to the database
 * before the unfinished orders are reconciled.
 *
 * One process owns a spool folder at a time (a lock file naming the process). A second process
 * pointed at the same DATA_DIR finds it held, and writes its orders to the database before
 * sending them, as it would with the spool off.
 */
export class OrderSpool {
  readonly #options: OrderSpoolOptions;
  readonly #segmentBytes: number;
  readonly #recycleBytes: number;
  readonly #recycleMs: number;
  readonly #closed: Segment[] = [];
  #current: Segment;
  /** The next segment, opened in the background before it is needed. */
  #spare: Segment | null = null;
  #isPreparing = false;
  /** Background file operations under way (`settled()` waits for them). */
  #fileOperations = 0;
  #onSettled: Array<() => void> = [];
  #seq = 0;
  #nextSegment: number;
  #backlogFiles: string[];
  #syncing: Promise<void> | null = null;
  #isClosed = false;
  /** Outcomes not yet written: they go with the next record, or at the end of this turn. */
  #pendingLines = '';
  #pendingLastSeq = 0;
  #isPendingScheduled = false;
  /** Records queued for this turn's write, and who waits on each (see `queueRecord`). */
  #recordLines = '';
  #recordLastSeq = 0;
  #recordCallbacks: Array<(error: unknown) => void> = [];

  private constructor(options: OrderSpoolOptions, backlogFiles: string[], nextSegment: number) {
    this.#options = options;
    this.#segmentBytes = options.segmentBytes ?? DEFAULT_SEGMENT_BYTES;
    this.#recycleBytes = Math.min(options.recycleBytes ?? DEFAULT_RECYCLE_BYTES, this.#segmentBytes);
    this.#recycleMs = options.recycleMs ?? DEFAULT_RECYCLE_MS;
    this.#backlogFiles = backlogFiles;
    this.#nextSegment = nextSegment;
    const path = this.#nextPath();
    this.#current = { path, fd: openSync(path, 'a'), bytes: 0, lastSeq: 0, startedAt: Date.now() };
    this.#prepareSpare();
  }

  /** Resolves once the background file operations under way are done (tests, shutdown). */
  settled(): Promise<void> {
    if (this.#fileOperations === 0 && !this.#isPreparing) {
      return Promise.resolve();
    }
    return new Promise((resolve) => this.#onSettled.push(resolve));
  }

  /** Takes the folder; `null` when another live process holds it. */
  static open(options: OrderSpoolOptions): OrderSpool | null {
    mkdirSync(options.dir, { recursive: true });
    if (!takeLock(options.dir, options.logger)) {
      return null;
    }
    const files = readdirSync(options.dir)
      .filter((name) => SEGMENT_PATTERN.test(name))
      .sort();
    const last = files.at(-1);
    const next = last ? Number(SEGMENT_PATTERN.exec(last)?.[1] ?? 0) + 1 : 1;
    return new OrderSpool(
      options,
      files.map((name) => join(options.dir, name)),
      next,
    );
  }

  get sync(): OrderSpoolSync {
    return this.#options.sync;
  }

  /** The sequence number of the last entry appended (0 before the first). */
  get lastSeq(): number {
    return this.#seq;
  }

  /** What the previous owner left: read once, then `dropBacklog()` once it is in the database. */
  readBacklog(): SpoolBacklog {
    const records = new Map<string, RecordOrderInput>();
    const completions = new Map<string, CompleteOrderInput>();
    let unreadable = 0;
    for (const file of this.#backlogFiles) {
      for (const line of readFileSync(file, 'utf8').split('\n')) {
        if (line.length === 0) {
          continue;
        }
        const entry = parseLine(line);
        if (!entry) {
          unreadable += 1;
        } else if (entry.k === 'r') {
          const { k: _k, s: _s, createdAt, ...input } = entry;
          records.set(input.id, { ...input, createdAt: new Date(createdAt) });
        } else {
          const { k: _k, s: _s, completedAt, ...input } = entry;
          completions.set(input.id, { ...input, completedAt: new Date(completedAt) });
        }
      }
    }
    return { records: [...records.values()], completions: [...completions.values()], unreadable };
  }

  dropBacklog(): void {
    for (const file of this.#backlogFiles.splice(0)) {
      rmSync(file, { force: true });
    }
  }

  /** Written before this returns: the order may be sent. */
  appendRecord(input: RecordOrderInput): number {
    const s = this.#seq + 1;
    this.#write(`${JSON.stringify({ k: 'r', s, ...input, createdAt: input.createdAt.toISOString() })}\n`, s);
    return s;
  }

  /**
   * Queues a record for one write shared by every order of this event-loop turn (one system
   * call however many arrive together). `onWritten` runs right after that write, inside the
   * same synchronous step (nothing else can run between the write and it), with `null` or
   * the write's error: only then may the order be sent.
   */
  queueRecord(input: RecordOrderInput, onWritten: (error: unknown) => void): number {
    if (this.#isClosed) {
      throw new Error('the order spool is closed');
    }
    this.#seq += 1;
    this.#recordLines += `${JSON.stringify({ k: 'r', s: this.#seq, ...input, createdAt: input.createdAt.toISOString() })}\n`;
    this.#recordLastSeq = this.#seq;
    this.#recordCallbacks.push(onWritten);
    if (this.#recordCallbacks.length === 1) {
      setImmediate(() => this.#writeQueuedRecords());
    }
    return this.#seq;
  }

  #writeQueuedRecords(): void {
    const lines = this.#recordLines;
    const callbacks = this.#recordCallbacks;
    this.#recordLines = '';
    this.#recordCallbacks = [];
    let failure: unknown = null;
    try {
      // Outcomes appended after a queued record carry higher numbers: the write ends with them.
      this.#write(
        lines,
        Math.max(this.#recordLastSeq, this.#pendingLines.length > 0 ? this.#pendingLastSeq : 0),
      );
    } catch (error) {
      failure = error;
    }
    for (const callback of callbacks) {
      callback(failure);
    }
  }

  /**
   * An outcome waits in memory for the next record's write (one system call for both) or the
   * end of this event-loop turn: nothing waits on it, and one lost in a crash leaves its order
   * unfinished, which reconciliation settles.
   */
  appendCompletion(input: CompleteOrderInput): number {
    if (this.#isClosed) {
      throw new Error('the order spool is closed');
    }
    this.#seq += 1;
    this.#pendingLines += `${JSON.stringify({ k: 'c', s: this.#seq, ...input, completedAt: input.completedAt.toISOString() })}\n`;
    this.#pendingLastSeq = this.#seq;
    if (!this.#isPendingScheduled) {
      this.#isPendingScheduled = true;
      setImmediate(() => {
        this.#isPendingScheduled = false;
        if (this.#pendingLines.length > 0 && !this.#isClosed) {
          this.#write('', this.#pendingLastSeq);
        }
      });
    }
    return this.#seq;
  }

  /**
   * Resolves once everything appended so far is on disk (`disk` sync); at once otherwise. The
   * appends of one event-loop turn share one `fdatasync`.
   */
  flushToDisk(): Promise<void> {
    if (this.#options.sync !== 'disk') {
      return Promise.resolve();
    }
    this.#syncing ??= new Promise<void>((resolve, reject) => {
      setImmediate(() => {
        this.#syncing = null;
        if (this.#pendingLines.length > 0) {
          this.#write('', this.#pendingLastSeq);
        }
        fdatasync(this.#current.fd, (error) => (error ? reject(error) : resolve()));
      });
    });
    return this.#syncing;
  }

  /** Everything up to `seq` is in the database: the segments it covers go. */
  release(seq: number): void {
    if (this.#pendingLastSeq <= seq) {
      // The database has these outcomes already: no need to write them at all.
      this.#pendingLines = '';
    }
    while (this.#closed.length > 0 && (this.#closed[0]?.lastSeq ?? 0) <= seq) {
      this.#retire(this.#closed.shift() as Segment);
    }
    const current = this.#current;
    if (
      this.#spare &&
      current.bytes > 0 &&
      current.lastSeq <= seq &&
      (current.bytes >= this.#recycleBytes || Date.now() - current.startedAt >= this.#recycleMs)
    ) {
      // Caught up: start afresh rather than let a segment the database no longer needs grow.
      this.#retire(this.#current);
      this.#current = this.#takeSpare();
    }
  }

  /**
   * Closes the files. With `isDrained` (the database holds everything) the folder is left
   * empty; otherwise the segments stay for the next start to read back.
   */
  close(isDrained: boolean): void {
    if (this.#isClosed) {
      return;
    }
    if (this.#pendingLines.length > 0 && !isDrained) {
      this.#write('', this.#pendingLastSeq);
    }
    this.#isClosed = true;
    // Orders still waiting for their record's write are not sent.
    const waiting = this.#recordCallbacks;
    this.#recordLines = '';
    this.#recordCallbacks = [];
    for (const callback of waiting) {
      callback(new Error('the order spool is closed'));
    }
    const spare = this.#spare;
    this.#spare = null;
    for (const segment of [...this.#closed, this.#current, ...(spare ? [spare] : [])]) {
      closeSync(segment.fd);
      if (isDrained || segment.bytes === 0) {
        rmSync(segment.path, { force: true });
      }
    }
    rmSync(join(this.#options.dir, LOCK_FILE), { force: true });
  }

  #nextPath(): string {
    const path = join(this.#options.dir, `segment-${String(this.#nextSegment).padStart(12, '0')}.jsonl`);
    this.#nextSegment += 1;
    return path;
  }

  #prepareSpare(): void {
    if (this.#spare || this.#isPreparing || this.#isClosed) {
      return;
    }
    this.#isPreparing = true;
    const path = this.#nextPath();
    open(path, 'a', (error, fd) => {
      this.#isPreparing = false;
      if (error) {
        this.#options.logger.warn(
          { err: error, path },
          'next order spool segment not opened; retrying later',
        );
      } else if (this.#isClosed) {
        close(fd, () => unlink(path, () => undefined));
      } else {
        this.#spare = { path, fd, bytes: 0, lastSeq: 0, startedAt: 0 };
      }
      this.#settle();
    });
  }

  #takeSpare(): Segment {
    const spare = this.#spare as Segment;
    spare.startedAt = Date.now();
    this.#spare = null;
    this.#prepareSpare();
    return spare;
  }

  /** Closes and deletes a segment the database has caught up with, in the background. */
  #retire(segment: Segment): void {
    this.#fileOperations += 1;
    close(segment.fd, () =>
      unlink(segment.path, () => {
        this.#fileOperations -= 1;
        this.#settle();
      }),
    );
  }

  #settle(): void {
    if (this.#fileOperations === 0 && !this.#isPreparing) {
      for (const resolve of this.#onSettled.splice(0)) {
        resolve();
      }
    }
  }

  /** Writes the waiting outcomes and `lines` in one system call; `seq` is the last entry's. */
  #write(lines: string, seq: number): void {
    if (this.#isClosed) {
      throw new Error('the order spool is closed');
    }
    const text = this.#pendingLines.length > 0 ? this.#pendingLines + lines : lines;
    this.#pendingLines = '';
    const bytes = writeSync(this.#current.fd, text);
    this.#seq = Math.max(this.#seq, seq);
    this.#current.bytes += bytes;
    this.#current.lastSeq = seq;
    if (this.#current.bytes >= this.#segmentBytes) {
      if (!this.#spare) {
        // Not open yet: this one grows a little longer.
        this.#prepareSpare();
        return;
      }
      if (this.#options.sync === 'disk') {
        fdatasyncSync(this.#current.fd);
      }
      this.#closed.push(this.#current);
      this.#current = this.#takeSpare();
    }
  }
}

function parseLine(line: string): RecordLine | CompletionLine | null {
  try {
    const value = JSON.parse(line) as { k?: unknown; id?: unknown };
    if ((value.k === 'r' || value.k === 'c') && typeof value.id === 'string') {
      return value as RecordLine | CompletionLine;
    }
  } catch {
    // A line the crash cut short.
  }
  return null;
}

/** The kernel's start time of a process (Linux), so a reused pid is not taken for the owner. */
function startTimeOf(pid: number): string {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces), the 22nd field overall.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? '';
  } catch {
    return '';
  }
}

function isAlive(pid: number, startTime: string): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM: it exists, it is someone else's.
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') {
      return false;
    }
  }
  const current = startTimeOf(pid);
  return startTime === '' || current === '' || current === startTime;
}

/**
 * The lock names its owner (host, pid and the pid's start time); a lock whose owner on this
 * host is gone is taken over.
 */
function takeLock(dir: string, logger: Logger): boolean {
  const path = join(dir, LOCK_FILE);
  const owner = `${hostname()} ${process.pid} ${startTimeOf(process.pid)}`;
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      writeFileSync(path, owner, { flag: 'wx' });
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw error;
      }
    }
    const [host = '', pidText = '', startTime = ''] = (
      existsSync(path) ? readFileSync(path, 'utf8') : ''
    ).split(' ');
    const pid = Number(pidText);
    if (host === hostname() && Number.isInteger(pid) && pid !== process.pid && isAlive(pid, startTime)) {
      logger.warn(
        { dir, owner: `${host} ${pid}` },
        'the order spool is held by another process: orders are written to the database before they are sent',
      );
      return false;
    }
    if (host !== hostname() && host !== '') {
      logger.warn(
        { dir, owner: `${host} ${pidText}` },
        'the order spool is held by a process of another host: orders are written to the database before they are sent; delete the lock file once that process is gone',
      );
      return false;
    }
    // Its owner is gone (or it is ours from before a restart with the same pid).
    rmSync(path, { force: true });
  }
  return false;
}
