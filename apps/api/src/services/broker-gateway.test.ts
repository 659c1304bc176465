import { testBackends } from '@openalgo/db/testing';
import { describe, expect, it } from 'vitest';
import { startTestApp } from '../testing/test-app.js';

describe.each(testBackends())('broker gateway and symbol index on %s', (kind) => {
  it('loads the simulator master at start and calls the adapter with the user session', async () => {
    const test = await startTestApp(kind);
    try {
      const { symbols, brokerGateway, brokerSessions, accounts } = test.app.services;
      expect(symbols.size).toBeGreaterThan(500);
      const sbin = symbols.find('SBIN', 'NSE');
      expect(sbin?.instrument).toMatchObject({ symbol: 'SBIN', exchange: 'NSE', instrumentType: 'EQ' });
      expect(symbols.find('SBIN', 'BSE')?.exchange).toBe('BSE');
      expect(symbols.find('NOPE', 'NSE')).toBeUndefined();
      // Reverse lookups (book rows, ticks) by the broker's own token and symbol.
      const token = sbin?.token ?? '';
      expect(symbols.findByBroker({ token, brExchange: 'NSE' })?.symbol).toBe('SBIN');
      expect(symbols.findByBroker({ brSymbol: 'SBIN', brExchange: 'NSE' })?.symbol).toBe('SBIN');
      const nifty = symbols.derivativesOf('NIFTY', 'NFO');
      expect(nifty.some((row) => row.instrumenttype === 'FUT')).toBe(true);
      expect(nifty.some((row) => row.instrumenttype === 'CE')).toBe(true);

      const admin = await accounts.findAdmin();
      const session = await brokerSessions.getActive(admin.id);
      const { adapter, context } = brokerGateway.call(session);
      const funds = await adapter.portfolio.fetchFunds(context);
      expect(Number(funds.availableCash)).toBeGreaterThan(0);
      expect(context.resolveBrokerInstrument({ brSymbol: 'SBIN', brExchange: 'NSE' })?.token).toBe(token);
      expect(() => brokerGateway.call(null)).toThrow(/log in to the broker again/);
    } finally {
      await test.close();
    }
  });
});
