import { join } from 'node:path';
import type { BrokerAdapter } from '@openalgo/broker-sdk';
import type {
  AnalyzerLogInput,
  Database,
  DatabaseHandle,
  Kysely,
  NewLatencyLogRow,
  NewTrafficLogRow,
} from '@openalgo/db';
import {
  findFirstAdmin,
  findUserById,
  getTelegramBot,
  insertAnalyzerLogs,
  insertLatencyLogs,
  insertTrafficLogs,
} from '@openalgo/db';
import type { MarketHub } from '@openalgo/stream-bus';
import type { Logger } from 'pino';
import { createConfiguredBroker, tickSourceOf } from './brokers/create-broker.js';
import type { Config } from './config.js';
import type { RequestAuth } from './plugins/auth.js';
import { createSecretBox, type SecretBox } from './secret-box.js';
import { AccountsService, API_KEYS_CHANNEL } from './services/accounts.js';
import { ActionCenter } from './services/action-center.js';
import { AnalyzerModeService } from './services/analyzer-mode.js';
import { ApiKeyVerifier } from './services/api-keys.js';
import { AuditLog } from './services/audit-log.js';
import { BrokerGateway } from './services/broker-gateway.js';
import { BrokerLoginService } from './services/broker-login.js';
import { BrokerSessionService } from './services/broker-sessions.js';
import { EventBus } from './services/events.js';
import { LogWriter } from './services/log-writer.js';
import { MarketDataService } from './services/market-data/market-data-service.js';
import { MasterContractService } from './services/master-contract.js';
import { OptionsService } from './services/options/options-service.js';
import { CoreOrderGateway } from './services/orders/order-gateway.js';
import { OrderJournal } from './services/orders/order-journal.js';
import { OrderService } from './services/orders/order-service.js';
import { OrderSpool } from './services/orders/order-spool.js';
import { type AnalyzerTargets, ModeSwitch } from './services/orders/order-target.js';
import { createPendingExecutor } from './services/orders/pending-execution.js';
import { OrderReconciler } from './services/orders/reconciler.js';
import { BrokerFeed, SandboxAnalyzerTargets } from './services/orders/sandbox-targets.js';
import type { OrderQueue } from './services/orders/semi-auto.js';
import { connectRedis, type RedisConnections } from './services/redis.js';
import {
  databaseBanChannel,
  redisAbuseCounters,
  redisBanChannel,
  SecurityService,
} from './services/security.js';
import { type OrderGateway, StrategyService } from './services/strategies/strategy-service.js';
import { BrokerOrderFeed } from './services/streaming/broker-order-feed.js';
import { createMarketHub } from './services/streaming/market-hub.js';
import { SYMBOLS_CHANNEL, SymbolIndex } from './services/symbol-index.js';
import { createTelegramAccountViews } from './services/telegram/account-views.js';
import { TelegramBotService } from './services/telegram/bot.js';
import { WebAuthService } from './services/web-auth.js';
import { WebSessionService } from './services/web-sessions.js';
import type { WhatsAppNotifier } from './services/whatsapp/notifier.js';

