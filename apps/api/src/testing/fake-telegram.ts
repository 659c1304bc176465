import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A fake Telegram Bot API server for tests, built from the public Bot API documentation:
 * `POST /bot<token>/<method>` with a JSON body, answers `{"ok":true,"result":…}` or
 * `{"ok":false,"error_code":…,"description":…}`; `getUpdates` long-polls; an unknown token
 * answers 401 "Unauthorized"; sending to an unknown chat answers 400 "Bad Request: chat not
 * found". Tests inject user messages and read what the bot sent.
 */

export interface FakeChat {
  id: number;
  firstName: string;
  username?: string;
}

export interface SentMessage {
  chatId: number;
  text: string;
  parseMode: string | null;
}

interface PendingPoll {
  offset: number;
  respond: (updates: unknown[]) => void;
  timer: NodeJS.Timeout;
}

export class FakeTelegramServer {
  readonly sent: SentMessage[] = [];
  readonly calls: Array<{ method: string; body: Record<string, unknown> }> = [];
  readonly #chats = new Map<number, FakeChat>();
  readonly #updates: Array<{ update_id: number; message: Record<string, unknown> }> = [];
  readonly #polls = new Set<PendingPoll>();
  readonly #messageWaiters = new Set<() => void>();
  #server: Server | null = null;
  #nextUpdateId = 1_000;
  #nextMessageId = 1;
  #webhook: { url: string; secret: string } | null = null;
  /** Answer the next N sendMessage calls with 429 (retry_after 1). */
  rateLimitNext = 0;

  constructor(
    readonly token: string,
    readonly botUsername = 'openalgo_test_bot',
  ) {}

  get baseUrl(): string {
    const address = this.#server?.address() as AddressInfo | null;
    if (!address) {
      throw new Error('fake telegram server is not listening');
    }
    return `http://127.0.0.1:${address.port}`;
  }

  get webhook(): { url: string; secret: string } | null {
    return this.#webhook;
  }

  async start(): Promise<void> {
    this.#server = createServer((request, response) => void this.#handle(request, response));
    await new Promise<void>((resolve) => this.#server?.listen(0, '127.0.0.1', resolve));
  }

  async stop(): Promise<void> {
    for (const poll of this.#polls) {
      clearTimeout(poll.timer);
      poll.respond([]);
    }
    this.#polls.clear();
    await new Promise<void>((resolve) => {
      this.#server?.closeAllConnections();
      this.#server?.close(() => resolve());
    });
  }

  addChat(chat: FakeChat): void {
    this.#chats.set(chat.id, chat);
  }

  /** A user types `text` to the bot. */
  userSays(chatId: number, text: string): void {
    const chat = this.#chats.get(chatId);
    if (!chat) {
      throw new Error(`unknown chat ${chatId}`);
    }
    const update = {
      update_id: this.#nextUpdateId++,
      message: {
        message_id: this.#nextMessageId++,
        date: Math.floor(Date.now() / 1_000),
        chat: { id: chat.id, type: 'private' },
        from: { id: chat.id, is_bot: false, first_name: chat.firstName, username: chat.username },
        text,
      },
    };
    this.#updates.push(update);
    for (const poll of [...this.#polls]) {
      const ready = this.#updates.filter((candidate) => candidate.update_id >= poll.offset);
      if (ready.length > 0) {
        clearTimeout(poll.timer);
        this.#polls.delete(poll);
        poll.respond(ready);
      }
    }
  }

  /** Resolves once `count` messages in total have been sent to `chatId` (or times out). */
  async waitForMessages(chatId: number, count: number, timeoutMs = 5_000): Promise<SentMessage[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const messages = this.sent.filter((message) => message.chatId === chatId);
      if (messages.length >= count) {
        return messages;
      }
      if (Date.now() > deadline) {
        throw new Error(
          `expected ${count} messages to chat ${chatId}, got ${messages.length}: ${JSON.stringify(messages)}`,
        );
      }
      await new Promise<void>((resolve) => {
        const done = () => {
          this.#messageWaiters.delete(done);
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(done, 50);
        this.#messageWaiters.add(done);
      });
    }
  }

  async #readBody(request: IncomingMessage): Promise<Record<string, unknown>> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) {
      chunks.push(chunk as Buffer);
    }
    const text = Buffer.concat(chunks).toString('utf8');
    if (!text) {
      return {};
    }
    if ((request.headers['content-type'] ?? '').includes('application/json')) {
      return JSON.parse(text) as Record<string, unknown>;
    }
    return Object.fromEntries(new URLSearchParams(text));
  }

