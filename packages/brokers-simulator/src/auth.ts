import type { BrokerAuth, BrokerSession } from '@openalgo/broker-sdk';
import type { SimulatorControl } from './control.js';

/** The simulator needs no interactive login: a session is issued on request. */
export function createAuth(control: SimulatorControl, brokerId: string): BrokerAuth {
  const issue = (): BrokerSession => {
    const now = control.exchange.now;
    return {
      brokerId,
      accessToken: control.issueToken(),
      userId: 'SIM001',
      issuedAt: now,
      data: {},
    };
  };
  return {
    loginFlow: { kind: 'none' },
    startLogin: async () => ({ kind: 'done', session: issue() }),
    completeLogin: async () => issue(),
    validateSession: async (context) => {
      control.guard('auth', context);
    },
    refreshSession: async () => issue(),
    logout: async () => {},
  };
}
