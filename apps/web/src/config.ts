import { z } from 'zod';

/**
 * The web app's configuration, read once (house rule 16). The API base URL comes from the
 * `openalgo-api-base-url` meta tag of index.html (editable after the build, for a static
 * deployment on another host), else from `VITE_API_BASE_URL` at build time, else the page's own
 * origin (the embedded start, where the api serves these files).
 */
const configSchema = z.object({
  apiBaseUrl: z
    .string()
    .transform((value) => value.trim().replace(/\/+$/, ''))
    .refine((value) => value === '' || /^https?:\/\/[^\s]+$/.test(value), 'must be an http(s) URL or empty'),
});

export type WebConfig = z.infer<typeof configSchema>;

function readMeta(name: string): string | undefined {
  if (typeof document === 'undefined') {
    return undefined;
  }
  const element = document.querySelector<HTMLMetaElement>(`meta[name="${name}"]`);
  const content = element?.content.trim();
  return content ? content : undefined;
}

export function loadWebConfig(): WebConfig {
  const fromBuild = import.meta.env.VITE_API_BASE_URL as string | undefined;
  const parsed = configSchema.safeParse({ apiBaseUrl: readMeta('openalgo-api-base-url') ?? fromBuild ?? '' });
  return Object.freeze(parsed.success ? parsed.data : { apiBaseUrl: '' });
}

/** The WebSocket URL of a path on the api (`/web/events`), following the page's scheme. */
export function toWebSocketUrl(apiBaseUrl: string, path: string): string {
  const base = apiBaseUrl || (typeof location === 'undefined' ? 'http://127.0.0.1:5000' : location.origin);
  return `${base.replace(/^http/, 'ws')}${path}`;
}
