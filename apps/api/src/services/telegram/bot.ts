import { createHash } from 'node:crypto';
import {
  type Database,
  findTelegramUser,
  getTelegramBot,
  type Kysely,
  linkTelegramUser,
  listTelegramUsersOf,
  recordTelegramCommand,
  saveTelegramBot,
  unlinkTelegramUser,
} from '@openalgo/db';
import type { Logger } from 'pino';
import type { SecretBox } from '../../secret-box.js';
import { TelegramApiError, TelegramBotApi, type TelegramUpdate } from './bot-api.js';
import {
  formatFunds,
  formatHoldings,
  formatOrderBook,
  formatPositions,
  formatTradeBook,
  type TelegramAccountViews,
} from './format.js';

/**
 * The Telegram bot: long-polls (or receives webhook updates), answers the read-only
 * commands (order book, trade book, positions, holdings, funds, status), links chats to
 * OpenAlgo users by API key, and delivers notifications with the bot's rate limit and
 * Telegram's 429 back-off.
 */

export interface TelegramBotServiceOptions {
  db: Kysely<Database>;
  secretBox: SecretBox;
  logger: Logger;
  now: () => number;
  /** Telegram's API host (a fake server in tests). */
  apiBaseUrl: string;
  /** Verifies an API key sent with /link; returns the user it belongs to. */
  verifyApiKey: (apiKey: string) => Promise<{ userId: number; username: string } | null>;
  views: TelegramAccountViews;
  /** Broker name recorded with a link. */
  brokerName: () => string;
  /** Seconds a long poll waits on Telegram's side. */
  pollTimeoutSeconds?: number;
}

export class TelegramConfigError extends Error {
  readonly statusCode = 400;
  constructor(message: string) {
    super(message);
    this.name = 'TelegramConfigError';
  }
}

const HELP = [
  'OpenAlgo bot commands:',
  '/link <api_key> — link this chat to your OpenAlgo account',
  '/unlink — unlink this chat',
  '/status — link and mode status',
  "/orderbook — today's orders",
  "/tradebook — today's trades",
  '/positions — open positions',
  '/holdings — holdings',
  '/funds — available funds and margin',
  '/help — this list',
].join('\n');

export class TelegramBotService {
  readonly #options: TelegramBotServiceOptions;
  #api: TelegramBotApi | null = null;
  #polling: AbortController | null = null;
  #pollLoop: Promise<void> | null = null;
  #offset = 0;
  #sendQueue: Promise<void> = Promise.resolve();
  #sentTimes: number[] = [];

  constructor(options: TelegramBotServiceOptions) {
    this.#options = options;
  }

  get isRunning(): boolean {
    return this.#api !== null;
  }

