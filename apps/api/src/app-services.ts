import type { BrokerAdapter } from '@openalgo/broker-sdk';
import type { Database, DatabaseHandle, Kysely, NewTrafficLogRow } from '@openalgo/db';
import { insertTrafficLogs } from '@openalgo/db';
import type { Logger } from 'pino';
import { createConfiguredBroker } from './brokers/create-broker.js';
import type { Config } from './config.js';
import { createSecretBox, type SecretBox } from './secret-box.js';
import { AccountsService, API_KEYS_CHANNEL } from './services/accounts.js';
import { ApiKeyVerifier } from './services/api-keys.js';
import { BrokerLoginService } from './services/broker-login.js';
import { BrokerSessionService } from './services/broker-sessions.js';
import { LogWriter } from './services/log-writer.js';
import { MasterContractService } from './services/master-contract.js';
import { SecurityService } from './services/security.js';

export interface AppDeps {
  database: DatabaseHandle;
  logger: Logger;
  /** The clock; tests pass a fake one. */
  now?: () => number;
}

export interface AppServices {
  config: Config;
  db: Kysely<Database>;
  database: DatabaseHandle;
  logger: Logger;
  now: () => number;
  secretBox: SecretBox;
  apiKeys: ApiKeyVerifier;
  accounts: AccountsService;
  brokerSessions: BrokerSessionService;
  security: SecurityService;
  trafficLog: LogWriter<NewTrafficLogRow>;
  /** The connected broker's name, as `/ping` reports it. */
  brokerName: string;
  /** The live broker's adapter (null for the embedded simulator). */
  broker: BrokerAdapter | null;
  /** Interactive login and symbol-master download of the live broker. */
  brokerLogin: BrokerLoginService | null;
  masterContract: MasterContractService | null;
  /** Subscribes to cross-process invalidations; called once by `buildApp`. */
  start(): Promise<void>;
  close(): Promise<void>;
}

export function createAppServices(config: Config, deps: AppDeps): AppServices {
  const now = deps.now ?? Date.now;
  const db = deps.database.db;
  const secretBox = createSecretBox(config.ENCRYPTION_KEYS);
  const apiKeys = new ApiKeyVerifier({
    db,
    pepper: config.API_KEY_PEPPER,
    ttlSeconds: config.API_KEY_CACHE_TTL_SECONDS,
  });
  const accounts = new AccountsService({
    db,
    verifier: apiKeys,
    now,
    notify: (channel) => deps.database.notify(channel),
  });
  const brokerName = config.BROKER;
  const brokerSessions = new BrokerSessionService({
    db,
    secretBox,
    now,
    expiryTime: config.SESSION_EXPIRY_TIME,
    // The simulator needs no interactive login: a session is minted on demand.
    autoLogin:
      brokerName === 'simulator'
        ? async (userId) => ({
            broker: 'simulator',
            brokerUserId: `SIM${userId}`,
            accessToken: `sim-${userId}-${now()}`,
          })
        : undefined,
  });
  const broker = createConfiguredBroker(config, { logger: deps.logger, now });
  const masterContract = broker ? new MasterContractService({ db, broker, logger: deps.logger, now }) : null;
  const brokerLogin =
    broker && masterContract
      ? new BrokerLoginService({
          broker,
          sessions: brokerSessions,
          masterContract,
          logger: deps.logger,
          now,
          redirectUrl: `http://${config.HOST}:${config.PORT}/${broker.id}/callback`,
        })
      : null;
  const security = new SecurityService({ invalidKeyThreshold: 100, banDurationMs: 0, now });
  const trafficLog = new LogWriter<NewTrafficLogRow>({
    name: 'traffic_log',
    write: (rows) => insertTrafficLogs(db, rows),
    flushIntervalMs: config.TRAFFIC_LOG_FLUSH_MS,
    maxBuffered: config.TRAFFIC_LOG_BUFFER,
    logger: deps.logger,
  });
  const stopListening: Array<() => Promise<void>> = [];
  return {
    config,
    db,
    database: deps.database,
    logger: deps.logger,
    now,
    secretBox,
    apiKeys,
    accounts,
    brokerSessions,
    security,
    trafficLog,
    brokerName,
    broker,
    brokerLogin,
    masterContract,
    start: async () => {
      // Another process rotated a key (CLI, another instance): drop cached identities at once.
      stopListening.push(await deps.database.listen(API_KEYS_CHANNEL, () => apiKeys.invalidate()));
    },
    close: async () => {
      for (const stop of stopListening.splice(0)) {
        await stop().catch(() => undefined);
      }
      await trafficLog.close();
    },
  };
}
