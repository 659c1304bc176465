import type { z } from 'zod';

/**
 * The two doors to the same operations (docs/architecture.md): `/api/v1` authenticated by the
 * `apikey` body field (OpenAlgo's contract) and `/web/v1` authenticated by the web session
 * cookie (the browser never holds the key). A route module is registered once per door, with
 * the same handler and response shapes.
 */
export type Door = 'apikey' | 'session';

export interface DoorOptions {
  door: Door;
}

/** Where each door's routes live. */
export const DOOR_PREFIX: Record<Door, string> = { apikey: '/api/v1', session: '/web/v1' };

type ObjectWithApikey = z.ZodObject<{ apikey: z.ZodType } & z.ZodRawShape>;

/**
 * The route's body schema for this door: the session door takes the same body minus `apikey`.
 * `check` adds the schema's cross-field rules (the reference's `post_load`), which run only
 * once every field is valid.
 */
export function bodyFor<Schema extends ObjectWithApikey>(
  door: Door,
  schema: Schema,
  check?: (data: Omit<z.output<Schema>, 'apikey'>, context: z.RefinementCtx) => void,
): Schema | ReturnType<Schema['omit']> {
  const body = door === 'apikey' ? schema : (schema.omit({ apikey: true }) as ReturnType<Schema['omit']>);
  if (!check) {
    return body;
  }
  return (body as z.ZodObject).superRefine(
    check as (data: unknown, context: z.RefinementCtx) => void,
  ) as typeof body;
}
