import { readFileSync } from 'node:fs';
import { SUPPORTED_SPECIFICATION_VERSIONS } from '@openalgo/broker-sdk';
import { describe, expect, it } from 'vitest';
import * as entry from './index.js';

describe('@openalgo/brokers-zerodha public entry', () => {
  it('exports exactly the factory and VERSION at runtime (types: settings and broker options)', () => {
    expect(Object.keys(entry).sort()).toEqual(['VERSION', 'createZerodhaBroker']);
  });

  it('keeps VERSION equal to package.json', () => {
    const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
      version: string;
    };
    expect(entry.VERSION).toBe(manifest.version);
  });

  it('builds a v1 adapter that declares every Kite capability', () => {
    const broker = entry.createZerodhaBroker({ apiKey: 'key', apiSecret: 'secret' });
    expect(SUPPORTED_SPECIFICATION_VERSIONS).toContain(broker.specificationVersion);
    expect(broker).toMatchObject({
      id: 'zerodha',
      family: 'kite',
      displayName: 'Zerodha',
      brokerType: 'IN_stock',
    });
    expect(broker.exchanges).toEqual([
      'NSE',
      'BSE',
      'NFO',
      'BFO',
      'CDS',
      'BCD',
      'MCX',
      'NCO',
      'NSE_INDEX',
      'BSE_INDEX',
      'MCX_INDEX',
      'GLOBAL_INDEX',
    ]);
    const unsupported = Object.entries(broker.capabilities).filter(([, value]) => value === false);
    expect(unsupported).toEqual([]);
    expect(broker.capabilities.cancelAllOrders).toBe('emulated');
    expect(broker.capabilities.closeAllPositions).toBe('emulated');
    expect(broker.capabilities.streamDepthLevels).toEqual([5]);
    expect(broker.limits.rate.buckets.find((bucket) => bucket.id === 'orders')).toEqual({
      id: 'orders',
      operations: ['placeOrder'],
      perSecond: 10,
      perMinute: 400,
      perDay: 5_000,
    });
    expect(broker.limits).toMatchObject({
      quoteBatch: 500,
      instrumentsPerStream: 3_000,
      maxStreamConnections: 3,
      maxModificationsPerOrder: 25,
    });
  });
});
