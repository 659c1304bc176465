import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase, testBackends } from '../testing.js';
import { insertApiKey } from './api-keys.js';
import {
  advanceTotpStep,
  attemptAuthChallenge,
  clearFailedLogins,
  consumeAuthChallenge,
  countUnusedRecoveryCodes,
  deleteIpBan,
  findLiveWebSession,
  insertAuditEvents,
  insertAuthChallenge,
  insertWebSession,
  listActiveIpBans,
  listAuditEvents,
  listLiveWebSessions,
  recordFailedLogin,
  replaceRecoveryCodes,
  revokeWebSession,
  revokeWebSessionsOfUser,
  touchWebSession,
  upsertIpBan,
  useRecoveryCode,
} from './security.js';
import { findUserById, insertUser } from './users.js';

const T0 = Date.UTC(2026, 0, 5, 6, 0, 0);
const at = (offsetMs: number) => new Date(T0 + offsetMs);
const MINUTE = 60_000;

describe.each(testBackends())('security queries on %s', (backend) => {
  let handle: TestDatabase;
  let userId: number;

  beforeAll(async () => {
    handle = await createTestDatabase(backend);
    const user = await insertUser(handle.db, { username: 'trader', password_hash: 'x', is_admin: true });
    userId = user.id;
    await insertApiKey(handle.db, {
      user_id: userId,
      key_hash: 'h1',
      key_prefix: 'abcd',
      order_mode: 'semi_auto',
    });
  }, 120_000);

  afterAll(async () => {
    await handle?.close();
  });

  it('finds a session only while it is live, not idle and not revoked', async () => {
    await insertWebSession(handle.db, {
      token_hash: 'tok-a',
      public_id: 'ses_a',
      user_id: userId,
      created_at: at(0),
      last_seen_at: at(0),
      expires_at: at(60 * MINUTE),
      ip: '127.0.0.1',
      user_agent: 'test',
    });
    const live = await findLiveWebSession(handle.db, 'tok-a', { now: at(MINUTE), idleSince: at(-MINUTE) });
    expect(live).toMatchObject({
      username: 'trader',
      is_admin: true,
      order_mode: 'semi_auto',
      public_id: 'ses_a',
    });
    // Idle: last seen before the idle cut-off.
    expect(
      await findLiveWebSession(handle.db, 'tok-a', { now: at(MINUTE), idleSince: at(0) }),
    ).toBeUndefined();
    await touchWebSession(handle.db, 'tok-a', at(2 * MINUTE));
    expect(
      await findLiveWebSession(handle.db, 'tok-a', { now: at(3 * MINUTE), idleSince: at(MINUTE) }),
    ).toBeDefined();
    // Expired: past expires_at whatever the idle window.
    expect(
      await findLiveWebSession(handle.db, 'tok-a', { now: at(60 * MINUTE), idleSince: at(-MINUTE) }),
    ).toBeUndefined();
    expect(await revokeWebSession(handle.db, 'tok-a', at(3 * MINUTE))).toBe(1);
    expect(await revokeWebSession(handle.db, 'tok-a', at(3 * MINUTE))).toBe(0);
    expect(
      await findLiveWebSession(handle.db, 'tok-a', { now: at(3 * MINUTE), idleSince: at(-MINUTE) }),
    ).toBeUndefined();
  });

  it('revokes every session of a user but the one kept', async () => {
    for (const name of ['b', 'c', 'd']) {
      await insertWebSession(handle.db, {
        token_hash: `tok-${name}`,
        public_id: `ses_${name}`,
        user_id: userId,
        created_at: at(0),
        last_seen_at: at(0),
        expires_at: at(60 * MINUTE),
        ip: null,
        user_agent: null,
      });
    }
    const window = { now: at(MINUTE), idleSince: at(-MINUTE) };
    expect((await listLiveWebSessions(handle.db, userId, window)).map((row) => row.public_id).sort()).toEqual(
      ['ses_b', 'ses_c', 'ses_d'],
    );
    expect(await revokeWebSessionsOfUser(handle.db, userId, at(MINUTE), 'tok-c')).toBe(2);
    expect((await listLiveWebSessions(handle.db, userId, window)).map((row) => row.public_id)).toEqual([
      'ses_c',
    ]);
  });

  it('counts challenge attempts atomically and consumes a challenge once', async () => {
    await insertAuthChallenge(handle.db, {
      token_hash: 'ch-1',
      user_id: userId,
      purpose: 'login_totp',
      created_at: at(0),
      expires_at: at(5 * MINUTE),
    });
    const input = { tokenHash: 'ch-1', purpose: 'login_totp' as const, now: at(MINUTE), maxAttempts: 3 };
    const attempts = await Promise.all([1, 2, 3, 4, 5].map(() => attemptAuthChallenge(handle.db, input)));
    expect(attempts.filter((row) => row !== undefined)).toHaveLength(3);
    expect(await consumeAuthChallenge(handle.db, 'ch-1', at(MINUTE))).toBe(true);
    expect(await consumeAuthChallenge(handle.db, 'ch-1', at(MINUTE))).toBe(false);

    await insertAuthChallenge(handle.db, {
      token_hash: 'ch-2',
      user_id: userId,
      purpose: 'login_totp',
      created_at: at(0),
      expires_at: at(5 * MINUTE),
    });
    expect(
      await attemptAuthChallenge(handle.db, { ...input, tokenHash: 'ch-2', now: at(5 * MINUTE) }),
    ).toBeUndefined();
  });

  it('uses each recovery code once, even when presented twice at once', async () => {
    await replaceRecoveryCodes(handle.db, userId, ['r1', 'r2', 'r3'], at(0));
    expect(await countUnusedRecoveryCodes(handle.db, userId)).toBe(3);
    const results = await Promise.all([
      useRecoveryCode(handle.db, userId, 'r2', at(1)),
      useRecoveryCode(handle.db, userId, 'r2', at(1)),
    ]);
    expect(results.sort()).toEqual([false, true]);
    expect(await useRecoveryCode(handle.db, userId, 'nope', at(1))).toBe(false);
    expect(await countUnusedRecoveryCodes(handle.db, userId)).toBe(2);
    await replaceRecoveryCodes(handle.db, userId, ['r4'], at(2));
    expect(await useRecoveryCode(handle.db, userId, 'r1', at(3))).toBe(false);
    expect(await countUnusedRecoveryCodes(handle.db, userId)).toBe(1);
  });

  it('locks the account when failed logins reach the threshold', async () => {
    const lockUntil = at(15 * MINUTE);
    const first = await recordFailedLogin(handle.db, { userId, threshold: 3, lockUntil });
    expect(first).toEqual({ failedCount: 1, lockedUntil: null });
    await recordFailedLogin(handle.db, { userId, threshold: 3, lockUntil });
    const third = await recordFailedLogin(handle.db, { userId, threshold: 3, lockUntil });
    expect(third.failedCount).toBe(0);
    expect(third.lockedUntil?.getTime()).toBe(lockUntil.getTime());
    await clearFailedLogins(handle.db, userId);
    const user = await findUserById(handle.db, userId);
    expect(user).toMatchObject({ failed_login_count: 0, locked_until: null });
  });

  it('accepts each TOTP time step once and never an older one', async () => {
    expect(await advanceTotpStep(handle.db, userId, 100)).toBe(true);
    expect(await advanceTotpStep(handle.db, userId, 100)).toBe(false);
    expect(await advanceTotpStep(handle.db, userId, 99)).toBe(false);
    expect(await advanceTotpStep(handle.db, userId, 101)).toBe(true);
  });

  it('keeps bans until they expire; a new ban replaces the old one', async () => {
    await upsertIpBan(handle.db, { ip: '203.0.113.5', reason: 'test', source: 'manual', created_at: at(0) });
    await upsertIpBan(handle.db, {
      ip: '203.0.113.6',
      reason: 'auto',
      source: 'auto',
      created_at: at(0),
      expires_at: at(MINUTE),
    });
    expect((await listActiveIpBans(handle.db, at(1))).map((row) => row.ip).sort()).toEqual([
      '203.0.113.5',
      '203.0.113.6',
    ]);
    expect((await listActiveIpBans(handle.db, at(MINUTE))).map((row) => row.ip)).toEqual(['203.0.113.5']);
    await upsertIpBan(handle.db, {
      ip: '203.0.113.5',
      reason: 'again',
      source: 'manual',
      created_at: at(2),
      expires_at: at(10),
    });
    expect((await listActiveIpBans(handle.db, at(20))).map((row) => row.ip)).toEqual(['203.0.113.6']);
    expect(await deleteIpBan(handle.db, '203.0.113.5')).toBe(true);
    expect(await deleteIpBan(handle.db, '203.0.113.5')).toBe(false);
  });

  it('stores audit events with their detail and pages them newest first', async () => {
    await insertAuditEvents(handle.db, [
      { at: at(0), event: 'login.failed', user_id: userId, ip: '127.0.0.1', detail: { reason: 'password' } },
      { at: at(1), event: 'login.succeeded', user_id: userId, ip: '127.0.0.1', detail: {} },
      { at: at(2), event: 'logout', user_id: userId, ip: null, detail: { sessions: 1 } },
    ]);
    const all = await listAuditEvents(handle.db, {});
    expect(all.map((row) => row.event)).toEqual(['logout', 'login.succeeded', 'login.failed']);
    expect(all[2]?.detail).toEqual({ reason: 'password' });
    const older = await listAuditEvents(handle.db, { beforeId: all[0]?.id ?? 0, limit: 1 });
    expect(older.map((row) => row.event)).toEqual(['login.succeeded']);
    expect((await listAuditEvents(handle.db, { event: 'logout' })).map((row) => row.event)).toEqual([
      'logout',
    ]);
  });
});