export interface AppDeps {
  database: DatabaseHandle;
  logger: Logger;
  /** The clock; tests pass a fake one. */
  now?: () => number;
  /** Analyzer mode's virtual broker; default: the sandbox on this database, fed by the broker. */
  analyzerTargets?: AnalyzerTargets;
  /** Where semi-auto placements wait for approval (the Action Center store). */
  orderQueue?: OrderQueue;
  /** The outbound WhatsApp provider; without one `/whatsapp/notify` answers "not paired". */
  whatsapp?: WhatsAppNotifier;
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
  /** Shared Redis connections when REDIS_URL is set (rate limits, abuse counters, bans). */
  redis: RedisConnections | null;
  audit: AuditLog;
  webSessions: WebSessionService;
  webAuth: WebAuthService;
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
  /** In-process events (orders, analyzer switch). */
  events: EventBus;
  /** The persisted analyzer switch. */
  analyzer: AnalyzerModeService;
  analyzerTargets: AnalyzerTargets;
  /** The analyzer request log (sandbox.md §13), written in batches off the request path. */
  analyzerLog: LogWriter<AnalyzerLogInput>;
  /** The one seam between live broker and analyzer. */
  modeSwitch: ModeSwitch;
  orderJournal: OrderJournal;
  latencyLog: LogWriter<NewLatencyLogRow>;
  reconciler: OrderReconciler;
  /** The order path's core. */
  orders: OrderService;
  /** Semi-auto mode's queue of orders waiting for the owner's approval. */
  actionCenter: ActionCenter;
  /** The order path for the strategy engine (webhooks). */
  orderGateway: OrderGateway;
  /** Strategies and their webhooks (TradingView, GoCharting, Amibroker, ChartInk…). */
  strategies: StrategyService;
  /** Quotes, depth and history through the broker; the local history store. */
  marketData: MarketDataService;
  /** Option resolution, chains, Greeks and the synthetic future. */
  options: OptionsService;
  /** The Telegram bot (linking, commands, alerts); started from `/telegram/start`. */
  telegram: TelegramBotService;
  whatsapp: WhatsAppNotifier | null;
  /** The market-data hub (ZeroMQ) the ws-proxies and the UI event socket read; null when disabled. */
  hub: MarketHub | null;
  /** The live broker's order-update stream onto the event bus (with the hub), or null. */
  brokerOrderFeed: BrokerOrderFeed | null;
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
  const marketData = new MarketDataService({
    gateway: brokerGateway,
    symbols,
    db,
    logger: deps.logger,
    historySpacingMs: config.HISTORY_SPACING_MS,
  });
  const options = new OptionsService(marketData, symbols, now);
  const brokerLogin =
    broker.auth.loginFlow.kind !== 'none'
      ? new BrokerLoginService({
          broker,
          sessions: brokerSessions,
          masterContract,
          logger: deps.logger,
          now,
          // The feed and the order stream follow a new login at once, not after their backoff.
          onLogin: () => {
            marketHub?.hub.reconnectFeed('broker login');
            void brokerOrderFeed?.refresh();
          },
          redirectUrl: `http://${config.HOST}:${config.PORT}/${broker.id}/callback`,
        })
      : null;
  const redis = config.REDIS_URL
    ? connectRedis(config.REDIS_URL, config.REDIS_KEY_PREFIX, deps.logger)
    : null;
  const audit = new AuditLog({ db, now, logger: deps.logger, flushIntervalMs: config.TRAFFIC_LOG_FLUSH_MS });
  const security = new SecurityService({
    invalidKeyThreshold: config.INVALID_API_KEY_BAN_THRESHOLD,
    failedLoginThreshold: config.FAILED_LOGIN_BAN_THRESHOLD,
    banDurationMs: config.BAN_DURATION_MINUTES * 60_000,
    now,
    db,
    channel: redis
      ? redisBanChannel(redis.client, redis.subscriber, `${redis.prefix}ip-bans`, deps.logger)
      : databaseBanChannel(deps.database),
    ...(redis ? { counters: redisAbuseCounters(redis.client, redis.prefix) } : {}),
    audit,
    logger: deps.logger,
  });
  const webSessions = new WebSessionService({
    db,
    now,
    idleMs: config.SESSION_IDLE_MINUTES * 60_000,
    maxAgeMs: config.SESSION_MAX_AGE_HOURS * 3_600_000,
    dailyExpiryTime: config.SESSION_EXPIRY_TIME,
    secret: config.API_KEY_PEPPER,
  });
  const webAuth = new WebAuthService({
    db,
    now,
    secretBox,
    sessions: webSessions,
    security,
    audit,
    secret: config.API_KEY_PEPPER,
    totpIssuer: config.TOTP_ISSUER,
    lockoutThreshold: config.LOGIN_LOCKOUT_THRESHOLD,
    lockoutMs: config.LOGIN_LOCKOUT_MINUTES * 60_000,
  });
  const trafficLog = new LogWriter<NewTrafficLogRow>({
    name: 'traffic_log',
    write: (rows) => insertTrafficLogs(db, rows),
    flushIntervalMs: config.TRAFFIC_LOG_FLUSH_MS,
    maxBuffered: config.TRAFFIC_LOG_BUFFER,
    logger: deps.logger,
  });
  const events = new EventBus({ logger: deps.logger });
  const analyzerTargets =
    deps.analyzerTargets ??
    new SandboxAnalyzerTargets({
      database: { db, sandboxSchema: deps.database.sandboxSchema },
      // Prices: the connected broker, over the operator's session until a request brings one.
      feed: new BrokerFeed({
        adapter: broker,
        logger: deps.logger,
        resolveContext: async () => {
          const admin = await findFirstAdmin(db);
          const session = admin ? await brokerSessions.getActive(admin.id) : null;
          return session ? brokerGateway.call(session).context : null;
        },
        // Resting analyzer orders need moving prices: the simulator ticks once started.
        onWatch: () => tickSourceOf(broker)?.start(),
      }),
      logger: deps.logger,
      now,
      events,
      startingCapital: String(config.ANALYZER_STARTING_CAPITAL),
      sessionExpiryTime: config.SESSION_EXPIRY_TIME,
      maxQueuedWrites: config.ANALYZER_MAX_QUEUED_ORDERS,
      maxLaneWaitMs: config.ANALYZER_MAX_WAIT_MS ?? Math.floor(config.BROKER_ORDER_TIMEOUT_MS / 2),
    });
  const analyzer = new AnalyzerModeService({
    db,
    logger: deps.logger,
    now,
    onChange: async (isOn) => {
      await analyzerTargets.onModeChange(isOn);
      events.emit('analyzer.mode', { analyzeMode: isOn, at: now() });
    },
  });
  const analyzerLog = new LogWriter<AnalyzerLogInput>({
    name: 'analyzer_log',
    write: (rows) => insertAnalyzerLogs(db, rows),
    flushIntervalMs: config.ORDER_LOG_FLUSH_MS,
    maxBuffered: config.TRAFFIC_LOG_BUFFER,
    logger: deps.logger,
  });
  const modeSwitch = new ModeSwitch({ gateway: brokerGateway, analyzer, analyzerTargets });
  const orderJournal = new OrderJournal({
    db,
    logger: deps.logger,
    flushIntervalMs: config.ORDER_LOG_FLUSH_MS,
    spool: config.ORDER_SPOOL
      ? OrderSpool.open({
          dir: join(config.DATA_DIR, 'order-spool'),
          sync: config.ORDER_SPOOL_SYNC,
          logger: deps.logger,
        })
      : null,
  });
  const latencyLog = new LogWriter<NewLatencyLogRow>({
    name: 'latency_log',
    write: (rows) => insertLatencyLogs(db, rows),
    flushIntervalMs: Math.max(config.ORDER_LOG_FLUSH_MS, 200),
    maxBuffered: config.TRAFFIC_LOG_BUFFER,
    logger: deps.logger,
  });
  /** A user's identity for work that has no request (reconciliation, strategies). */
  const resolveAuth = async (userId: number): Promise<RequestAuth | null> => {
    // Both from memory on the hot path: the key cache drops a user's key on rotation or an
    // order-mode change (here and, announced, in every process).
    const key = await apiKeys.activeKeyOf(userId);
    const session = await brokerSessions.getActive(userId);
    return key && session ? { apiKeyId: key.apiKeyId, userId, orderMode: key.orderMode, session } : null;
  };
  const reconciler = new OrderReconciler({
    db,
    journal: orderJournal,
    logger: deps.logger,
    now,
    readTimeoutMs: config.BROKER_READ_TIMEOUT_MS,
    windowMs: config.ORDER_RECONCILE_WINDOW_MS,
    targetFor: async (userId, mode) => {
      const auth = await resolveAuth(userId);
      return auth ? modeSwitch.targetFor(auth, mode) : null;
    },
  });
  // Semi-auto placements wait in the Action Center; approved ones run through `orders` below.
  let actionCenter: ActionCenter | null = null;
  const orderQueue: OrderQueue = deps.orderQueue ?? {
    enqueue: async ({ userId, apiType, request, requestId }) => {
      if (!actionCenter) {
        throw new Error('the Action Center is not ready');
      }
      const fields =
        request !== null && typeof request === 'object' && !Array.isArray(request) ? request : {};
      return (await actionCenter.queue(userId, apiType, fields, requestId)).pending_order_id;
    },
  };
  const orders = new OrderService({
    db,
    logger: deps.logger,
    now,
    symbols,
    modeSwitch,
    journal: orderJournal,
    latency: latencyLog,
    events,
    reconciler,
    queue: orderQueue,
    settings: {
      orderTimeoutMs: config.BROKER_ORDER_TIMEOUT_MS,
      readTimeoutMs: config.BROKER_READ_TIMEOUT_MS,
      childIntervalMs: config.ORDER_CHILD_INTERVAL_MS,
      basketBatchSize: config.BASKET_BATCH_SIZE,
      basketBatchIntervalMs: config.BASKET_BATCH_INTERVAL_MS,
    },
  });
  const center = new ActionCenter({
    db,
    now,
    logger: deps.logger,
    ttlMs: config.ACTION_CENTER_ORDER_TTL_MINUTES * 60_000,
    execute: createPendingExecutor({ service: orders, options, modeSwitch, resolveAuth }),
    onEvent: (event) => events.emit('action_center', event),
  });
  actionCenter = center;
  const orderGateway = new CoreOrderGateway({ service: orders, modeSwitch, resolveAuth });
  const strategies = new StrategyService({
    db,
    logger: deps.logger,
    now,
    gateway: () => orderGateway,
    symbolExists: async (symbol, exchange) => symbols.find(symbol, exchange) !== undefined,
    publicUrl: () => config.HOST_SERVER ?? `http://${config.HOST}:${config.PORT}`,
    dedupeWindowMs: config.STRATEGY_DEDUPE_WINDOW_MS,
    maxAlertAgeMs: config.STRATEGY_ALERT_MAX_AGE_MS,
    outcomeDelayMs: config.ORDER_LOG_FLUSH_MS,
    changes: deps.database,
    // PostgreSQL may serve several api processes; the embedded database serves this one only.
    sharedDatabase: deps.database.kind === 'postgres',
    heartbeatMs: config.INSTANCE_HEARTBEAT_MS,
  });
  const telegram = new TelegramBotService({
    db,
    secretBox,
    logger: deps.logger.child({ service: 'telegram' }),
    now,
    apiBaseUrl: config.TELEGRAM_API_URL,
    verifyApiKey: async (apiKey) => {
      const identity = await apiKeys.verify(apiKey);
      const user = identity ? await findUserById(db, identity.userId) : undefined;
      return identity && user ? { userId: identity.userId, username: user.username } : null;
    },
    views: createTelegramAccountViews({
      gateway: brokerGateway,
      sessions: brokerSessions,
      mode: () => (analyzer.isOn ? 'analyze' : 'live'),
    }),
    brokerName: () => brokerName,
  });
  const tickSource = config.MARKET_HUB ? tickSourceOf(broker) : null;
  const marketHub = config.MARKET_HUB
    ? createMarketHub({
        config,
        db,
        logger: deps.logger,
        now,
        broker,
        gateway: brokerGateway,
        symbols,
        apiKeys,
        accounts,
        brokerSessions,
        events,
        // The simulator starts ticking when the feed first connects (someone subscribed).
        onFeedStart: () => tickSource?.start(),
      })
    : null;
  // Runs where the hub runs: one broker stream per installation (Kite allows three sockets a key).
  const brokerOrderFeed =
    config.MARKET_HUB && config.ORDER_UPDATES_ENABLED
      ? new BrokerOrderFeed({
          broker,
          gateway: brokerGateway,
          accounts,
          brokerSessions,
          events,
          logger: deps.logger.child({ component: 'broker-order-feed' }),
        })
      : null;
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
    redis,
    audit,
    webSessions,
    webAuth,
    brokerName,
    broker,
    brokerGateway,
    symbols,
    brokerLogin,
    masterContract,
    events,
    analyzer,
    analyzerTargets,
    analyzerLog,
    modeSwitch,
    orderJournal,
    latencyLog,
    reconciler,
    orders,
    actionCenter: center,
    orderGateway,
    strategies,
    marketData,
    options,
    telegram,
    whatsapp: deps.whatsapp ?? null,
    hub: marketHub?.hub ?? null,
    brokerOrderFeed,
    start: async () => {
      // Another process rotated a key (CLI, another instance): drop cached identities at once.
      stopListening.push(await deps.database.listen(API_KEYS_CHANNEL, () => apiKeys.invalidate()));
      await security.start();
      stopListening.push(await symbols.follow(deps.database));
      await symbols.reload();
      await analyzerTargets.start();
      await analyzer.start(deps.database);
      if ((await getTelegramBot(db))?.is_active) {
        // The bot was running before the restart: resume it in the background.
        void telegram.start().catch((error: unknown) => {
          deps.logger.error({ err: error }, 'telegram bot did not resume');
        });
      }
      if (!broker.instruments.requiresSession) {
        // The dump needs no login (the simulator): have today's master before the first request.
        const status = await masterContract.load(undefined);
        if (status.state === 'error') {
          deps.logger.error({ broker: broker.id, error: status.error }, 'symbol master not loaded');
        }
      }
      // Rows a stopped process had recorded in its spool but not yet in the database.
      await orderJournal.recover();
      // Orders a stopped process left unfinished: settled against the broker's order book.
      void reconciler
        .reconcileUnfinished()
        .then((counts) => {
          if (counts.accepted + counts.failed + counts.watching > 0) {
            deps.logger.info(counts, 'unfinished orders reconciled');
          }
        })
        .catch((error: unknown) => deps.logger.warn({ err: error }, 'unfinished orders not reconciled'));
      // Approvals a stopped process left executing: marked failed, never executed twice.
      void center
        .recoverInterrupted()
        .catch((error: unknown) => deps.logger.warn({ err: error }, 'interrupted approvals not recovered'));
      // Alerts a stopped process stored but never ran: executed while fresh, expired when stale.
      // On a shared database, alive processes' alerts are left to them (their heartbeats).
      await strategies.startHeartbeat();
      void strategies
        .recoverUnfinished()
        .then((counts) => {
          if (counts.executed + counts.expired + counts.interrupted > 0) {
            deps.logger.info(counts, 'unfinished strategy alerts recovered');
          }
        })
        .catch((error: unknown) => deps.logger.warn({ err: error }, 'strategy alerts not recovered'));
      await strategies.startListening();
      strategies.startScheduler();
      if (marketHub) {
        await marketHub.hub.start();
      }
      brokerOrderFeed?.start();
    },
    close: async () => {
      strategies.stopScheduler();
      // Outcomes of answered alerts, before the database goes.
      await strategies.settled();
      await strategies.stopHeartbeat();
      await brokerOrderFeed?.close();
      marketHub?.stop();
      tickSource?.stop();
      await marketHub?.hub.close();
      await strategies.stopListening();
      for (const stop of stopListening.splice(0)) {
        await stop().catch(() => undefined);
      }
      reconciler.close();
      await orderJournal.close();
      await latencyLog.close();
      await analyzerLog.close();
      await analyzer.close();
      await analyzerTargets.close();
      tickSourceOf(broker)?.stop();
      await telegram.close();
      await trafficLog.close();
      await security.close();
      await audit.close();
      await redis?.close();
    },
  };
}
