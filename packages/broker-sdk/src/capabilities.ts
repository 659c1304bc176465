/** Each optional operation: supported, not supported (throws `NotSupportedError`), or emulated by the core. */
export type Capability = boolean | 'emulated';

export interface BrokerCapabilities {
  placeOrder: Capability;
  modifyOrder: Capability;
  cancelOrder: Capability;
  fetchOrders: Capability;
  fetchOrder: Capability;
  fetchTrades: Capability;
  fetchPositions: Capability;
  fetchHoldings: Capability;
  fetchFunds: Capability;
  cancelAllOrders: Capability;
  closeAllPositions: Capability;
  marketOrder: Capability;
  stopLossMarketOrder: Capability;
  afterMarketOrder: Capability;
  iocValidity: Capability;
  fetchQuotes: Capability;
  fetchDepth: Capability;
  fetchHistory: Capability;
  historyOpenInterest: Capability;
  streamMarketData: Capability;
  /** Depth levels the stream serves, e.g. `[5]` or `[5, 20]`. */
  streamDepthLevels: readonly number[];
  streamOrderUpdates: Capability;
  gtt: Capability;
  marginCalculator: Capability;
  basketMargin: Capability;
  positionsIncludeLtp: Capability;
}

export type CapabilityName = Exclude<keyof BrokerCapabilities, 'streamDepthLevels'>;

export function isCapable(capabilities: BrokerCapabilities, name: CapabilityName): boolean {
  return capabilities[name] !== false;
}
