import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { putSetting } from '@openalgo/db';
import { testBackends } from '@openalgo/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WhatsAppNotifier, WhatsAppOutgoing } from '../../services/whatsapp/notifier.js';
import { FakeTelegramServer } from '../../testing/fake-telegram.js';
import { startTestApp, type TestApp } from '../../testing/test-app.js';

const TOKEN = '123456789:AAE-test_token_abcdefghijklmnopqrstuv';
const UNAUTHORIZED = { status: 'error', message: 'Invalid or missing API key' };
const CHAT = 555_000_111;

describe.each(testBackends())('/telegram/* against a fake Bot API on %s', (backend) => {
  let fake: FakeTelegramServer;
  let t: TestApp;

  beforeAll(async () => {
    fake = new FakeTelegramServer(TOKEN);
    await fake.start();
    fake.addChat({ id: CHAT, firstName: 'Raj', username: 'raj_trades' });
    t = await startTestApp(backend, { env: { TELEGRAM_API_URL: fake.baseUrl } });
  }, 120_000);

  afterAll(async () => {
    await t?.close();
    await fake?.stop();
  });

  const get = (path: string, headers: Record<string, string> = { 'x-api-key': t.apiKey }) =>
    t.request(path, { method: 'GET', headers });
  const post = (path: string, body: Record<string, unknown> = {}) =>
    t.post(path, { apikey: t.apiKey, ...body });

  it('refuses a missing or wrong key with 401, from the body, the header or the query', async () => {
    expect((await get('/api/v1/telegram/config', {})).json).toEqual(UNAUTHORIZED);
    expect((await get('/api/v1/telegram/config', { 'x-api-key': 'nope' })).status).toBe(401);
    expect((await get(`/api/v1/telegram/config?apikey=${t.apiKey}`, {})).status).toBe(200);
    expect((await t.post('/api/v1/telegram/config', { apikey: 'nope' })).status).toBe(401);
    expect((await t.post('/api/v1/telegram/stop', {}, { 'x-api-key': t.apiKey })).status).toBe(200);
    expect((await t.post('/api/v1/telegram/users', {})).status).toBe(405);
  });

  it('cannot start without a token, and notify answers 409 while the bot is stopped', async () => {
    expect((await post('/api/v1/telegram/start')).json).toEqual({
      status: 'error',
      message: 'Bot token not configured',
    });
    const notify = await post('/api/v1/telegram/notify');
    expect(notify.status).toBe(409);
    expect(notify.json).toEqual({
      status: 'error',
      message: 'Telegram bot is stopped. Start the bot to send notifications.',
    });
  });

  it('stores the configuration, token encrypted and shown masked in both fields', async () => {
    expect((await post('/api/v1/telegram/config', { rate_limit_per_minute: 500 })).json).toEqual({
      status: 'error',
      message: 'rate_limit_per_minute must be between 1 and 120',
    });
    expect((await post('/api/v1/telegram/config', { rate_limit_per_minute: 2.5 })).json).toEqual({
      status: 'error',
      message: 'rate_limit_per_minute must be an integer',
    });
    const saved = await post('/api/v1/telegram/config', {
      token: TOKEN,
      rate_limit_per_minute: 60,
      extra: 'ignored',
    });
    expect(saved.json).toEqual({ status: 'success', message: 'Bot configuration updated' });
    const row = await t.database.db.selectFrom('telegram_bot').selectAll().executeTakeFirstOrThrow();
    expect(row.token_enc).not.toContain(TOKEN);
    const config = (await get('/api/v1/telegram/config')).json as { data: Record<string, unknown> };
    expect(config.data).toMatchObject({
      bot_token: `${TOKEN.slice(0, 10)}...`,
      token: `${TOKEN.slice(0, 10)}...`,
      is_active: false,
      max_message_length: 4096,
      rate_limit_per_minute: 60,
      broadcast_enabled: true,
    });
    expect(String(config.data.updated_at)).toMatch(/^\w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} GMT$/);
  });

  it('starts polling, links a chat by API key and lists it', async () => {
    const started = await post('/api/v1/telegram/start');
    expect(started.json).toEqual({ status: 'success', message: 'Bot started in polling mode' });
    expect(
      ((await get('/api/v1/telegram/config')).json as { data: { is_active: boolean; bot_username: string } })
        .data,
    ).toMatchObject({
      is_active: true,
      bot_username: 'openalgo_test_bot',
    });
    fake.userSays(CHAT, `/link ${t.apiKey}`);
    const [reply] = await fake.waitForMessages(CHAT, 1);
    expect(reply?.text).toMatch(/Linked to OpenAlgo user admin/);
    fake.userSays(CHAT, '/status');
    await fake.waitForMessages(CHAT, 2);
    const users = (await get('/api/v1/telegram/users')).json as {
      data: Array<Record<string, unknown>>;
      count: number;
    };
    expect(users.count).toBe(1);
    expect(users.data[0]).toMatchObject({
      telegram_id: CHAT,
      openalgo_username: 'admin',
      first_name: 'Raj',
      telegram_username: 'raj_trades',
      broker: 'simulator',
      notifications_enabled: true,
    });
    expect(
      ((await get('/api/v1/telegram/users?notifications_enabled=false')).json as { count: number }).count,
    ).toBe(0);
  });

  it('notifies a linked user, waiting for delivery or queued', async () => {
    expect((await post('/api/v1/telegram/notify', { username: 'admin' })).json).toEqual({
      status: 'error',
      message: 'Username and message are required',
    });
    expect((await post('/api/v1/telegram/notify', { username: 'nobody', message: 'x' })).status).toBe(404);
    const waited = await post('/api/v1/telegram/notify', {
      username: 'admin',
      message: 'Order filled: SBIN',
      wait_for_delivery: true,
      priority: 42,
    });
    expect(waited.json).toEqual({ status: 'success', message: 'Notification sent successfully' });
    expect(
      fake.sent.some((message) => message.chatId === CHAT && message.text === 'Order filled: SBIN'),
    ).toBe(true);
    const queued = await post('/api/v1/telegram/notify', { username: 'admin', message: 'Queued one' });
    expect(queued.json).toEqual({ status: 'success', message: 'Notification queued for delivery' });
    const messages = await fake.waitForMessages(CHAT, 4);
    expect(messages.at(-1)?.text).toBe('Queued one');
  });

  it('reads and updates preferences by telegram_id', async () => {
    expect((await get('/api/v1/telegram/preferences')).json).toEqual({
      status: 'error',
      message: 'telegram_id is required',
    });
    expect((await post('/api/v1/telegram/preferences', { order_notifications: false })).status).toBe(400);
    expect((await get('/api/v1/telegram/preferences?telegram_id=1')).status).toBe(404);
    const updated = await post('/api/v1/telegram/preferences', {
      telegram_id: CHAT,
      order_notifications: false,
      summary_time: '16:00',
    });
    expect(updated.json).toEqual({ status: 'success', message: 'Preferences updated successfully' });
    expect(
      (await post('/api/v1/telegram/preferences', { telegram_id: CHAT, summary_time: '25:00' })).json,
    ).toEqual({
      status: 'error',
      message: 'summary_time must be HH:MM',
    });
    expect((await get(`/api/v1/telegram/preferences?telegram_id=${CHAT}`)).json).toEqual({
      status: 'success',
      data: {
        order_notifications: false,
        trade_notifications: true,
        pnl_notifications: true,
        daily_summary: false,
        summary_time: '16:00',
        language: 'en',
        timezone: 'Asia/Kolkata',
      },
    });
  });

  it('counts commands in the stats', async () => {
    const stats = (await get('/api/v1/telegram/stats?days=abc')).json as {
      data: {
        total_commands: number;
        commands_by_type: Record<string, number>;
        active_users: number;
        top_users: unknown[];
      };
    };
    expect(stats.data.commands_by_type.status).toBe(1);
    expect(stats.data.total_commands).toBeGreaterThanOrEqual(1);
    expect(stats.data.active_users).toBe(1);
    expect(stats.data.top_users).toEqual([['admin', stats.data.total_commands]]);
  });

  it('broadcasts to linked users, refuses bad messages and a disabled broadcast', async () => {
    expect((await post('/api/v1/telegram/broadcast')).json).toEqual({
      status: 'error',
      message: 'Message is required',
    });
    expect((await post('/api/v1/telegram/broadcast', { message: 'x'.repeat(4097) })).json).toEqual({
      status: 'error',
      message: 'Message must not exceed 4096 characters',
    });
    const sent = await post('/api/v1/telegram/broadcast', { message: 'Markets open' });
    expect(sent.json).toEqual({
      status: 'success',
      message: 'Broadcast sent to 1 users, failed for 0 users',
      success_count: 1,
      fail_count: 0,
    });
    expect(fake.sent.at(-1)).toMatchObject({ chatId: CHAT, text: 'Markets open' });
    await post('/api/v1/telegram/config', { broadcast_enabled: false });
    expect((await post('/api/v1/telegram/broadcast', { message: 'again' })).status).toBe(403);
    await post('/api/v1/telegram/config', { broadcast_enabled: true });
  });

  it('limits broadcast to a fixed 5 per minute per key, whatever the env says', async () => {
    const statuses: number[] = [];
    for (let index = 0; index < 6; index += 1) {
      statuses.push(
        (await t.post('/api/v1/telegram/broadcast', { apikey: 'some-other-key', message: 'x' })).status,
      );
    }
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
  });

  it('stops, then serves webhook mode with the secret header', async () => {
    expect((await post('/api/v1/telegram/stop')).json).toEqual({ status: 'success', message: 'Bot stopped' });
    expect((await post('/api/v1/telegram/notify', { username: 'admin', message: 'x' })).status).toBe(409);
    await post('/api/v1/telegram/config', {
      polling_mode: false,
      webhook_url: 'https://example.invalid/api/v1/telegram/webhook',
    });
    expect((await post('/api/v1/telegram/start')).json).toEqual({
      status: 'success',
      message: 'Bot initialized for webhook mode',
    });
    const secret = createHash('sha256').update(TOKEN).digest('hex').slice(0, 32);
    expect(fake.webhook).toEqual({ url: 'https://example.invalid/api/v1/telegram/webhook', secret });

    const webhook = (body: string, headers: Record<string, string>) =>
      t.request('/api/v1/telegram/webhook', {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body,
      });
    const update = JSON.stringify({
      update_id: 9001,
      message: {
        message_id: 1,
        chat: { id: CHAT, type: 'private' },
        from: { id: CHAT, first_name: 'Raj' },
        text: '/status',
      },
    });
    const missing = await webhook(update, {});
    expect([missing.status, missing.text, missing.contentType]).toEqual([
      401,
      'Unauthorized',
      'text/plain; charset=utf-8',
    ]);
    const wrong = await webhook(update, { 'x-telegram-bot-api-secret-token': 'x'.repeat(32) });
    expect([wrong.status, wrong.text]).toEqual([403, 'Forbidden']);
    const noId = await webhook('{"message":{}}', { 'x-telegram-bot-api-secret-token': secret });
    expect([noId.status, noId.text]).toEqual([400, 'Bad Request']);
    const before = fake.sent.length;
    const accepted = await webhook(update, { 'x-telegram-bot-api-secret-token': secret });
    expect([accepted.status, accepted.text]).toEqual([200, '']);
    const replies = await fake.waitForMessages(
      CHAT,
      fake.sent.filter((message) => message.chatId === CHAT).length + 1,
    );
    expect(fake.sent.length).toBeGreaterThan(before);
    expect(replies.at(-1)?.text).toMatch(/^Linked\. Broker: simulator/);
    await post('/api/v1/telegram/stop');
  });
});

