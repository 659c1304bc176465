import closeWithGrace from 'close-with-grace';
import { ConfigError, loadConfig } from './config.js';
import { createLogger } from './logger.js';
import { openDatabase } from './runtime.js';
import { removeRuntimeInfo, writeRuntimeInfo } from './runtime-file.js';

/** Starts the api: config, database (migrated), first-run account, listen, graceful shutdown. */
async function main(): Promise<void> {
  const startedAt = performance.now();
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`OpenAlgo TS api cannot start, ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const logger = createLogger(config);
  const phases: Record<string, number> = { config: Math.round(performance.now() - startedAt) };
  // The database (PGlite boots in its own worker thread) opens while the app's modules load:
  // the two are the bulk of a cold start and need different cores.
  const [database, { buildApp }, { reencryptSecrets }] = await Promise.all([
    openDatabase(config).then((handle) => {
      phases.database = Math.round(performance.now() - startedAt);
      return handle;
    }),
    import('./app.js'),
    import('./services/reencrypt-secrets.js'),
  ]);
  phases.modules = Math.round(performance.now() - startedAt);
  const app = await buildApp(config, { database, logger });
  // Key rotation: secrets still under an older ENCRYPTION_KEYS entry move to the first one.
  const rotation = await reencryptSecrets(app.services.db, app.services.secretBox, logger);
  if (rotation.reencrypted > 0 || rotation.unreadable > 0) {
    logger.info(rotation, 'secrets at rest re-encrypted under the current key');
    app.services.audit.record('secrets.reencrypted', { detail: { ...rotation, via: 'startup' } });
  }
  phases.app = Math.round(performance.now() - startedAt);

  const firstRun = config.FIRST_RUN === 'generate' ? await app.services.accounts.ensureFirstRun() : null;
  const awaitsWebSetup = config.FIRST_RUN === 'web' && !(await app.services.accounts.isSetupDone());
  phases.accounts = Math.round(performance.now() - startedAt);
  const address = await app.listen({ host: config.HOST, port: config.PORT });
  const apiUrl = address.replace('://[::1]', '://localhost');
  writeRuntimeInfo(config.dataDir, { pid: process.pid, url: apiUrl, startedAt: Date.now() });
  logger.info(
    {
      address: apiUrl,
      database: database.kind,
      startupMs: Math.round(performance.now() - startedAt),
      phases,
    },
    'api listening',
  );

  const lines = [
    '',
    '  OpenAlgo TS is running',
    `    Web app      ${apiUrl}/`,
    `    REST API     ${apiUrl}/api/v1`,
    `    WebSocket    ${config.WS_URL}`,
    `    Database     ${database.kind === 'pglite' ? `embedded (PGlite) in ${config.pgliteDir}` : 'PostgreSQL (DATABASE_URL)'}`,
    `    Broker       ${config.BROKER}`,
  ];
  const hub = app.services.hub;
  if (hub) {
    // Where the ws-proxy connects (HUB_PUBLISH_URL / HUB_CONTROL_URL): the bound ports, also
    // when the api was told to pick them (`tcp://127.0.0.1:*`).
    lines.push(`    Market hub   ${hub.publishEndpoint} (ticks), ${hub.controlEndpoint} (control)`);
  }
  if (firstRun) {
    lines.push(
      '',
      '  First run: an admin account and an API key were created. They are shown ONCE:',
      `    Username     ${firstRun.user.username}`,
      `    Password     ${firstRun.password}`,
      `    API key      ${firstRun.apiKey}`,
      '',
      '  Rotate the key any time with `npm run openalgo -- apikey rotate`.',
    );
  }
  if (awaitsWebSetup) {
    lines.push('', `  First run: open ${apiUrl}/setup to create the admin account.`);
  }
  process.stdout.write(`${lines.join('\n')}\n\n`);

  closeWithGrace({ delay: config.SHUTDOWN_GRACE_MS }, async ({ signal, err }) => {
    if (err) {
      logger.error({ err }, 'shutting down after an error');
    } else {
      logger.info({ signal }, 'shutting down');
    }
    await app.close();
    await database.close();
    removeRuntimeInfo(config.dataDir, process.pid);
  });
}

main().catch((error: unknown) => {
  process.stderr.write(
    `OpenAlgo TS api failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