  /** Stores the bot configuration; the token is encrypted at rest. */
  async configure(input: {
    token?: string;
    pollingMode?: boolean;
    webhookUrl?: string | null;
    broadcastEnabled?: boolean;
    rateLimitPerMinute?: number;
  }): Promise<void> {
    await saveTelegramBot(this.#options.db, {
      ...(input.token !== undefined ? { token_enc: this.#options.secretBox.encrypt(input.token) } : {}),
      ...(input.pollingMode !== undefined ? { polling_mode: input.pollingMode } : {}),
      ...(input.webhookUrl !== undefined ? { webhook_url: input.webhookUrl } : {}),
      ...(input.broadcastEnabled !== undefined ? { broadcast_enabled: input.broadcastEnabled } : {}),
      ...(input.rateLimitPerMinute !== undefined ? { rate_limit_per_minute: input.rateLimitPerMinute } : {}),
    });
  }

  async #token(): Promise<string> {
    const config = await getTelegramBot(this.#options.db);
    if (!config?.token_enc) {
      throw new TelegramConfigError('Bot token not configured');
    }
    return this.#options.secretBox.decrypt(config.token_enc);
  }

  /** Starts the bot: polling when configured so, else registers the webhook. */
  async start(): Promise<string> {
    const config = await getTelegramBot(this.#options.db);
    const token = await this.#token();
    const api = new TelegramBotApi({ token, baseUrl: this.#options.apiBaseUrl });
    const me = await api.getMe();
    await saveTelegramBot(this.#options.db, { is_active: true, bot_username: me.username ?? null });
    this.#api = api;
    if (config?.polling_mode === false) {
      if (!config.webhook_url) {
        throw new TelegramConfigError('Webhook URL not configured');
      }
      await api.setWebhook(config.webhook_url, this.webhookSecret(token));
      return 'Bot initialized for webhook mode';
    }
    await api.deleteWebhook();
    this.#startPolling(api);
    return 'Bot started in polling mode';
  }

  async stop(): Promise<string> {
    await this.close();
    await saveTelegramBot(this.#options.db, { is_active: false });
    return 'Bot stopped';
  }

  /** Stops polling and sending without changing the stored state (server shutdown). */
  async close(): Promise<void> {
    this.#polling?.abort();
    this.#polling = null;
    await this.#pollLoop?.catch(() => undefined);
    this.#pollLoop = null;
    this.#api = null;
  }

  /** The secret Telegram echoes in `X-Telegram-Bot-Api-Secret-Token` (first 32 hex of SHA-256(token)). */
  webhookSecret(token: string): string {
    return createHash('sha256').update(token).digest('hex').slice(0, 32);
  }

  #startPolling(api: TelegramBotApi): void {
    const controller = new AbortController();
    this.#polling = controller;
    const timeout = this.#options.pollTimeoutSeconds ?? 25;
    this.#pollLoop = (async () => {
      let backoffMs = 500;
      while (!controller.signal.aborted) {
        try {
          const updates = await api.getUpdates(this.#offset, timeout, controller.signal);
          backoffMs = 500;
          for (const update of updates) {
            this.#offset = Math.max(this.#offset, update.update_id + 1);
            await this.handleUpdate(update);
          }
        } catch (error) {
          if (controller.signal.aborted) {
            return;
          }
          this.#options.logger.warn({ err: error }, 'telegram polling failed; retrying');
          await new Promise((resolve) => setTimeout(resolve, backoffMs));
          backoffMs = Math.min(backoffMs * 2, 30_000);
        }
      }
    })();
  }

  /** Handles one update (from polling or the webhook route). Never throws. */
  async handleUpdate(update: TelegramUpdate): Promise<void> {
    const message = update.message;
    const text = message?.text?.trim();
    if (!message || !text?.startsWith('/')) {
      return;
    }
    const chatId = message.chat.id;
    const [rawCommand = '', ...args] = text.split(/\s+/);
    const command = rawCommand.slice(1).split('@')[0]?.toLowerCase() ?? '';
    try {
      const reply = await this.#dispatch(command, args, message.chat.id, message.from ?? null);
      if (reply) {
        await this.send(chatId, reply);
      }
    } catch (error) {
      this.#options.logger.warn({ err: error, command }, 'telegram command failed');
      await this.send(
        chatId,
        `Sorry, /${command} failed: ${error instanceof Error ? error.message : 'unknown error'}`,
      ).catch(() => undefined);
    }
  }

  async #dispatch(
    command: string,
    args: string[],
    chatId: number,
    from: { first_name?: string | null; last_name?: string | null; username?: string | null } | null,
  ): Promise<string | null> {
    const { db, now } = this.#options;
    const linked = await findTelegramUser(db, chatId);
    if (linked) {
      await recordTelegramCommand(db, chatId, command, new Date(now()));
    }
    switch (command) {
      case 'start':
      case 'help':
      case 'menu':
        return linked ? HELP : `Welcome to OpenAlgo.\n${HELP}`;
      case 'link': {
        const apiKey = args[0];
        if (!apiKey) {
          return 'Usage: /link <api_key>';
        }
        const identity = await this.#options.verifyApiKey(apiKey);
        if (!identity) {
          return 'That API key is not valid.';
        }
        await linkTelegramUser(db, {
          telegramId: chatId,
          userId: identity.userId,
          firstName: from?.first_name ?? null,
          lastName: from?.last_name ?? null,
          telegramUsername: from?.username ?? null,
          broker: this.#options.brokerName(),
        });
        return `Linked to OpenAlgo user ${identity.username}. You will receive order alerts here.`;
      }
      case 'unlink':
        return (await unlinkTelegramUser(db, chatId))
          ? 'Unlinked. You will no longer receive alerts.'
          : 'This chat is not linked.';
      case 'status':
        return linked
          ? `Linked. Broker: ${linked.broker ?? this.#options.brokerName()}. Mode: ${(await this.#options.views.mode()) === 'analyze' ? 'Analyze (sandbox)' : 'Live'}. Alerts: ${linked.notifications_enabled ? 'on' : 'off'}.`
          : 'Not linked. Send /link <api_key>.';
      case 'orderbook':
      case 'tradebook':
      case 'positions':
      case 'holdings':
      case 'funds': {
        if (!linked) {
          return 'This chat is not linked. Send /link <api_key> first.';
        }
        const userId = linked.user_id;
        const { views } = this.#options;
        switch (command) {
          case 'orderbook':
            return formatOrderBook(await views.orderBook(userId));
          case 'tradebook':
            return formatTradeBook(await views.tradeBook(userId));
          case 'positions':
            return formatPositions(await views.positions(userId));
          case 'holdings':
            return formatHoldings(await views.holdings(userId));
          default:
            return formatFunds(await views.funds(userId));
        }
      }
      default:
        return `Unknown command /${command}. Send /help.`;
    }
  }

  /** Sends one message, keeping the configured per-minute rate and honouring 429 retry_after. */
  async send(chatId: number, text: string): Promise<void> {
    const api = this.#api;
    if (!api) {
      throw new TelegramConfigError('Telegram bot is stopped. Start the bot to send notifications.');
    }
    const chunks = text.length <= 4_096 ? [text] : (text.match(/[\s\S]{1,4000}/g) ?? []);
    const task = this.#sendQueue.then(async () => {
      const config = await getTelegramBot(this.#options.db);
      const perMinute = config?.rate_limit_per_minute ?? 30;
      for (const chunk of chunks) {
        await this.#waitForRate(perMinute);
        for (let attempt = 0; ; attempt += 1) {
          try {
            await api.sendMessage(chatId, chunk);
            break;
          } catch (error) {
            if (error instanceof TelegramApiError && error.retryAfterSeconds !== null && attempt < 3) {
              await new Promise((resolve) => setTimeout(resolve, (error.retryAfterSeconds ?? 1) * 1_000));
              continue;
            }
            throw error;
          }
        }
      }
    });
    this.#sendQueue = task.catch(() => undefined);
    return task;
  }

  async #waitForRate(perMinute: number): Promise<void> {
    const windowMs = 60_000;
    for (;;) {
      const current = Date.now();
      this.#sentTimes = this.#sentTimes.filter((time) => current - time < windowMs);
      if (this.#sentTimes.length < perMinute) {
        this.#sentTimes.push(current);
        return;
      }
      await new Promise((resolve) =>
        setTimeout(resolve, windowMs - (current - (this.#sentTimes[0] ?? current)) + 5),
      );
    }
  }

  /** Sends `text` to every chat linked to `userId` with notifications on. Returns deliveries. */
  async notifyUser(
    userId: number,
    text: string,
    kind: 'order' | 'trade' | 'general' = 'general',
  ): Promise<number> {
    const chats = await listTelegramUsersOf(this.#options.db, userId);
    let delivered = 0;
    for (const chat of chats) {
      const wanted =
        chat.notifications_enabled &&
        (kind === 'general' ||
          (kind === 'order' && chat.order_notifications) ||
          (kind === 'trade' && chat.trade_notifications));
      if (!wanted) {
        continue;
      }
      try {
        await this.send(chat.telegram_id, text);
        delivered += 1;
      } catch (error) {
        this.#options.logger.warn(
          { err: error, telegramId: chat.telegram_id },
          'telegram notification failed',
        );
      }
    }
    return delivered;
  }
}