class RecordingWhatsApp implements WhatsAppNotifier {
  readonly sent: WhatsAppOutgoing[] = [];
  connected = true;
  failFor = new Set<string>();
  isConnected(): boolean {
    return this.connected;
  }
  ownNumber(): string | null {
    return '919800000001';
  }
  async send(message: WhatsAppOutgoing): Promise<void> {
    if (this.failFor.has(message.to)) {
      throw new Error('recipient is not on WhatsApp');
    }
    this.sent.push(message);
  }
}

describe('POST /whatsapp/notify', () => {
  let unpaired: TestApp;
  let t: TestApp;
  const whatsapp = new RecordingWhatsApp();

  beforeAll(async () => {
    unpaired = await startTestApp('pglite');
    t = await startTestApp('pglite', { whatsapp });
  }, 120_000);

  afterAll(async () => {
    await unpaired?.close();
    await t?.close();
  });

  it('answers 409 "not paired" without a provider, before looking at the payload', async () => {
    const response = await unpaired.post('/api/v1/whatsapp/notify', { apikey: unpaired.apiKey });
    expect(response.status).toBe(409);
    expect(response.json).toEqual({
      status: 'error',
      message:
        'WhatsApp is not paired or not connected. Pair the device first from the /whatsapp page in OpenAlgo before sending.',
    });
    expect((await unpaired.post('/api/v1/whatsapp/notify', { apikey: 'bad' })).json).toEqual(UNAUTHORIZED);
  });

  it('delivers to self, to a list (first five valid), to a phone and to a linked user', async () => {
    const self = await t.post('/api/v1/whatsapp/notify', { apikey: t.apiKey, self: true, message: 'hi me' });
    expect(self.json).toEqual({
      status: 'success',
      message: 'Delivered to 1, failed 0',
      data: { sent: ['919800000001@s.whatsapp.net'], failed: [], skipped: 0 },
    });
    whatsapp.failFor.add('919800000003@s.whatsapp.net');
    const list = await t.request(`/api/v1/whatsapp/notify?apikey=${t.apiKey}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        phones: ['919800000002', 'abc', '919800000003', '919800000004', '919800000005', '919800000006'],
        phone: '919800000009',
        message: 'list',
      }),
    });
    expect(list.json).toEqual({
      status: 'success',
      message: 'Delivered to 3, failed 1',
      data: {
        sent: ['919800000002@s.whatsapp.net', '919800000004@s.whatsapp.net', '919800000005@s.whatsapp.net'],
        failed: [{ to: '919800000003@s.whatsapp.net', error: 'recipient is not on WhatsApp' }],
        skipped: 0,
      },
    });
    const queued = await t.post(
      '/api/v1/whatsapp/notify',
      { phone: '919800000007', message: 'later', wait_for_delivery: false },
      { 'x-api-key': t.apiKey },
    );
    expect(queued.json).toEqual({ status: 'success', message: 'Queued for 1 recipient(s)', queued: 1 });
    expect(
      (await t.post('/api/v1/whatsapp/notify', { apikey: t.apiKey, username: 'admin', message: 'x' })).status,
    ).toBe(404);
    await putSetting(t.database.db, 'whatsapp_links', { admin: '919800000008' });
    const linked = await t.post('/api/v1/whatsapp/notify', {
      apikey: t.apiKey,
      username: 'admin',
      message: 'linked',
    });
    expect((linked.json as { data: { sent: string[] } }).data.sent).toEqual(['919800000008@s.whatsapp.net']);
    expect(
      whatsapp.sent.some(
        (message) => message.to === '919800000007@s.whatsapp.net' && message.text === 'later',
      ),
    ).toBe(true);
  });

  it('answers the payload errors of the contract', async () => {
    const send = (body: Record<string, unknown>) =>
      t.post('/api/v1/whatsapp/notify', { apikey: t.apiKey, ...body });
    const expectMessage = async (body: Record<string, unknown>, message: string) => {
      const response = await send(body);
      expect(response.status).toBe(400);
      expect(response.json).toEqual({ status: 'error', message });
    };
    await expectMessage(
      { phone: '919800000002' },
      'Provide at least one of: message, image_path, document_path',
    );
    await expectMessage(
      { phone: '919800000002', message: 'x'.repeat(4097) },
      'Message must not exceed 4096 characters',
    );
    await expectMessage({ message: 'x' }, "Specify one of: 'self', 'username', 'phone', or 'phones'");
    await expectMessage({ phones: '919800000002', message: 'x' }, "'phones' must be a list");
    await expectMessage({ phones: ['12'], message: 'x' }, 'No valid phones in list');
    await expectMessage({ phone: '+91 98', message: 'x' }, 'Invalid phone number');
    await expectMessage({ phone: '919800000002', image_path: '/etc/passwd' }, 'image_path is not allowed');
    await expectMessage(
      { phone: '919800000002', document_path: join(t.config.dataDir, 'attachments', '..', 'secrets.env') },
      'document_path is not allowed',
    );
  });

  it('attaches files from the allowlisted folder', async () => {
    const folder = join(t.config.dataDir, 'attachments');
    mkdirSync(folder, { recursive: true });
    const file = join(folder, 'report.pdf');
    writeFileSync(file, 'pdf');
    const response = await t.post('/api/v1/whatsapp/notify', {
      apikey: t.apiKey,
      phone: '919800000010',
      document_path: file,
      filename: 'report.pdf',
    });
    expect(response.status).toBe(200);
    expect(whatsapp.sent.at(-1)).toMatchObject({
      to: '919800000010@s.whatsapp.net',
      documentPath: file,
      filename: 'report.pdf',
    });
  });
});
