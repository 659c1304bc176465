import { type Database, type DatabaseHandle, getSetting, type Kysely, putSetting } from '@openalgo/db';
import type { Logger } from 'pino';

/** Announced whenever a process flips the analyzer switch, so every instance follows at once. */
export const ANALYZER_MODE_CHANNEL = 'openalgo_analyzer_mode';
export const ANALYZER_MODE_SETTING = 'analyze_mode';

export interface AnalyzerModeOptions {
  db: Kysely<Database>;
  logger: Logger;
  now: () => number;
  /** Told about every change (engines start/stop, events). */
  onChange?: (isOn: boolean) => void | Promise<void>;
}

/**
 * The analyzer switch (api-v1 §5.1): one global, persisted boolean (`settings.analyze_mode`,
 * default off = live). Read on every request from memory; written through to the database and
 * announced to other processes, so a toggle takes effect immediately everywhere.
 */
export class AnalyzerModeService {
  readonly #options: AnalyzerModeOptions;
  #isOn = false;
  #stopListening: (() => Promise<void>) | null = null;

  constructor(options: AnalyzerModeOptions) {
    this.#options = options;
  }

  get isOn(): boolean {
    return this.#isOn;
  }

  /** Loads the stored switch and follows changes made by other processes. */
  async start(database: DatabaseHandle): Promise<void> {
    await this.#reload();
    this.#stopListening = await database.listen(ANALYZER_MODE_CHANNEL, () => {
      void this.#reload().catch((error: unknown) =>
        this.#options.logger.warn({ err: error }, 'analyzer switch not reloaded'),
      );
    });
    if (this.#isOn) {
      await this.#options.onChange?.(true);
    }
  }

  async #reload(): Promise<void> {
    const stored = await getSetting(this.#options.db, ANALYZER_MODE_SETTING);
    const isOn = stored === true;
    if (isOn !== this.#isOn) {
      this.#isOn = isOn;
      await this.#options.onChange?.(isOn);
    }
  }

  /** Persists the switch, applies it in this process and announces it to the others. */
  async set(isOn: boolean, database: DatabaseHandle): Promise<void> {
    await putSetting(this.#options.db, ANALYZER_MODE_SETTING, isOn);
    const changed = isOn !== this.#isOn;
    this.#isOn = isOn;
    if (changed) {
      await this.#options.onChange?.(isOn);
    }
    await database.notify(ANALYZER_MODE_CHANNEL, isOn ? '1' : '0');
  }

  async close(): Promise<void> {
    await this.#stopListening?.().catch(() => undefined);
    this.#stopListening = null;
  }
}
