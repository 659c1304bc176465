#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { type AppServices, createAppServices } from './app-services.js';
import { type Config, ConfigError, loadConfig } from './config.js';
import { createLogger } from './logger.js';
import { openDatabase } from './runtime.js';
import { findRunningServer } from './runtime-file.js';
import { AccountError, MIN_PASSWORD_LENGTH } from './services/accounts.js';
import { generatePassword } from './services/passwords.js';
import { reencryptSecrets } from './services/reencrypt-secrets.js';
import { BanError } from './services/security.js';
import { WebAuthError } from './services/web-auth.js';

const USAGE = `openalgo <command> [options]

Commands:
  setup [--username NAME] [--password PASS]   create the admin and an API key (first run only)
  apikey rotate [--username NAME]             revoke the API key and print a new one
  migrate                                     apply pending database migrations
  password reset --username NAME [--password PASS | --password-stdin]
                                              set a new password (generated and printed unless
                                              given), unlock the account, end every session
  secrets reencrypt                           move every encrypted secret to the first key of
                                              ENCRYPTION_KEYS (then older keys can be removed)
  ban list | ban add IP [--minutes N] [--reason TEXT] | ban remove IP
                                              the IP ban list

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

/**
 * Asks the running server (embedded database) over its loopback admin routes; null when no
 * server runs for this data folder, so the caller opens the database itself.
 */
async function callServer<T>(
  config: Config,
  method: string,
  path: string,
  body?: unknown,
): Promise<T | null> {
  const running = findRunningServer(config.dataDir);
  if (!running) {
    return null;
  }
  const response = await fetch(`${running.url}/internal/admin${path}`, {
    method,
    headers: {
      authorization: `Bearer ${config.ADMIN_TOKEN}`,
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await response.text();
  if (!response.ok) {
    let message = text;
    try {
      message = String((JSON.parse(text) as { message?: unknown }).message ?? text);
    } catch {
      // not JSON: show it as it came
    }
    throw new CliError(`the running server (pid ${running.pid}) refused: ${message}`);
  }
  return JSON.parse(text) as T;
}

class CliError extends Error {}

function loadKeyId(config: Config): string {
  return config.ENCRYPTION_KEYS.split(',')[0]?.split(':')[0] ?? '?';
}

async function readPasswordFromStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) {
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

function describeBan(ban: { ip: string; reason: string; source: string; expires_at: number | null }): string {
  const until = ban.expires_at === null ? 'permanent' : `until ${new Date(ban.expires_at).toISOString()}`;
  return `${ban.ip.padEnd(40)} ${ban.source.padEnd(7)} ${until.padEnd(32)} ${ban.reason}`;
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
      'password-stdin': { type: 'boolean' },
      minutes: { type: 'string' },
      reason: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [command, subcommand, argument] = positionals;
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

  if (command === 'password' && subcommand === 'reset') {
    if (!values.username) {
      throw new CliError('password reset needs --username');
    }
    const given = values['password-stdin'] ? await readPasswordFromStdin() : values.password;
    const body = { username: values.username, ...(given ? { password: given } : {}) };
    const reset =
      (await callServer<{ username: string; password: string }>(config, 'POST', '/password/reset', body)) ??
      (await withServices(config, async (services) => {
        const password = given ?? generatePassword();
        if (password.length < MIN_PASSWORD_LENGTH) {
          throw new CliError(`the password must be at least ${MIN_PASSWORD_LENGTH} characters`);
        }
        const user = await services.webAuth.resetPasswordAsOperator(values.username ?? '', password);
        return { username: user.username, password };
      }));
    console.log(`Password reset for ${reset.username}; every session was ended and the account unlocked.`);
    if (!given) {
      console.log(`  New password  ${reset.password}`);
    }
    return 0;
  }

  if (command === 'secrets' && subcommand === 'reencrypt') {
    const result =
      (await callServer<{ reencrypted: number; unreadable: number }>(config, 'POST', '/secrets/reencrypt')) ??
      (await withServices(config, async (services) => {
        const moved = await reencryptSecrets(services.db, services.secretBox, services.logger);
        if (moved.reencrypted > 0) {
          services.audit.record('secrets.reencrypted', { detail: { ...moved, via: 'cli' } });
        }
        return moved;
      }));
    console.log(
      `${result.reencrypted} secret(s) moved to key ${loadKeyId(config)}; ${result.unreadable} could not be opened with any configured key.`,
    );
    return result.unreadable > 0 ? 1 : 0;
  }

  if (command === 'ban') {
    type BanRow = { ip: string; reason: string; source: string; expires_at: number | null };
    if (subcommand === 'list') {
      const bans =
        (await callServer<{ data: BanRow[] }>(config, 'GET', '/bans'))?.data ??
        (await withServices(config, async (services) => {
          await services.security.start();
          return services.security.listBans().map((ban) => ({
            ip: ban.ip,
            reason: ban.reason,
            source: ban.source,
            expires_at: ban.expiresAt,
          }));
        }));
      console.log(bans.length === 0 ? 'No banned addresses.' : bans.map(describeBan).join('\n'));
      return 0;
    }
    if (subcommand === 'add' && argument) {
      const minutes = values.minutes === undefined ? 0 : Number(values.minutes);
      if (!Number.isInteger(minutes) || minutes < 0) {
        throw new CliError('--minutes must be a whole number of minutes (0: permanent)');
      }
      const body = {
        ip: argument,
        duration_minutes: minutes,
        ...(values.reason ? { reason: values.reason } : {}),
      };
      const ban =
        (await callServer<{ data: BanRow }>(config, 'POST', '/bans', body))?.data ??
        (await withServices(config, async (services) => {
          const record = await services.security.ban(argument, {
            reason: values.reason ?? 'banned from the command line',
            source: 'manual',
            durationMs: minutes * 60_000,
          });
          return {
            ip: record.ip,
            reason: record.reason,
            source: record.source,
            expires_at: record.expiresAt,
          };
        }));
      console.log(`Banned: ${describeBan(ban)}`);
      return 0;
    }
    if (subcommand === 'remove' && argument) {
      const viaServer = await callServer<{ message: string }>(
        config,
        'DELETE',
        `/bans/${encodeURIComponent(argument)}`,
      );
      if (!viaServer) {
        const isRemoved = await withServices(config, (services) => services.security.unban(argument));
        if (!isRemoved) {
          throw new CliError(`${argument} is not banned`);
        }
      }
      console.log(`Ban on ${argument} removed.`);
      return 0;
    }
  }

  console.error(`Unknown command: ${positionals.join(' ')}\n\n${USAGE}`);
  return 2;
}

main(process.argv.slice(2))
  .then((code) => process.exit(code))
  .catch((error: unknown) => {
    if (
      error instanceof ConfigError ||
      error instanceof AccountError ||
      error instanceof CliError ||
      error instanceof WebAuthError ||
      error instanceof BanError
    ) {
      console.error(error.message);
    } else {
      console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    }
    process.exit(1);
  });
