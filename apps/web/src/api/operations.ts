import { z } from 'zod';
import { defineOperation } from './client.js';
import {
  fundsResponseSchema,
  holdingsResponseSchema,
  orderBookResponseSchema,
  positionBookResponseSchema,
  tradeBookResponseSchema,
} from './contracts/account.js';
import {
  approveAllResponseSchema,
  approveResponseSchema,
  pendingOrdersResponseSchema,
  rejectBodySchema,
} from './contracts/action-center.js';
import {
  analyzerLogResponseSchema,
  analyzerStatusResponseSchema,
  analyzerToggleBodySchema,
} from './contracts/analyzer.js';
import {
  brokerConnectResponseSchema,
  brokerCredentialsBodySchema,
  brokerLoginUrlResponseSchema,
  brokerStatusResponseSchema,
} from './contracts/broker.js';
import { latencyResponseSchema, orderLogResponseSchema, trafficResponseSchema } from './contracts/logs.js';
import {
  historyBodySchema,
  historyResponseSchema,
  intervalsResponseSchema,
  multiQuotesBodySchema,
  multiQuotesResponseSchema,
  quotesResponseSchema,
  searchBodySchema,
  searchResponseSchema,
  symbolBodySchema,
  symbolResponseSchema,
} from './contracts/market-data.js';
import {
  cancelAllResponseSchema,
  cancelOrderBodySchema,
  closeOnePositionBodySchema,
  closePositionResponseSchema,
  modifyOrderBodySchema,
  orderIdResponseSchema,
  placeOrderBodySchema,
  placeOrderResponseSchema,
  smartOrderResponseSchema,
  strategyOnlyBodySchema,
} from './contracts/orders.js';
import {
  addStrategySymbolsBodySchema,
  alertsResponseSchema,
  createStrategyBodySchema,
  okSchema,
  strategiesResponseSchema,
  strategyResponseSchema,
  updateStrategyBodySchema,
} from './contracts/strategies.js';
import {
  telegramConfigBodySchema,
  telegramConfigResponseSchema,
  telegramMessageResponseSchema,
} from './contracts/telegram.js';
import {
  apiKeyInfoResponseSchema,
  apiKeyRotateBodySchema,
  apiKeyRotateResponseSchema,
  auditListResponseSchema,
  loginBodySchema,
  loginResponseSchema,
  loginTotpBodySchema,
  logoutResponseSchema,
  orderModeBodySchema,
  orderModeResponseSchema,
  recoveryCodesResponseSchema,
  sessionResponseSchema,
  setupBodySchema,
  setupResponseSchema,
  totpActivateBodySchema,
  totpEnrolBodySchema,
  totpEnrolResponseSchema,
  totpStatusResponseSchema,
} from './contracts/web-auth.js';

/** Every call the web app makes, by area. `/web/v1/<route>` is `/api/v1/<route>` behind the session. */

const empty = z.strictObject({});

export const authOperations = {
  session: defineOperation({ method: 'GET', path: '/web/session', response: sessionResponseSchema }),
  setup: defineOperation({
    method: 'POST',
    path: '/web/setup',
    request: setupBodySchema,
    response: setupResponseSchema,
  }),
  login: defineOperation({
    method: 'POST',
    path: '/web/login',
    request: loginBodySchema,
    response: loginResponseSchema,
  }),
  loginTotp: defineOperation({
    method: 'POST',
    path: '/web/login/totp',
    request: loginTotpBodySchema,
    response: loginResponseSchema,
  }),
  logout: defineOperation({ method: 'POST', path: '/web/logout', response: logoutResponseSchema }),
  apiKey: defineOperation({ method: 'GET', path: '/web/apikey', response: apiKeyInfoResponseSchema }),
  rotateApiKey: defineOperation({
    method: 'POST',
    path: '/web/apikey/rotate',
    request: apiKeyRotateBodySchema,
    response: apiKeyRotateResponseSchema,
  }),
  setOrderMode: defineOperation({
    method: 'POST',
    path: '/web/apikey/mode',
    request: orderModeBodySchema,
    response: orderModeResponseSchema,
  }),
  totpStatus: defineOperation({ method: 'GET', path: '/web/totp', response: totpStatusResponseSchema }),
  totpEnrol: defineOperation({
    method: 'POST',
    path: '/web/totp/enrol',
    request: totpEnrolBodySchema,
    response: totpEnrolResponseSchema,
  }),
  totpActivate: defineOperation({
    method: 'POST',
    path: '/web/totp/activate',
    request: totpActivateBodySchema,
    response: recoveryCodesResponseSchema,
  }),
  audit: defineOperation({ method: 'GET', path: '/web/audit', response: auditListResponseSchema }),
};

