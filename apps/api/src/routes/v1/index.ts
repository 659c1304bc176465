import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { DoorOptions } from '../door.js';
import { pingRoute } from './ping.js';

/**
 * Every `/api/v1` route module. `app.ts` registers each under `/api/v1` (API-key door) and,
 * where the web app needs it, under `/web/v1` (session door). Add new modules here.
 */
export const v1Routes: ReadonlyArray<FastifyPluginAsyncZod<DoorOptions>> = [pingRoute];
