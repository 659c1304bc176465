import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { useApi } from '../api/api-context.js';
import { authOperations } from '../api/operations.js';
import { toast } from '../components/toasts.js';
import { useSession } from '../session.js';

/** Username and password, then the authenticator code when two-factor login is on. */
export function LoginPage() {
  const client = useApi();
  const { refresh } = useSession();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const [loginToken, setLoginToken] = useState<string | null>(null);

  const login = useMutation({
    mutationFn: () => client.call(authOperations.login, { username, password }),
    onSuccess: async (answer) => {
      if (answer.data.authenticated) {
        client.setCsrfToken(answer.data.csrf_token);
        await refresh();
      } else {
        setLoginToken(answer.data.login_token);
      }
    },
    onError: (error) => toast.fromError(error, 'Login failed'),
  });
  const verify = useMutation({
    mutationFn: (token: string) =>
      client.call(authOperations.loginTotp, { login_token: token, code: code.trim() }),
    onSuccess: async (answer) => {
      if (answer.data.authenticated) {
        client.setCsrfToken(answer.data.csrf_token);
        await refresh();
      }
    },
    onError: (error) => toast.fromError(error, 'The code was not accepted'),
  });

  if (loginToken) {
    return (
      <main className="auth-page">
        <form
          className="card auth-card"
          onSubmit={(event) => {
            event.preventDefault();
            verify.mutate(loginToken);
          }}
        >
          <h1>Two-factor code</h1>
          <p className="muted">Enter the 6-digit code from your authenticator app, or a recovery code.</p>
          <label htmlFor="login-code">Code</label>
          <input
            id="login-code"
            value={code}
            inputMode="numeric"
            autoComplete="one-time-code"
            onChange={(e) => setCode(e.target.value)}
          />
          <button type="submit" className="primary" disabled={verify.isPending || code.trim().length < 6}>
            Verify
          </button>
          <button type="button" className="link-button" onClick={() => setLoginToken(null)}>
            Back
          </button>
        </form>
      </main>
    );
  }
  return (
    <main className="auth-page">
      <form
        className="card auth-card"
        onSubmit={(event) => {
          event.preventDefault();
          login.mutate();
        }}
      >
        <h1>Sign in to OpenAlgo</h1>
        <label htmlFor="login-username">Username</label>
        <input
          id="login-username"
          value={username}
          autoComplete="username"
          onChange={(e) => setUsername(e.target.value)}
        />
        <label htmlFor="login-password">Password</label>
        <input
          id="login-password"
          type="password"
          value={password}
          autoComplete="current-password"
          onChange={(e) => setPassword(e.target.value)}
        />
        <button type="submit" className="primary" disabled={login.isPending || !username || !password}>
          {login.isPending ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
