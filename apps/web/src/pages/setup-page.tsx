import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { useApi } from '../api/api-context.js';
import { setupBodySchema } from '../api/contracts/web-auth.js';
import { authOperations } from '../api/operations.js';
import { CopyButton } from '../components/copy-button.js';
import { toast } from '../components/toasts.js';
import { useSession } from '../session.js';

/** First run: create the single admin account; the API key is shown once. */
export function SetupPage() {
  const client = useApi();
  const { refresh } = useSession();
  const [username, setUsername] = useState('admin');
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [apiKey, setApiKey] = useState<string | null>(null);
  const setup = useMutation({
    mutationFn: () => client.call(authOperations.setup, { username, password }),
    onSuccess: (answer) => {
      client.setCsrfToken(answer.data.csrf_token);
      setApiKey(answer.data.apikey);
    },
    onError: (error) => toast.fromError(error, 'Setup failed'),
  });

  if (apiKey) {
    return (
      <main className="auth-page">
        <section className="card auth-card">
          <h1>Your API key</h1>
          <p>
            Strategies and scripts use this key with <code>/api/v1</code>. It is shown{' '}
            <strong>only now</strong>: copy it somewhere safe. You can rotate it later.
          </p>
          <div className="secret" data-testid="setup-apikey">
            <code>{apiKey}</code>
            <CopyButton text={apiKey} />
          </div>
          <button type="button" className="primary" onClick={() => void refresh()}>
            Continue
          </button>
        </section>
      </main>
    );
  }

  return (
    <main className="auth-page">
      <form
        className="card auth-card"
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          const checked = setupBodySchema.safeParse({ username, password });
          if (!checked.success) {
            setProblem(checked.error.issues[0]?.message ?? 'Check the form');
            return;
          }
          if (password !== confirm) {
            setProblem('The passwords do not match.');
            return;
          }
          setProblem(null);
          setup.mutate();
        }}
      >
        <h1>Welcome to OpenAlgo</h1>
        <p className="muted">Create the administrator account of this installation.</p>
        <label htmlFor="setup-username">Username</label>
        <input
          id="setup-username"
          value={username}
          autoComplete="username"
          onChange={(e) => setUsername(e.target.value)}
        />
        <label htmlFor="setup-password">Password</label>
        <input
          id="setup-password"
          type="password"
          value={password}
          autoComplete="new-password"
          onChange={(e) => setPassword(e.target.value)}
        />
        <label htmlFor="setup-confirm">Confirm password</label>
        <input
          id="setup-confirm"
          type="password"
          value={confirm}
          autoComplete="new-password"
          onChange={(e) => setConfirm(e.target.value)}
        />
        {problem ? (
          <p className="field-error" role="alert">
            {problem}
          </p>
        ) : null}
        <button type="submit" className="primary" disabled={setup.isPending}>
          {setup.isPending ? 'Creating…' : 'Create account'}
        </button>
      </form>
    </main>
  );
}
