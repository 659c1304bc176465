import { STRATEGY_PLATFORMS, type StrategyPlatform } from '@openalgo/shared-types';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router';
import { useApi, useApiQuery } from '../api/api-context.js';
import { strategyOperations } from '../api/operations.js';
import { CopyButton } from '../components/copy-button.js';
import { Empty, QueryView } from '../components/states.js';
import { toast } from '../components/toasts.js';

/** Webhook strategies: each has a secret URL that TradingView, Amibroker or ChartInk posts to. */
export function StrategiesPage() {
  const client = useApi();
  const queryClient = useQueryClient();
  const list = useApiQuery(strategyOperations.list, undefined);
  const [name, setName] = useState('');
  const [platform, setPlatform] = useState<StrategyPlatform>('tradingview');
  const [isIntraday, setIntraday] = useState(false);
  const create = useMutation({
    mutationFn: () =>
      client.call(strategyOperations.create, {
        name,
        platform,
        is_intraday: isIntraday,
        ...(isIntraday ? { start_time: '09:15', end_time: '15:00', squareoff_time: '15:15' } : {}),
      }),
    onSuccess: async () => {
      toast.success(`Strategy ${name} created`);
      setName('');
      await queryClient.invalidateQueries({ queryKey: [strategyOperations.list.path] });
    },
    onError: (error) => toast.fromError(error),
  });
  return (
    <div className="page">
      <h1>Strategies</h1>
      <form
        className="card inline-form"
        onSubmit={(event) => {
          event.preventDefault();
          create.mutate();
        }}
      >
        <label htmlFor="strategy-name">Name</label>
        <input id="strategy-name" value={name} onChange={(event) => setName(event.target.value)} />
        <label htmlFor="strategy-platform">Platform</label>
        <select
          id="strategy-platform"
          value={platform}
          onChange={(event) => setPlatform(event.target.value as StrategyPlatform)}
        >
          {STRATEGY_PLATFORMS.map((value) => (
            <option key={value} value={value}>
              {value}
            </option>
          ))}
        </select>
        <label>
          <input
            type="checkbox"
            checked={isIntraday}
            onChange={(event) => setIntraday(event.target.checked)}
          />{' '}
          Intraday (09:15–15:00, square-off 15:15)
        </label>
        <button type="submit" className="primary" disabled={!name.trim() || create.isPending}>
          Create
        </button>
      </form>
      <QueryView query={list}>
        {(data) =>
          data.data.length === 0 ? (
            <Empty title="No strategies yet">
              Create one to get a webhook URL for your charting platform.
            </Empty>
          ) : (
            <div className="cards">
              {data.data.map((strategy) => (
                <article key={strategy.id} className="card">
                  <h2>
                    <Link to={`/strategies/${strategy.id}`}>{strategy.name}</Link>
                  </h2>
                  <p className="muted">
                    {strategy.platform} · {strategy.is_intraday ? 'intraday' : 'positional'} ·{' '}
                    {strategy.trading_mode} · {strategy.is_active ? 'active' : 'paused'}
                  </p>
                  <div className="secret">
                    <code>{strategy.webhook_url}</code>
                    <CopyButton text={strategy.webhook_url} label="Copy URL" />
                  </div>
                  <p className="muted small">{strategy.symbols.length} symbol mappings</p>
                </article>
              ))}
            </div>
          )
        }
      </QueryView>
    </div>
  );
}