export const brokerOperations = {
  status: defineOperation({
    method: 'GET',
    path: '/web/broker/status',
    response: brokerStatusResponseSchema,
  }),
  loginUrl: defineOperation({
    method: 'GET',
    path: '/web/broker/login',
    response: brokerLoginUrlResponseSchema,
  }),
  connectWithCredentials: defineOperation({
    method: 'POST',
    path: '/web/broker/credentials',
    request: brokerCredentialsBodySchema,
    response: brokerConnectResponseSchema,
  }),
};

export const accountOperations = {
  funds: defineOperation({
    method: 'POST',
    path: '/web/v1/funds',
    request: empty,
    response: fundsResponseSchema,
  }),
  orderBook: defineOperation({
    method: 'POST',
    path: '/web/v1/orderbook',
    request: empty,
    response: orderBookResponseSchema,
  }),
  tradeBook: defineOperation({
    method: 'POST',
    path: '/web/v1/tradebook',
    request: empty,
    response: tradeBookResponseSchema,
  }),
  positionBook: defineOperation({
    method: 'POST',
    path: '/web/v1/positionbook',
    request: empty,
    response: positionBookResponseSchema,
  }),
  holdings: defineOperation({
    method: 'POST',
    path: '/web/v1/holdings',
    request: empty,
    response: holdingsResponseSchema,
  }),
};

export const orderOperations = {
  place: defineOperation({
    method: 'POST',
    path: '/web/v1/placeorder',
    request: placeOrderBodySchema,
    response: placeOrderResponseSchema,
  }),
  modify: defineOperation({
    method: 'POST',
    path: '/web/v1/modifyorder',
    request: modifyOrderBodySchema,
    response: orderIdResponseSchema,
  }),
  cancel: defineOperation({
    method: 'POST',
    path: '/web/v1/cancelorder',
    request: cancelOrderBodySchema,
    response: orderIdResponseSchema,
  }),
  cancelAll: defineOperation({
    method: 'POST',
    path: '/web/v1/cancelallorder',
    request: strategyOnlyBodySchema,
    response: cancelAllResponseSchema,
  }),
  closeAll: defineOperation({
    method: 'POST',
    path: '/web/v1/closeposition',
    request: strategyOnlyBodySchema,
    response: closePositionResponseSchema,
  }),
  closeOne: defineOperation({
    method: 'POST',
    path: '/web/v1/placesmartorder',
    request: closeOnePositionBodySchema,
    response: smartOrderResponseSchema,
  }),
};

export const marketOperations = {
  quotes: defineOperation({
    method: 'POST',
    path: '/web/v1/quotes',
    request: symbolBodySchema,
    response: quotesResponseSchema,
  }),
  multiQuotes: defineOperation({
    method: 'POST',
    path: '/web/v1/multiquotes',
    request: multiQuotesBodySchema,
    response: multiQuotesResponseSchema,
  }),
  search: defineOperation({
    method: 'POST',
    path: '/web/v1/search',
    request: searchBodySchema,
    response: searchResponseSchema,
  }),
  symbol: defineOperation({
    method: 'POST',
    path: '/web/v1/symbol',
    request: symbolBodySchema,
    response: symbolResponseSchema,
  }),
  history: defineOperation({
    method: 'POST',
    path: '/web/v1/history',
    request: historyBodySchema,
    response: historyResponseSchema,
  }),
  intervals: defineOperation({
    method: 'POST',
    path: '/web/v1/intervals',
    request: empty,
    response: intervalsResponseSchema,
  }),
};

