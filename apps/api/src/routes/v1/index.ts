import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { DoorOptions } from '../door.js';
import { analyzerStatusRoute } from './analyzer-status.js';
import { analyzerToggleRoute } from './analyzer-toggle.js';
import { basketOrderRoute } from './basket-order.js';
import { cancelAllOrderRoute } from './cancel-all-order.js';
import { cancelGttOrderRoute } from './cancel-gtt-order.js';
import { cancelOrderRoute } from './cancel-order.js';
import { chartRoutes } from './chart.js';
import { closePositionRoute } from './close-position.js';
import { depthRoute } from './depth.js';
import { expiryRoute } from './expiry.js';
import { fundsRoute } from './funds.js';
import { gttOrderBookRoute } from './gtt-order-book.js';
import { historyRoute } from './history.js';
import { holdingsRoute } from './holdings.js';
import { instrumentsRoute } from './instruments.js';
import { intervalsRoute } from './intervals.js';
import { marginRoute } from './margin.js';
import { marketCalendarRoutes } from './market-calendar.js';
import { modifyGttOrderRoute } from './modify-gtt-order.js';
import { modifyOrderRoute } from './modify-order.js';
import { multiQuotesRoute } from './multiquotes.js';
import { openPositionRoute } from './open-position.js';
import { optionsOrderRoutes } from './options-order.js';
import { optionsRoutes } from './options-routes.js';
import { orderBookRoute } from './order-book.js';
import { orderStatusRoute } from './order-status.js';
import { pingRoute } from './ping.js';
import { placeGttOrderRoute } from './place-gtt-order.js';
import { placeOrderRoute } from './place-order.js';
import { placeSmartOrderRoute } from './place-smart-order.js';
import { pnlSymbolsRoute } from './pnl-symbols.js';
import { portfolioRoutes } from './portfolio.js';
import { positionBookRoute } from './position-book.js';
import { quotesRoute } from './quotes.js';
import { searchRoute } from './search.js';
import { sipRoutes } from './sip.js';
import { splitOrderRoute } from './split-order.js';
import { symbolRoute } from './symbol.js';
import { telegramRoutes } from './telegram.js';
import { tickerRoute } from './ticker.js';
import { tradeBookRoute } from './trade-book.js';
import { whatsappRoutes } from './whatsapp.js';

/**
 * Every `/api/v1` route module. `app.ts` registers each under `/api/v1` (API-key door) and,
 * where the web app needs it, under `/web/v1` (session door). Add new modules here.
 */
export const v1Routes: ReadonlyArray<FastifyPluginAsyncZod<DoorOptions>> = [
  pingRoute,
  marketCalendarRoutes,
  chartRoutes,
  portfolioRoutes,
  sipRoutes,
  // orders
  placeOrderRoute,
  placeSmartOrderRoute,
  basketOrderRoute,
  splitOrderRoute,
  modifyOrderRoute,
  cancelOrderRoute,
  cancelAllOrderRoute,
  closePositionRoute,
  placeGttOrderRoute,
  modifyGttOrderRoute,
  cancelGttOrderRoute,
  gttOrderBookRoute,
  optionsOrderRoutes,
  // account
  fundsRoute,
  orderBookRoute,
  tradeBookRoute,
  positionBookRoute,
  holdingsRoute,
  orderStatusRoute,
  openPositionRoute,
  marginRoute,
  // analyzer
  analyzerStatusRoute,
  analyzerToggleRoute,
  pnlSymbolsRoute,
  // Market data (api-v1 §4.3).
  quotesRoute,
  multiQuotesRoute,
  depthRoute,
  historyRoute,
  intervalsRoute,
  tickerRoute,
  // Symbols (api-v1 §4.4).
  symbolRoute,
  searchRoute,
  expiryRoute,
  instrumentsRoute,
  // Options analytics (api-v1 §4.5).
  optionsRoutes,
  telegramRoutes,
  whatsappRoutes,
];
