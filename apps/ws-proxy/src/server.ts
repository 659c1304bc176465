import { pino } from 'pino';
import { buildProxy } from './app.js';
import { loadProxyConfig } from './config.js';

/** Starts the ws-proxy: config, hub connection, listen on WS_PORT, graceful shutdown. */
async function main(): Promise<void> {
  let config: ReturnType<typeof loadProxyConfig>;
  try {
    config = loadProxyConfig();
  } catch (error) {
    process.stderr.write(`OpenAlgo TS ws-proxy cannot start, ${(error as Error).message}\n`);
    process.exit(1);
  }
  const logger = pino({ level: config.LOG_LEVEL, redact: ['api_key', 'apikey', '*.api_key', '*.apikey'] });
  const { app } = await buildProxy(config, { logger });
  // SDKs hard-code 8765: wait up to 2 s for a previous process to let go, never move elsewhere.
  let address = '';
  for (let attempt = 0; ; attempt += 1) {
    try {
      address = await app.listen({ host: config.WS_HOST, port: config.WS_PORT });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE' || attempt >= 20) {
        throw error;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  const wsUrl = address.replace(/^http/, 'ws');
  logger.info({ address: wsUrl, hub: config.HUB_PUBLISH_URL }, 'ws-proxy listening');
  process.stdout.write(`  OpenAlgo TS WebSocket feed listening on ${wsUrl}\n`);

  let isStopping = false;
  const stop = async (signal: string) => {
    if (isStopping) {
      return;
    }
    isStopping = true;
    logger.info({ signal }, 'shutting down');
    const timer = setTimeout(() => process.exit(0), 5_000);
    timer.unref();
    await app.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((error: unknown) => {
  process.stderr.write(
    `OpenAlgo TS ws-proxy failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
