import { randomBytes } from 'node:crypto';
import {
  AuthenticationError,
  type BrokerAdapter,
  type BrokerSession,
  type Logger,
  NotSupportedError,
} from '@openalgo/broker-sdk';
import type { BrokerSessionService } from './broker-sessions.js';
import type { MasterContractService } from './master-contract.js';

/**
 * Interactive broker login for OAuth-style brokers (Zerodha first): `start` mints an anti-CSRF
 * state and returns the broker's login URL; `complete` takes the callback parameters, checks the
 * state, lets the adapter exchange the one-time code, stores the session encrypted, and starts
 * the master-contract download. States live in memory for ten minutes (one api instance serves
 * a login from start to callback).
 */

const STATE_TTL_MS = 10 * 60_000;

export interface BrokerLoginOptions {
  broker: BrokerAdapter;
  sessions: BrokerSessionService;
  masterContract: MasterContractService;
  logger: Logger;
  now: () => number;
  /** Where the broker sends the browser back (must match the broker app's registered URL). */
  redirectUrl: string;
  /** Told after a new session was stored. */
  onLogin?: () => void;
}

export class BrokerLoginService {
  readonly #options: BrokerLoginOptions;
  readonly #states = new Map<string, { userId: number; expiresAt: number }>();

  constructor(options: BrokerLoginOptions) {
    this.#options = options;
  }

  get broker(): BrokerAdapter {
    return this.#options.broker;
  }

  async start(userId: number): Promise<{ url: string; state: string }> {
    const { broker, logger, now, redirectUrl } = this.#options;
    if (broker.auth.loginFlow.kind !== 'oauth-redirect') {
      throw new NotSupportedError(`${broker.displayName} does not log in through a redirect`, {
        context: { broker: broker.id },
      });
    }
    this.#purge();
    const state = randomBytes(18)
      .toString('base64url')
      .replace(/[^A-Za-z0-9]/g, '');
    this.#states.set(state, { userId, expiresAt: now() + STATE_TTL_MS });
    const step = await broker.auth.startLogin({ redirectUrl, state, logger, now });
    if (step.kind !== 'redirect') {
      throw new NotSupportedError(`${broker.displayName} login did not start with a redirect`, {
        context: { broker: broker.id },
      });
    }
    return { url: step.url, state };
  }

  /**
   * A broker that logs in with a form (client id, PIN, TOTP…): the adapter checks the fields
   * with the broker and the session is stored as after a redirect.
   */
  async connectWithCredentials(
    userId: number,
    fields: Readonly<Record<string, string>>,
  ): Promise<{ session: BrokerSession }> {
    const { broker, logger, now, redirectUrl } = this.#options;
    if (broker.auth.loginFlow.kind !== 'credential-form') {
      throw new NotSupportedError(`${broker.displayName} does not log in with a form`, {
        context: { broker: broker.id },
      });
    }
    const session = await broker.auth.completeLogin(fields, { redirectUrl, state: '', logger, now });
    await this.#store(userId, session);
    return { session };
  }

  async #store(userId: number, session: BrokerSession): Promise<void> {
    const { broker, logger, sessions, masterContract } = this.#options;
    await sessions.store(userId, {
      broker: broker.id,
      brokerUserId: session.userId ?? null,
      accessToken: session.accessToken,
      feedToken: session.feedToken ?? null,
      metadata: { ...session.data },
    });
    logger.info({ broker: broker.id, userId, brokerUserId: session.userId }, 'broker login completed');
    this.#options.onLogin?.();
    // The symbol master downloads in the background; the status route reports its progress.
    void masterContract.load(broker.instruments.requiresSession ? session : undefined);
  }

  /** Completes a login from the callback; the state must be one we issued and not yet used. */
  async complete(
    input: Readonly<Record<string, string>>,
  ): Promise<{ userId: number; session: BrokerSession }> {
    const { broker, logger, now, redirectUrl } = this.#options;
    this.#purge();
    const state = input.state ?? '';
    const pending = this.#states.get(state);
    this.#states.delete(state);
    if (!pending) {
      throw new AuthenticationError('This broker login was not started here or has expired: start it again', {
        context: { broker: broker.id },
      });
    }
    const session = await broker.auth.completeLogin(input, { redirectUrl, state, logger, now });
    await this.#store(pending.userId, session);
    return { userId: pending.userId, session };
  }

  #purge(): void {
    const now = this.#options.now();
    for (const [state, pending] of this.#states) {
      if (pending.expiresAt <= now) {
        this.#states.delete(state);
      }
    }
  }
}
