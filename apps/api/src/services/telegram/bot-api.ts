import { z } from 'zod';

/**
 * A small client for the Telegram Bot API (https://core.telegram.org/bots/api): only the
 * methods the bot uses. The base URL is a setting so tests point it at a fake server.
 * Response schemas list only the fields we read and tolerate missing ones.
 */

const envelopeSchema = z.object({
  ok: z.boolean(),
  result: z.unknown().optional(),
  description: z.string().nullish(),
  error_code: z.number().nullish(),
  parameters: z.object({ retry_after: z.number().nullish() }).nullish(),
});

export const telegramUserSchema = z.object({
  id: z.number(),
  is_bot: z.boolean().nullish(),
  first_name: z.string().nullish(),
  last_name: z.string().nullish(),
  username: z.string().nullish(),
});
export type TelegramUser = z.infer<typeof telegramUserSchema>;

export const telegramMessageSchema = z.object({
  message_id: z.number(),
  date: z.number().nullish(),
  chat: z.object({ id: z.number(), type: z.string().nullish() }),
  from: telegramUserSchema.nullish(),
  text: z.string().nullish(),
});
export type TelegramMessage = z.infer<typeof telegramMessageSchema>;

export const telegramUpdateSchema = z.object({
  update_id: z.number(),
  message: telegramMessageSchema.nullish(),
});
export type TelegramUpdate = z.infer<typeof telegramUpdateSchema>;

export class TelegramApiError extends Error {
  constructor(
    message: string,
    readonly errorCode: number | null,
    readonly retryAfterSeconds: number | null,
  ) {
    super(message);
    this.name = 'TelegramApiError';
  }
}

export interface TelegramBotApiOptions {
  token: string;
  /** Default https://api.telegram.org */
  baseUrl?: string;
  fetch?: typeof fetch;
  /** Per-call timeout for ordinary calls, ms. */
  timeoutMs?: number;
}

export class TelegramBotApi {
  readonly #token: string;
  readonly #baseUrl: string;
  readonly #fetch: typeof fetch;
  readonly #timeoutMs: number;

  constructor(options: TelegramBotApiOptions) {
    this.#token = options.token;
    this.#baseUrl = (options.baseUrl ?? 'https://api.telegram.org').replace(/\/+$/, '');
    this.#fetch = options.fetch ?? fetch;
    this.#timeoutMs = options.timeoutMs ?? 10_000;
  }

  async #call(
    method: string,
    body: Record<string, unknown>,
    timeoutMs = this.#timeoutMs,
    signal?: AbortSignal,
  ): Promise<unknown> {
    const timeout = AbortSignal.timeout(timeoutMs);
    const response = await this.#fetch(`${this.#baseUrl}/bot${this.#token}/${method}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
    });
    const text = await response.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new TelegramApiError(
        `Telegram answered ${response.status} with a non-JSON body`,
        response.status,
        null,
      );
    }
    const parsed = envelopeSchema.safeParse(json);
    if (!parsed.success) {
      throw new TelegramApiError('Telegram answered an unexpected body', response.status, null);
    }
    if (!parsed.data.ok) {
      throw new TelegramApiError(
        parsed.data.description ?? `Telegram ${method} failed`,
        parsed.data.error_code ?? response.status,
        parsed.data.parameters?.retry_after ?? null,
      );
    }
    return parsed.data.result;
  }

  async getMe(): Promise<TelegramUser> {
    return telegramUserSchema.parse(await this.#call('getMe', {}));
  }

  async sendMessage(
    chatId: number,
    text: string,
    options: { parseMode?: 'HTML' } = {},
  ): Promise<TelegramMessage> {
    const result = await this.#call('sendMessage', {
      chat_id: chatId,
      text,
      ...(options.parseMode ? { parse_mode: options.parseMode } : {}),
      disable_web_page_preview: true,
    });
    return telegramMessageSchema.parse(result);
  }

  /** Long polling: waits up to `timeoutSeconds` on the server for new updates. */
  async getUpdates(offset: number, timeoutSeconds: number, signal?: AbortSignal): Promise<TelegramUpdate[]> {
    const result = await this.#call(
      'getUpdates',
      { offset, timeout: timeoutSeconds, allowed_updates: ['message'] },
      (timeoutSeconds + 10) * 1_000,
      signal,
    );
    return z.array(telegramUpdateSchema).parse(result);
  }

  async setWebhook(url: string, secretToken: string): Promise<void> {
    await this.#call('setWebhook', { url, secret_token: secretToken, allowed_updates: ['message'] });
  }

  async deleteWebhook(): Promise<void> {
    await this.#call('deleteWebhook', { drop_pending_updates: false });
  }
}
