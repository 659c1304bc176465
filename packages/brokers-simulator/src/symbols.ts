import type { BrokerInstruments } from '@openalgo/broker-sdk';
import type { InstrumentRow } from '@openalgo/shared-types';
import type { SimExchange } from './exchange.js';
import { pipsToDecimal } from './mapping.js';
import { expiryText } from './universe.js';

const BATCH = 1_000;

/** The simulator's instrument dump as normalized rows (a pure transform, in batches). */
export function createInstruments(exchange: SimExchange): BrokerInstruments {
  return {
    requiresSession: false,
    async *download() {
      let batch: InstrumentRow[] = [];
      for (const instrument of exchange.instruments) {
        batch.push({
          symbol: instrument.symbol,
          brsymbol: instrument.symbol,
          name: instrument.name,
          exchange: instrument.exchange,
          brexchange: instrument.exchange,
          token: instrument.token,
          expiry: expiryText(instrument),
          strike: instrument.strikePips !== undefined ? pipsToDecimal(instrument.strikePips) : '0',
          lotsize: instrument.lotSize,
          instrumenttype: instrument.instrumentType,
          tick_size: pipsToDecimal(instrument.tickPips),
          contract_value: null,
        });
        if (batch.length === BATCH) {
          yield batch;
          batch = [];
        }
      }
      if (batch.length > 0) {
        yield batch;
      }
    },
  };
}
