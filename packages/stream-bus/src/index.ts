export * from './control.js';
export { FeedPool, type FeedPoolOptions } from './feed-pool.js';
export {
  HubClient,
  type HubClientOptions,
  HubRequestError,
  type MarketMessageHandler,
  type OrderMessageHandler,
} from './hub-client.js';
export {
  type HubIdentity,
  type LocalOrderListener,
  type LocalTickListener,
  MarketHub,
  type MarketHubOptions,
  pickDepth,
} from './market-hub.js';
export { projectTick } from './project-tick.js';
export * from './topics.js';
