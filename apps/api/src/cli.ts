#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { type AppServices, createAppServices } from './app-services.js';
import { type Config, ConfigError, loadConfig } from './config.js';
import { createLogger } from './logger.js';
import { openDatabase } from './runtime.js';
import { findRunningServer } from './runtime-file.js';
import { AccountError } from './services/accounts.js';
import { generatePassword } from './services/passwords.js';

const USAGE = `openalgo <command> [options]

Commands:
  setup [--username NAME] [--password PASS]   create the admin and an API key (first run only)
  apikey rotate [--username NAME]             revoke the API key and print a new one
  migrate                                     apply pending database migrations

Reads the same environment as the server (DATA_DIR, DATABASE_URL, …).`;

async function withServices<T>(config: Config, action: (services: AppServices) => Promise<T>): Promise<T> {
  assertNoEmbeddedServer(config);
  const logger = createLogger({ ...config, LOG_LEVEL: 'warn' }, 'cli');
  const database = await openDatabase(config);
  const services = createAppServices(config, { database, logger });
  try {
    return await action(services);
  } finally {
    await services.close();
    await database.close();
  }
}

/** While the server runs it owns the embedded database: ask it over loopback instead. */
async function rotateThroughServer(
  config: Config,
  username: string | undefined,
): Promise<{ apikey: string; username: string } | null> {
  const running = findRunningServer(config.dataDir);
  if (!running) {
    return null;
  }
  const response = await fetch(`${running.url}/internal/admin/apikey/rotate`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${config.ADMIN_TOKEN}` },
    body: JSON.stringify(username ? { username } : {}),
    signal: AbortSignal.timeout(10_000),
  });
  if (!response.ok) {
    throw new Error(
      `the running server (pid ${running.pid}) refused the rotation (${response.status}): ${await response.text()}`,
    );
  }
  return (await response.json()) as { apikey: string; username: string };
}

/** Commands that open the database directly must not race a server on the embedded one. */
function assertNoEmbeddedServer(config: Config): void {
  const running = config.databaseKind === 'pglite' ? findRunningServer(config.dataDir) : null;
  if (running) {
    throw new Error(
      `the server (pid ${running.pid}) is using the embedded database in ${config.dataDir}; stop it first`,
    );
  }
}

async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      username: { type: 'string' },
      password: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [command, subcommand] = positionals;
  if (values.help || !command) {
    console.log(USAGE);
    return command ? 0 : 2;
  }
  const config = loadConfig();

  if (command === 'migrate') {
    await withServices(config, async () => undefined);
    console.log('Database is up to date.');
    return 0;
  }

  if (command === 'setup') {
    const password = values.password ?? generatePassword();
    const created = await withServices(config, (services) =>
      services.accounts.setupAdmin({ username: values.username ?? 'admin', password }),
    );
    console.log(`Admin created.\n  Username  ${created.user.username}`);
    if (!values.password) {
      console.log(`  Password  ${password}`);
    }
    console.log(`  API key   ${created.apiKey}\nThe key is shown once; only its hash is stored.`);
    return 0;
  }

  if (command === 'apikey' && subcommand === 'rotate') {
    const viaServer = await rotateThroughServer(config, values.username);
    const rotated =
      viaServer ??
      (await withServices(config, async (services) => {
        const user = await services.accounts.findAdmin(values.username);
        return { apikey: await services.accounts.rotateApiKey(user.id), username: user.username };
      }));
    console.log(`New API key for ${rotated.username}: ${rotated.apikey}\nThe previous key no longer works.`);
    return 0;
  }

  console.error(`Unknown command: ${positionals.join(' ')}\n\n${USAGE}`);
  return 2;
}

main(process.argv.slice(2))
  .then((code) => process.exit(code))
  .catch((error: unknown) => {
    if (error instanceof ConfigError || error instanceof AccountError) {
      console.error(error.message);
    } else {
      console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    }
    process.exit(1);
  });
