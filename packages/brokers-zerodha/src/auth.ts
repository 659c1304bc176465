import { createHash } from 'node:crypto';
import {
  AuthenticationError,
  type BrokerAuth,
  type BrokerContext,
  type BrokerSession,
  type LoginContext,
  type LoginInput,
  type LoginStep,
  OpenAlgoError,
} from '@openalgo/broker-sdk';
import type { KiteHttpClient } from './kite-http.js';
import { nextIstTime } from './time.js';
import { kiteProfileSchema, kiteSessionSchema, parseKite } from './zerodha-api-schemas.js';

/**
 * Kite Connect login (spec/brokers.md §3.a "Auth"): the browser goes to Kite's login page with
 * our API key; Kite sends it back to the app's registered redirect URL with a one-time
 * `request_token`, which we exchange at `POST /session/token` with
 * `checksum = hex(sha256(api_key + request_token + api_secret))`.
 */

/** Kite access tokens die at 06:00 IST the next morning (earlier on logout or a new login). */
const KITE_TOKEN_EXPIRY_HOUR_IST = 6;

export function kiteChecksum(apiKey: string, requestToken: string, apiSecret: string): string {
  return createHash('sha256')
    .update(apiKey + requestToken + apiSecret)
    .digest('hex');
}

export interface AuthOptions {
  apiKey: string;
  apiSecret: string;
  loginUrl: string;
}

export function createAuth(http: KiteHttpClient, options: AuthOptions): BrokerAuth {
  return {
    loginFlow: {
      kind: 'oauth-redirect',
      callbackParams: ['request_token', 'status', 'action', 'state'],
      // Kite echoes `redirect_params` back to the redirect URL, so our anti-CSRF state survives.
      stateRequired: true,
    },

    async startLogin(context: LoginContext): Promise<LoginStep> {
      // The redirect URL itself is registered in Kite's developer console, not sent here.
      const url = new URL(options.loginUrl);
      url.searchParams.set('v', '3');
      url.searchParams.set('api_key', options.apiKey);
      url.searchParams.set('redirect_params', new URLSearchParams({ state: context.state }).toString());
      return { kind: 'redirect', url: url.toString() };
    },

    async completeLogin(input: LoginInput, context: LoginContext): Promise<BrokerSession> {
      if (input.status !== undefined && input.status !== 'success') {
        throw new AuthenticationError(`Zerodha login did not succeed (status ${input.status})`, {
          context: { broker: 'zerodha', status: input.status },
        });
      }
      if (input.state !== context.state) {
        throw new AuthenticationError(
          'Zerodha login callback does not belong to this login (state mismatch)',
          {
            context: { broker: 'zerodha' },
          },
        );
      }
      const requestToken = input.request_token;
      if (!requestToken || !/^[A-Za-z0-9]+$/.test(requestToken)) {
        throw new AuthenticationError('Zerodha login callback has no valid request_token', {
          context: { broker: 'zerodha' },
        });
      }
      let data: unknown;
      try {
        data = await http.requestData({
          method: 'POST',
          path: '/session/token',
          form: [
            ['api_key', options.apiKey],
            ['request_token', requestToken],
            ['checksum', kiteChecksum(options.apiKey, requestToken, options.apiSecret)],
          ],
          kind: 'write',
          operation: 'completeLogin',
          signal: context.signal,
        });
      } catch (error) {
        // A refused exchange (bad checksum, used or expired request token) is a failed login.
        if (OpenAlgoError.isInstance(error) && !error.retryable) {
          const reason =
            typeof error.context.brokerMessage === 'string' ? error.context.brokerMessage : error.message;
          throw new AuthenticationError(`Zerodha refused the login: ${reason}`, {
            cause: error,
            context: { broker: 'zerodha', httpStatus: error.brokerStatus ?? null },
          });
        }
        throw error;
      }
      const session = parseKite(kiteSessionSchema, data, 'completeLogin');
      const issuedAt = context.now();
      const extra: Record<string, string> = {};
      if (session.user_name) {
        extra.userName = session.user_name;
      }
      if (session.login_time) {
        extra.loginTime = session.login_time;
      }
      const result: BrokerSession = {
        brokerId: 'zerodha',
        accessToken: session.access_token,
        userId: session.user_id,
        issuedAt,
        expiresAt: nextIstTime(issuedAt, KITE_TOKEN_EXPIRY_HOUR_IST),
        data: extra,
      };
      if (session.public_token) {
        result.feedToken = session.public_token;
      }
      return result;
    },

    /** Throws `TokenExpiredError` ("log in again") when Kite no longer accepts the token. */
    async validateSession(context: BrokerContext): Promise<void> {
      const data = await http.requestData({
        method: 'GET',
        path: '/user/profile',
        accessToken: context.session.accessToken,
        kind: 'read',
        operation: 'validateSession',
        signal: context.signal,
      });
      parseKite(kiteProfileSchema, data, 'validateSession');
    },

    async logout(context: BrokerContext): Promise<void> {
      await http.requestData({
        method: 'DELETE',
        path: '/session/token',
        query: [
          ['api_key', options.apiKey],
          ['access_token', context.session.accessToken],
        ],
        accessToken: context.session.accessToken,
        kind: 'write',
        operation: 'logout',
        signal: context.signal,
      });
    },
  };
}