export const analyzerOperations = {
  status: defineOperation({
    method: 'POST',
    path: '/web/v1/analyzer',
    request: empty,
    response: analyzerStatusResponseSchema,
  }),
  toggle: defineOperation({
    method: 'POST',
    path: '/web/v1/analyzer/toggle',
    request: analyzerToggleBodySchema,
    response: analyzerStatusResponseSchema,
  }),
  log: defineOperation({ method: 'GET', path: '/web/analyzer/logs', response: analyzerLogResponseSchema }),
};

export const actionCenterOperations = {
  list: defineOperation({ method: 'GET', path: '/web/action-center', response: pendingOrdersResponseSchema }),
  approve: (id: string | number) =>
    defineOperation({
      method: 'POST',
      path: `/web/action-center/${id}/approve`,
      response: approveResponseSchema,
    }),
  reject: (id: string | number) =>
    defineOperation({
      method: 'POST',
      path: `/web/action-center/${id}/reject`,
      request: rejectBodySchema,
      response: approveResponseSchema,
    }),
  approveAll: defineOperation({
    method: 'POST',
    path: '/web/action-center/approve-all',
    response: approveAllResponseSchema,
  }),
};

export const logOperations = {
  traffic: defineOperation({ method: 'GET', path: '/web/logs/traffic', response: trafficResponseSchema }),
  latency: defineOperation({ method: 'GET', path: '/web/logs/latency', response: latencyResponseSchema }),
  orders: defineOperation({ method: 'GET', path: '/web/logs/orders', response: orderLogResponseSchema }),
};

export const strategyOperations = {
  list: defineOperation({ method: 'GET', path: '/web/strategies', response: strategiesResponseSchema }),
  get: (id: number) =>
    defineOperation({ method: 'GET', path: `/web/strategies/${id}`, response: strategyResponseSchema }),
  create: defineOperation({
    method: 'POST',
    path: '/web/strategies',
    request: createStrategyBodySchema,
    response: strategyResponseSchema,
  }),
  update: (id: number) =>
    defineOperation({
      method: 'PATCH',
      path: `/web/strategies/${id}`,
      request: updateStrategyBodySchema,
      response: strategyResponseSchema,
    }),
  remove: (id: number) =>
    defineOperation({ method: 'DELETE', path: `/web/strategies/${id}`, response: okSchema }),
  addSymbols: (id: number) =>
    defineOperation({
      method: 'POST',
      path: `/web/strategies/${id}/symbols`,
      request: addStrategySymbolsBodySchema,
      response: strategyResponseSchema,
    }),
  removeSymbol: (id: number, symbolId: number) =>
    defineOperation({
      method: 'DELETE',
      path: `/web/strategies/${id}/symbols/${symbolId}`,
      response: okSchema,
    }),
  alerts: (id: number) =>
    defineOperation({ method: 'GET', path: `/web/strategies/${id}/alerts`, response: alertsResponseSchema }),
};

export const telegramOperations = {
  config: defineOperation({
    method: 'GET',
    path: '/web/v1/telegram/config',
    response: telegramConfigResponseSchema,
  }),
  saveConfig: defineOperation({
    method: 'POST',
    path: '/web/v1/telegram/config',
    request: telegramConfigBodySchema,
    response: telegramMessageResponseSchema,
  }),
  start: defineOperation({
    method: 'POST',
    path: '/web/v1/telegram/start',
    response: telegramMessageResponseSchema,
  }),
  stop: defineOperation({
    method: 'POST',
    path: '/web/v1/telegram/stop',
    response: telegramMessageResponseSchema,
  }),
};
