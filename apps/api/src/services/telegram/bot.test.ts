import { randomBytes } from 'node:crypto';
import type { BrokerContext } from '@openalgo/broker-sdk';
import { createSimulatorBroker } from '@openalgo/brokers-simulator';
import { createTestDatabase, type TestDatabase } from '@openalgo/db/testing';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSecretBox } from '../../secret-box.js';
import { FakeTelegramServer } from '../../testing/fake-telegram.js';
import { AccountsService } from '../accounts.js';
import { ApiKeyVerifier } from '../api-keys.js';
import { TelegramBotService } from './bot.js';
import { formatOrderAlert, type TelegramAccountViews } from './format.js';

const TOKEN = '123456789:TEST-token_abcdefghijklmnopqrstuvwxyz';

describe('the Telegram bot against a fake Bot API', () => {
  let database: TestDatabase;
  let fake: FakeTelegramServer;
  let bot: TelegramBotService;
  let apiKey: string;
  const chatId = 987_654_321;
  const strangerId = 111;

  beforeAll(async () => {
    database = await createTestDatabase('pglite');
    fake = new FakeTelegramServer(TOKEN);
    await fake.start();
    fake.addChat({ id: chatId, firstName: 'Raj', username: 'raj' });
    fake.addChat({ id: strangerId, firstName: 'Stranger' });
    const verifier = new ApiKeyVerifier({
      db: database.db,
      pepper: randomBytes(32).toString('hex'),
      ttlSeconds: 30,
    });
    const accounts = new AccountsService({
      db: database.db,
      verifier,
      now: Date.now,
      notify: async () => {},
    });
    ({ apiKey } = await accounts.setupAdmin({ username: 'rajandran', password: 'correct horse battery' }));

    // Account views over the simulator broker, shaped like the REST books.
    const simulator = createSimulatorBroker({ seed: 3, alwaysOpen: true });
    const context: BrokerContext = {
      session: await simulator.auth.completeLogin(
        {},
        { redirectUrl: '', state: '', logger: pino({ level: 'silent' }), now: Date.now },
      ),
      logger: pino({ level: 'silent' }),
      now: Date.now,
      resolveBrokerInstrument: () => undefined,
    };
    const sbin = simulator.exchange.findInstrument('SBIN', 'NSE');
    if (!sbin) {
      throw new Error('no SBIN');
    }
    simulator.exchange.placeOrder({
      instrument: sbin,
      action: 'BUY',
      product: 'MIS',
      priceType: 'MARKET',
      quantity: 10,
      pricePips: 0,
      triggerPips: 0,
      clientOrderId: 't',
    });
    const views: TelegramAccountViews = {
      mode: async () => 'analyze',
      orderBook: async () =>
        (await simulator.orders.fetchOrders(context)).map((order) => ({
          orderid: order.orderId,
          symbol: order.symbol,
          exchange: order.exchange,
          action: order.action,
          quantity: order.quantity,
          price: order.price,
          pricetype: order.priceType,
          product: order.product,
          order_status: order.status,
        })),
      tradeBook: async () =>
        (await simulator.orders.fetchTrades(context)).map((trade) => ({
          orderid: trade.orderId,
          symbol: trade.symbol,
          exchange: trade.exchange,
          action: trade.action,
          quantity: trade.quantity,
          average_price: trade.price,
          product: trade.product,
        })),
      positions: async () =>
        (await simulator.portfolio.fetchPositions(context)).map((position) => ({
          symbol: position.symbol,
          exchange: position.exchange,
          product: position.product,
          quantity: position.quantity,
          average_price: position.averagePrice,
          ltp: position.ltp,
          pnl: position.pnl,
        })),
      holdings: async () =>
        (await simulator.portfolio.fetchHoldings(context)).map((holding) => ({
          symbol: holding.symbol,
          exchange: holding.exchange,
          quantity: holding.quantity,
          pnl: holding.pnl ?? '0',
        })),
      funds: async () => {
        const funds = await simulator.portfolio.fetchFunds(context);
        return {
          availablecash: funds.availableCash,
          collateral: funds.collateral,
          m2mrealized: funds.m2mRealized,
          m2munrealized: funds.m2mUnrealized,
          utiliseddebits: funds.utilisedDebits,
        };
      },
    };
    bot = new TelegramBotService({
      db: database.db,
      secretBox: createSecretBox(`k1:${randomBytes(32).toString('hex')}`),
      logger: pino({ level: 'silent' }),
      now: Date.now,
      apiBaseUrl: fake.baseUrl,
      verifyApiKey: async (key) => {
        const identity = await verifier.verify(key);
        return identity ? { userId: identity.userId, username: 'rajandran' } : null;
      },
      views,
      brokerName: () => 'simulator',
      pollTimeoutSeconds: 1,
    });
  }, 120_000);

  afterAll(async () => {
    await bot?.stop().catch(() => undefined);
    await fake?.stop();
    await database?.close();
  });

  it('refuses to start without a token, then starts polling with one (stored encrypted)', async () => {
    await expect(bot.start()).rejects.toThrow('Bot token not configured');
    await bot.configure({ token: TOKEN, rateLimitPerMinute: 120 });
    const stored = await database.db.selectFrom('telegram_bot').selectAll().executeTakeFirstOrThrow();
    expect(stored.token_enc).not.toContain(TOKEN);
    expect(await bot.start()).toBe('Bot started in polling mode');
    expect(fake.calls.map((call) => call.method)).toEqual(expect.arrayContaining(['getMe', 'deleteWebhook']));
  });

  it('links a chat with the API key and answers the read-only commands', async () => {
    fake.userSays(chatId, '/link wrong-key');
    expect((await fake.waitForMessages(chatId, 1)).at(-1)?.text).toBe('That API key is not valid.');
    fake.userSays(chatId, `/link ${apiKey}`);
    expect((await fake.waitForMessages(chatId, 2)).at(-1)?.text).toMatch(
      /^Linked to OpenAlgo user rajandran/,
    );
    fake.userSays(chatId, '/funds');
    expect((await fake.waitForMessages(chatId, 3)).at(-1)?.text).toMatch(/^💰 Funds\nAvailable cash: \d+/);
    fake.userSays(chatId, '/positions');
    expect((await fake.waitForMessages(chatId, 4)).at(-1)?.text).toMatch(
      /📈 Positions \(1\)\nSBIN \(NSE\) MIS: 10 @/,
    );
    fake.userSays(chatId, '/orderbook');
    expect((await fake.waitForMessages(chatId, 5)).at(-1)?.text).toMatch(
      /BUY 10 SBIN \(NSE\) MARKET MIS — complete #/,
    );
    fake.userSays(chatId, '/holdings');
    expect((await fake.waitForMessages(chatId, 6)).at(-1)?.text).toMatch(/💼 Holdings \(3\)/);
    fake.userSays(chatId, '/tradebook');
    expect((await fake.waitForMessages(chatId, 7)).at(-1)?.text).toMatch(/🧾 Trade book/);
    fake.userSays(chatId, '/status');
    expect((await fake.waitForMessages(chatId, 8)).at(-1)?.text).toMatch(/Mode: Analyze/);
  });

  it('does not answer account commands to an unlinked chat', async () => {
    fake.userSays(strangerId, '/positions');
    expect((await fake.waitForMessages(strangerId, 1)).at(-1)?.text).toBe(
      'This chat is not linked. Send /link <api_key> first.',
    );
  });

  it('delivers order alerts to linked chats, waiting out a 429', async () => {
    fake.rateLimitNext = 1;
    const before = fake.sent.filter((message) => message.chatId === chatId).length;
    const alert = formatOrderAlert({
      mode: 'analyze',
      operation: 'placeorder',
      symbol: 'SBIN',
      exchange: 'NSE',
      action: 'BUY',
      quantity: 10,
      pricetype: 'MARKET',
      product: 'MIS',
      orderid: '25112400001',
      status: 'success',
      strategy: 'tv',
    });
    const userId = (await database.db.selectFrom('users').select('id').executeTakeFirstOrThrow()).id;
    expect(await bot.notifyUser(userId, alert, 'order')).toBe(1);
    const messages = await fake.waitForMessages(chatId, before + 1);
    expect(messages.at(-1)?.text).toBe(alert);
    expect(alert.startsWith('🧪 ANALYZE MODE – no real order')).toBe(true);
  });

  it('unlinks and stops', async () => {
    fake.userSays(chatId, '/unlink');
    expect((await fake.waitForMessages(chatId, 10)).at(-1)?.text).toBe(
      'Unlinked. You will no longer receive alerts.',
    );
    expect(await bot.stop()).toBe('Bot stopped');
    await expect(bot.send(chatId, 'x')).rejects.toThrow('Telegram bot is stopped');
  });
});
