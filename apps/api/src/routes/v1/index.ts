import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { DoorOptions } from '../door.js';
import { chartRoutes } from './chart.js';
import { marketCalendarRoutes } from './market-calendar.js';
import { pingRoute } from './ping.js';
import { portfolioRoutes } from './portfolio.js';
import { sipRoutes } from './sip.js';

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
];
