import { z } from 'zod';

/** The ws-proxy's environment, parsed once (house rule 16). */
export const proxyEnvSchema = z.object({
  WS_HOST: z.string().min(1).default('127.0.0.1'),
  WS_PORT: z.coerce.number().int().min(0).max(65_535).default(8765),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type ProxyConfig = Readonly<z.infer<typeof proxyEnvSchema>>;

export function loadProxyConfig(env: Record<string, string | undefined> = process.env): ProxyConfig {
  const result = proxyEnvSchema.safeParse(env);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `  - ${issue.path.join('.')}: ${issue.message}`);
    throw new Error(`invalid ws-proxy configuration:\n${problems.join('\n')}`);
  }
  return Object.freeze(result.data);
}
