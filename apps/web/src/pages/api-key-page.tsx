import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useApi, useApiQuery } from '../api/api-context.js';
import { authOperations } from '../api/operations.js';
import { CopyButton } from '../components/copy-button.js';
import { QueryView } from '../components/states.js';
import { toast } from '../components/toasts.js';
import { formatTime } from '../lib/format.js';

/** The API key: only its prefix is known; rotating shows the new key once. */
export function ApiKeyPage() {
  const client = useApi();
  const queryClient = useQueryClient();
  const info = useApiQuery(authOperations.apiKey, undefined);
  const [password, setPassword] = useState('');
  const [revealed, setRevealed] = useState<string | null>(null);
  const rotate = useMutation({
    mutationFn: () => client.call(authOperations.rotateApiKey, { password }),
    onSuccess: async (answer) => {
      setRevealed(answer.data.apikey);
      setPassword('');
      toast.success('New API key issued; the old one stopped working');
      await queryClient.invalidateQueries({ queryKey: [authOperations.apiKey.path] });
    },
    onError: (error) => toast.fromError(error),
  });
  const setMode = useMutation({
    mutationFn: (mode: 'auto' | 'semi_auto') => client.call(authOperations.setOrderMode, { mode }),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: [authOperations.apiKey.path] });
    },
    onError: (error) => toast.fromError(error),
  });
  return (
    <div className="page">
      <h1>API key</h1>
      <QueryView query={info}>
        {(data) => (
          <>
            <section className="card">
              <p>
                Key{' '}
                <code data-testid="apikey-prefix">
                  {data.data.key_prefix ? `${data.data.key_prefix}…` : 'none'}
                </code>
                {data.data.created_at ? (
                  <span className="muted"> · issued {formatTime(data.data.created_at)}</span>
                ) : null}
              </p>
              <p className="muted">
                The full key was shown once when it was issued. Rotate it to get a new one.
              </p>
              {revealed ? (
                <div className="secret" data-testid="apikey-revealed">
                  <code>{revealed}</code>
                  <CopyButton text={revealed} />
                  <p className="muted small">Shown only now. Copy it into your scripts and strategies.</p>
                </div>
              ) : null}
              <form
                className="inline-form"
                onSubmit={(event) => {
                  event.preventDefault();
                  rotate.mutate();
                }}
              >
                <label htmlFor="rotate-password">Your password</label>
                <input
                  id="rotate-password"
                  type="password"
                  autoComplete="current-password"
                  value={password}
                  onChange={(event) => setPassword(event.target.value)}
                />
                <button type="submit" className="danger" disabled={!password || rotate.isPending}>
                  Rotate key
                </button>
              </form>
            </section>
            <section className="card">
              <h2>Order execution</h2>
              <fieldset className="stack">
                <legend className="visually-hidden">Order mode</legend>
                <label>
                  <input
                    type="radio"
                    name="order-mode"
                    checked={data.data.order_mode !== 'semi_auto'}
                    onChange={() => setMode.mutate('auto')}
                  />{' '}
                  Execute immediately (auto)
                </label>
                <label>
                  <input
                    type="radio"
                    name="order-mode"
                    checked={data.data.order_mode === 'semi_auto'}
                    onChange={() => setMode.mutate('semi_auto')}
                    data-testid="order-mode-semi"
                  />{' '}
                  Queue for approval in the Action Center (semi-auto)
                </label>
              </fieldset>
            </section>
          </>
        )}
      </QueryView>
    </div>
  );
}
