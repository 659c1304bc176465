import type { TestApp } from './test-app.js';

export interface V1Route {
  method: 'GET' | 'POST';
  /** Path under the server root, path parameters filled with a sample value. */
  path: string;
  /** As the OpenAPI document names it (`/api/v1/ticker/{symbol}`). */
  template: string;
}

/** A sample for each path parameter, so a templated route can be called. */
const SAMPLE_PARAMS: Record<string, string> = { symbol: 'NSE:SBIN' };

/**
 * Every `/api/v1` route the app registered, read from its OpenAPI document (which is generated
 * from the registered routes, so it is complete by construction).
 */
export async function listV1Routes(t: TestApp): Promise<V1Route[]> {
  const response = await t.request('/api/docs/json', { method: 'GET' });
  const document = response.json as { paths: Record<string, Record<string, unknown>> };
  const routes: V1Route[] = [];
  for (const [template, operations] of Object.entries(document.paths)) {
    for (const method of Object.keys(operations)) {
      const upper = method.toUpperCase();
      if (upper !== 'GET' && upper !== 'POST') {
        continue;
      }
      const path = template.replace(/\{(\w+)\}/g, (_, name: string) => SAMPLE_PARAMS[name] ?? 'x');
      routes.push({ method: upper, path, template });
    }
  }
  return routes.sort((left, right) =>
    `${left.template} ${left.method}`.localeCompare(`${right.template} ${right.method}`),
  );
}

/** Calls a route with an invalid key: never has side effects beyond the rate-limit counter. */
export function callWithBadKey(t: TestApp, route: V1Route, path = route.path) {
  const badKey = '0'.repeat(64);
  if (route.method === 'GET') {
    const separator = path.includes('?') ? '&' : '?';
    return t.request(`${path}${separator}apikey=${badKey}`, { method: 'GET' });
  }
  return t.post(path, { apikey: badKey });
}
