import { useQueryClient } from '@tanstack/react-query';
import { createContext, type ReactNode, useCallback, useContext, useEffect } from 'react';
import { useApi, useApiQuery } from './api/api-context.js';
import type { SessionInfo } from './api/contracts/web-auth.js';
import { authOperations } from './api/operations.js';

/** Who is signed in (from `GET /web/session`), and the CSRF token every mutation needs. */

export type SessionState =
  | { status: 'loading' }
  | { status: 'error'; error: Error; retry: () => void }
  | { status: 'anonymous'; setupRequired: boolean }
  | { status: 'authenticated'; session: SessionInfo };

const SessionContext = createContext<{ state: SessionState; refresh: () => Promise<void> } | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const client = useApi();
  const queryClient = useQueryClient();
  const query = useApiQuery(authOperations.session, undefined, { staleTime: 60_000, retry: 1 });
  const data = query.data?.data;
  useEffect(() => {
    client.setCsrfToken(data?.authenticated ? data.csrf_token : null);
  }, [client, data]);
  const refresh = useCallback(async () => {
    await queryClient.invalidateQueries({ queryKey: [authOperations.session.path] });
  }, [queryClient]);
  let state: SessionState;
  if (query.isPending) {
    state = { status: 'loading' };
  } else if (query.error || !data) {
    state = {
      status: 'error',
      error: query.error ?? new Error('No session'),
      retry: () => void query.refetch(),
    };
  } else if (data.authenticated) {
    // Set before any child effect can send a mutation (the quote poll starts on mount).
    client.setCsrfToken(data.csrf_token);
    state = { status: 'authenticated', session: data };
  } else {
    state = { status: 'anonymous', setupRequired: data.setup_required };
  }
  return <SessionContext.Provider value={{ state, refresh }}>{children}</SessionContext.Provider>;
}

export function useSession() {
  const value = useContext(SessionContext);
  if (!value) {
    throw new Error('useSession needs a SessionProvider');
  }
  return value;
}

export function useAuthenticatedSession(): SessionInfo {
  const { state } = useSession();
  if (state.status !== 'authenticated') {
    throw new Error('not signed in');
  }
  return state.session;
}
