/**
 * A broker package for OpenAlgo TS: one factory, its settings and VERSION (the only public
 * entry); the fake server is the `./fake-server` subpath, for the tests of hosts that use it.
 */
export { createPaperBroker, type PaperBrokerSettings } from './paper-broker.js';
export { VERSION } from './version.js';
