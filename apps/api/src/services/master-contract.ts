import type { BrokerAdapter, BrokerSession, Logger } from '@openalgo/broker-sdk';
import {
  type Database,
  getSetting,
  type Kysely,
  type NewSymbolRow,
  putSetting,
  replaceSymbols,
} from '@openalgo/db';
import { type InstrumentRow, parseExpiry } from '@openalgo/shared-types';
import { nextIstTime } from '../time.js';

/**
 * Downloads the broker's symbol master into `symbols` at login (spec/brokers.md §2.5): the
 * adapter streams normalized rows, `replaceSymbols` swaps them in atomically, and progress is
 * kept for the status route (and logged). Skipped when this broker's master was already loaded
 * since today's 08:00 IST cutoff, as OpenAlgo does.
 */

export type MasterContractState = 'idle' | 'downloading' | 'done' | 'skipped' | 'error';

export interface MasterContractStatus {
  broker: string;
  state: MasterContractState;
  rows: number;
  startedAt: number | null;
  finishedAt: number | null;
  error: string | null;
}

const SETTING_KEY = 'master_contract';
/** OpenAlgo's `MASTER_CONTRACT_CUTOFF_TIME`: a dump loaded after 08:00 IST is today's. */
const CUTOFF_HOUR_IST = 8;
const DAY_MS = 86_400_000;

function toSymbolRow(row: InstrumentRow, broker: string): NewSymbolRow {
  const expiry = row.expiry ? parseExpiry(row.expiry) : null;
  return {
    broker,
    symbol: row.symbol,
    brsymbol: row.brsymbol,
    name: row.name,
    exchange: row.exchange,
    brexchange: row.brexchange,
    token: row.token,
    expiry: row.expiry,
    expiry_date: expiry
      ? `${expiry.year}-${String(expiry.month).padStart(2, '0')}-${String(expiry.day).padStart(2, '0')}`
      : null,
    strike: row.strike,
    lotsize: row.lotsize,
    instrumenttype: row.instrumenttype,
    tick_size: row.tick_size,
    contract_value: row.contract_value ?? null,
  };
}

export class MasterContractService {
  readonly #db: Kysely<Database>;
  readonly #broker: BrokerAdapter;
  readonly #logger: Logger;
  readonly #now: () => number;
  readonly #onLoaded: (() => Promise<void>) | undefined;
  #status: MasterContractStatus;
  #running: Promise<MasterContractStatus> | null = null;
  readonly #listeners = new Set<(status: MasterContractStatus) => void>();

  constructor(options: {
    db: Kysely<Database>;
    broker: BrokerAdapter;
    logger: Logger;
    now: () => number;
    /** Runs after a load replaced the rows (in-memory index refresh, cross-process notice). */
    onLoaded?: () => Promise<void>;
  }) {
    this.#db = options.db;
    this.#onLoaded = options.onLoaded;
    this.#broker = options.broker;
    this.#logger = options.logger;
    this.#now = options.now;
    this.#status = {
      broker: options.broker.id,
      state: 'idle',
      rows: 0,
      startedAt: null,
      finishedAt: null,
      error: null,
    };
  }

  status(): MasterContractStatus {
    return { ...this.#status };
  }

  /** Called on every progress step (the UI event `master_contract_download` hangs here). */
  onProgress(listener: (status: MasterContractStatus) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Starts (or joins) a download; resolves with the final status, never rejects. */
  load(session: BrokerSession | undefined, options: { force?: boolean } = {}): Promise<MasterContractStatus> {
    this.#running ??= this.#load(session, options.force ?? false).finally(() => {
      this.#running = null;
    });
    return this.#running;
  }

  async #isFresh(): Promise<boolean> {
    const saved = (await getSetting(this.#db, SETTING_KEY)) as
      | { broker?: string; loadedAt?: number }
      | undefined;
    if (!saved || saved.broker !== this.#broker.id || typeof saved.loadedAt !== 'number') {
      return false;
    }
    // The most recent 08:00 IST at or before now.
    const cutoff = nextIstTime(this.#now(), `0${CUTOFF_HOUR_IST}:00`) - DAY_MS;
    return saved.loadedAt >= cutoff;
  }

  async #load(session: BrokerSession | undefined, isForced: boolean): Promise<MasterContractStatus> {
    const startedAt = this.#now();
    this.#update({ state: 'downloading', rows: 0, startedAt, finishedAt: null, error: null });
    try {
      if (!isForced && (await this.#isFresh())) {
        this.#update({ state: 'skipped', finishedAt: this.#now() });
        return this.status();
      }
      const broker = this.#broker.id;
      const context = { logger: this.#logger, now: this.#now, ...(session ? { session } : {}) };
      const batches = this.#broker.instruments.download(context);
      const rows = await replaceSymbols(
        this.#db,
        broker,
        (async function* () {
          for await (const batch of batches) {
            yield batch.map((row) => toSymbolRow(row, broker));
          }
        })(),
        (inserted) => this.#update({ rows: inserted }),
      );
      await putSetting(this.#db, SETTING_KEY, { broker, loadedAt: this.#now(), rows });
      await this.#onLoaded?.();
      this.#update({ state: 'done', rows, finishedAt: this.#now() });
      this.#logger.info({ broker, rows, ms: this.#now() - startedAt }, 'master contract loaded');
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.#update({ state: 'error', finishedAt: this.#now(), error: message });
      this.#logger.error({ broker: this.#broker.id, error: message }, 'master contract download failed');
    }
    return this.status();
  }

  #update(change: Partial<MasterContractStatus>): void {
    this.#status = { ...this.#status, ...change };
    for (const listener of this.#listeners) {
      listener(this.status());
    }
  }
}
