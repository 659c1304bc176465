import type { BrokerContext } from '@openalgo/broker-sdk';
import type { DatabaseKind } from '@openalgo/db';
import { createTestDatabase, type TestDatabase } from '@openalgo/db/testing';
import type { Action, OrderRequest, PriceType, Product, ResolvedInstrument } from '@openalgo/shared-types';
import pino from 'pino';
import { istInstant } from './ist.js';
import { createSandbox, type Sandbox, type SandboxSettings, sandboxSession } from './sandbox.js';
import { ScriptedTickSource } from './testing/scripted-tick-source.js';

/** A controllable clock: epoch ms, moved by the test. */
export class TestClock {
  #now: number;

  constructor(start: number) {
    this.#now = start;
  }

  readonly now = (): number => this.#now;

  set(at: number): void {
    this.#now = at;
  }

  /** Moves to an IST wall-clock time (`yyyy-MM-dd`, `HH:mm`). */
  setIst(date: string, time: string): void {
    this.#now = istInstant(date, time);
  }

  advance(ms: number): void {
    this.#now += ms;
  }
}

export interface TestSandbox {
  database: TestDatabase;
  sandbox: Sandbox;
  ticks: ScriptedTickSource;
  clock: TestClock;
  context(userId: number): BrokerContext;
  close(): Promise<void>;
}

const logger = pino({ level: 'silent' });

/** A Tuesday, mid-session. */
export const TEST_DAY = '2026-11-24';

export async function createTestSandbox(
  backend: DatabaseKind,
  options: Partial<SandboxSettings> & { database?: TestDatabase; startAt?: number } = {},
): Promise<TestSandbox> {
  const { startAt, database: shared, ...settings } = options;
  const database = shared ?? (await createTestDatabase(backend));
  const clock = new TestClock(startAt ?? istInstant(TEST_DAY, '10:00'));
  const ticks = new ScriptedTickSource(clock.now);
  const sandbox = createSandbox({
    database,
    ticks,
    logger,
    now: clock.now,
    quoteRetryDelaysMs: [0, 0],
    isScheduled: false,
    sleep: async () => {},
    ...settings,
  });
  await sandbox.start();
  return {
    database,
    sandbox,
    ticks,
    clock,
    context: (userId) => ({
      session: sandboxSession(userId, clock.now()),
      logger,
      now: clock.now,
      resolveBrokerInstrument: () => undefined,
    }),
    close: async () => {
      await sandbox.stop();
      if (!shared) {
        await database.close();
      }
    },
  };
}

export interface OrderSpec {
  action?: Action;
  quantity?: number;
  product?: Product;
  priceType?: PriceType;
  price?: string;
  triggerPrice?: string;
  strategy?: string;
}

export function orderRequest(instrument: ResolvedInstrument, spec: OrderSpec = {}): OrderRequest {
  return {
    instrument,
    action: spec.action ?? 'BUY',
    quantity: spec.quantity ?? 1,
    product: spec.product ?? 'MIS',
    priceType: spec.priceType ?? 'MARKET',
    price: spec.price ?? '0',
    triggerPrice: spec.triggerPrice ?? '0',
    disclosedQuantity: 0,
    validity: 'DAY',
    clientOrderId: 'test',
    ...(spec.strategy ? { brokerOptions: { strategy: spec.strategy } } : {}),
  };
}
