import type { BrokerAdapter } from '@openalgo/broker-sdk';
import type { Database, DatabaseHandle, Kysely, NewTrafficLogRow } from '@openalgo/db';
import { insertTrafficLogs } from '@openalgo/db';
import type { Logger } from 'pino';
import { createConfiguredBroker } from './brokers/create-broker.js';
import type { Config } from './config.js';
import { createSecretBox, type SecretBox } from './secret-box.js';
import { AccountsService, API_KEYS_CHANNEL } from './services/accounts.js';
import { ApiKeyVerifier } from './services/api-keys.js';
import { BrokerGateway } from './services/broker-gateway.js';
import { BrokerLoginService } from './services/broker-login.js';
import { BrokerSessionService } from './services/broker-sessions.js';
import { LogWriter } from './services/log-writer.js';
import { MasterContractService } from './services/master-contract.js';
import { SecurityService } from './services/security.js';
import { SYMBOLS_CHANNEL, SymbolIndex } from './services/symbol-index.js';

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
  /** The configured broker's adapter (the simulator by default). */
  broker: BrokerAdapter;
  /** The seam between the core and the broker: adapter + per-user call context. */
  brokerGateway: BrokerGateway;
  /** The symbol master in memory (exact lookups); search stays in SQL. */
  symbols: SymbolIndex;
  /** Interactive login of brokers that need one (redirect or credentials); null otherwise. */
  brokerLogin: BrokerLoginService | null;
  masterContract: MasterContractService;
  /**
   * Subscribes to cross-process invalidations and, for brokers whose instrument dump needs no
   * session (the simulator), loads the symbol master; called once by `buildApp`.
   */
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
  const broker = createConfiguredBroker(config, { logger: deps.logger, now });
  const brokerName = broker.id;
  const brokerSessions = new BrokerSessionService({
    db,
    secretBox,
    now,
    expiryTime: config.SESSION_EXPIRY_TIME,
    // A broker that needs no interactive login (the simulator): a session is minted on demand.
    autoLogin:
      broker.auth.loginFlow.kind === 'none'
        ? async () => {
            const session = await broker.auth.completeLogin(
              {},
              { redirectUrl: '', state: '', logger: deps.logger, now },
            );
            return {
              broker: broker.id,
              brokerUserId: session.userId ?? null,
              accessToken: session.accessToken,
              feedToken: session.feedToken ?? null,
              metadata: { ...session.data },
            };
          }
        : undefined,
  });
  const symbols = new SymbolIndex(db);
  const masterContract = new MasterContractService({
    db,
    broker,
    logger: deps.logger,
    now,
    onLoaded: async () => {
      await symbols.reload();
      await deps.database.notify(SYMBOLS_CHANNEL);
    },
  });
  const brokerGateway = new BrokerGateway({ adapter: broker, symbols, logger: deps.logger, now });
  const brokerLogin =
    broker.auth.loginFlow.kind !== 'none'
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
    brokerGateway,
    symbols,
    brokerLogin,
    masterContract,
    start: async () => {
      // Another process rotated a key (CLI, another instance): drop cached identities at once.
      stopListening.push(await deps.database.listen(API_KEYS_CHANNEL, () => apiKeys.invalidate()));
      stopListening.push(await symbols.follow(deps.database));
      await symbols.reload();
      if (!broker.instruments.requiresSession) {
        // The dump needs no login (the simulator): have today's master before the first request.
        const status = await masterContract.load(undefined);
        if (status.state === 'error') {
          deps.logger.error({ broker: broker.id, error: status.error }, 'symbol master not loaded');
        }
      }
    },
    close: async () => {
      for (const stop of stopListening.splice(0)) {
        await stop().catch(() => undefined);
      }
      await trafficLog.close();
    },
  };
}