  #send(response: ServerResponse, status: number, body: unknown): void {
    response.writeHead(status, { 'content-type': 'application/json' });
    response.end(JSON.stringify(body));
  }

  async #handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const match = /^\/bot([^/]+)\/(\w+)$/.exec(request.url ?? '');
    if (!match) {
      this.#send(response, 404, { ok: false, error_code: 404, description: 'Not Found' });
      return;
    }
    const [, token, method] = match;
    if (token !== this.token) {
      this.#send(response, 401, { ok: false, error_code: 401, description: 'Unauthorized' });
      return;
    }
    let body: Record<string, unknown>;
    try {
      body = await this.#readBody(request);
    } catch {
      this.#send(response, 400, { ok: false, error_code: 400, description: "Bad Request: can't parse JSON" });
      return;
    }
    this.calls.push({ method: method ?? '', body });
    switch (method) {
      case 'getMe':
        this.#send(response, 200, {
          ok: true,
          result: { id: 424242, is_bot: true, first_name: 'OpenAlgo', username: this.botUsername },
        });
        return;
      case 'sendMessage': {
        if (this.rateLimitNext > 0) {
          this.rateLimitNext -= 1;
          this.#send(response, 429, {
            ok: false,
            error_code: 429,
            description: 'Too Many Requests: retry after 1',
            parameters: { retry_after: 1 },
          });
          return;
        }
        const chatId = Number(body.chat_id);
        const text = typeof body.text === 'string' ? body.text : '';
        if (!this.#chats.has(chatId)) {
          this.#send(response, 400, {
            ok: false,
            error_code: 400,
            description: 'Bad Request: chat not found',
          });
          return;
        }
        if (text.length === 0 || text.length > 4_096) {
          this.#send(response, 400, {
            ok: false,
            error_code: 400,
            description: 'Bad Request: message text is empty or too long',
          });
          return;
        }
        this.sent.push({
          chatId,
          text,
          parseMode: typeof body.parse_mode === 'string' ? body.parse_mode : null,
        });
        for (const waiter of [...this.#messageWaiters]) {
          waiter();
        }
        this.#send(response, 200, {
          ok: true,
          result: {
            message_id: this.#nextMessageId++,
            date: Math.floor(Date.now() / 1_000),
            chat: { id: chatId, type: 'private' },
            text,
          },
        });
        return;
      }
      case 'getUpdates': {
        if (this.#webhook) {
          this.#send(response, 409, {
            ok: false,
            error_code: 409,
            description:
              "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first",
          });
          return;
        }
        const offset = Number(body.offset ?? 0);
        // Confirming an offset forgets earlier updates, as Telegram does.
        this.#updates.splice(0, this.#updates.filter((update) => update.update_id < offset).length);
        const ready = this.#updates.filter((update) => update.update_id >= offset);
        const timeoutSeconds = Math.min(Number(body.timeout ?? 0), 50);
        if (ready.length > 0 || timeoutSeconds <= 0) {
          this.#send(response, 200, { ok: true, result: ready });
          return;
        }
        const poll: PendingPoll = {
          offset,
          respond: (updates) => this.#send(response, 200, { ok: true, result: updates }),
          timer: setTimeout(() => {
            this.#polls.delete(poll);
            poll.respond([]);
          }, timeoutSeconds * 1_000),
        };
        this.#polls.add(poll);
        request.on('close', () => {
          if (this.#polls.delete(poll)) {
            clearTimeout(poll.timer);
          }
        });
        return;
      }
      case 'setWebhook':
        this.#webhook = { url: String(body.url ?? ''), secret: String(body.secret_token ?? '') };
        this.#send(response, 200, { ok: true, result: true, description: 'Webhook was set' });
        return;
      case 'deleteWebhook':
        this.#webhook = null;
        this.#send(response, 200, { ok: true, result: true, description: 'Webhook was deleted' });
        return;
      default:
        this.#send(response, 404, { ok: false, error_code: 404, description: 'Not Found: method not found' });
    }
  }
}
