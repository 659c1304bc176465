/**
 * `@openalgo/brokers-zerodha`: Zerodha (Kite Connect v3) for OpenAlgo TS. One factory, its
 * settings and its broker options (house rule 5); the fake Kite server is the `./fake-server`
 * subpath.
 */
export type { ZerodhaBrokerOptions } from './options.js';
export type { ZerodhaBrokerSettings } from './settings.js';
export { VERSION } from './version.js';
export { createZerodhaBroker } from './zerodha-broker.js';
