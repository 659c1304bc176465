import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useApi, useApiQuery } from '../api/api-context.js';
import { telegramOperations } from '../api/operations.js';
import { QueryView } from '../components/states.js';
import { toast } from '../components/toasts.js';

/** Telegram: the bot token, start/stop; link your chat by sending the bot your API key. */
export function NotificationsPage() {
  const client = useApi();
  const queryClient = useQueryClient();
  const config = useApiQuery(telegramOperations.config, undefined, { retry: false });
  const [token, setToken] = useState('');
  const refresh = () => queryClient.invalidateQueries({ queryKey: [telegramOperations.config.path] });
  const save = useMutation({
    mutationFn: () => client.call(telegramOperations.saveConfig, { token: token.trim() }),
    onSuccess: async (answer) => {
      toast.success(answer.message);
      setToken('');
      await refresh();
    },
    onError: (error) => toast.fromError(error),
  });
  const toggle = useMutation({
    mutationFn: (isActive: boolean) =>
      client.call(isActive ? telegramOperations.stop : telegramOperations.start),
    onSuccess: async (answer) => {
      toast.info(answer.message);
      await refresh();
    },
    onError: (error) => toast.fromError(error),
  });
  return (
    <div className="page">
      <h1>Notifications</h1>
      <section className="card">
        <h2>Telegram</h2>
        <QueryView query={config}>
          {(data) => (
            <>
              <p>
                Bot {data.data.bot_username ? `@${data.data.bot_username}` : ''}{' '}
                <strong>{data.data.is_active ? 'running' : 'stopped'}</strong>
                {data.data.bot_token ? <span className="muted"> · token {data.data.bot_token}</span> : null}
              </p>
              <button
                type="button"
                onClick={() => toggle.mutate(data.data.is_active)}
                disabled={toggle.isPending}
              >
                {data.data.is_active ? 'Stop bot' : 'Start bot'}
              </button>
            </>
          )}
        </QueryView>
        <form
          className="inline-form"
          onSubmit={(event) => {
            event.preventDefault();
            save.mutate();
          }}
        >
          <label htmlFor="telegram-token">Bot token</label>
          <input
            id="telegram-token"
            type="password"
            autoComplete="off"
            value={token}
            placeholder="from @BotFather"
            onChange={(event) => setToken(event.target.value)}
          />
          <button type="submit" disabled={token.trim().length < 20 || save.isPending}>
            Save token
          </button>
        </form>
        <p className="muted small">
          Then open your bot in Telegram and send <code>/link</code> with your API key to receive order and
          trade alerts.
        </p>
      </section>
    </div>
  );
}
