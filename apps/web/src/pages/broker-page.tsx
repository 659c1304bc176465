import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useApi, useApiQuery } from '../api/api-context.js';
import type { MasterContractStatus } from '../api/contracts/broker.js';
import { brokerOperations } from '../api/operations.js';
import { Empty, ErrorState, Loading } from '../components/states.js';
import { toast } from '../components/toasts.js';
import { formatTime } from '../lib/format.js';

function MasterContract({ status }: { status: MasterContractStatus | null | undefined }) {
  if (!status) {
    return null;
  }
  const isRunning = status.state === 'downloading';
  return (
    <section className="card" aria-live="polite">
      <h2>Master contract</h2>
      <p data-testid="master-contract-state">
        {isRunning ? 'Downloading the symbol master…' : null}
        {status.state === 'done' || status.state === 'skipped' ? 'Symbol master loaded.' : null}
        {status.state === 'idle' ? 'Not downloaded yet.' : null}
        {status.state === 'error' ? `Download failed: ${status.error ?? 'unknown error'}` : null}
      </p>
      {isRunning ? <progress aria-label="Symbols loaded" /> : null}
      {typeof status.rows === 'number' ? (
        <p className="muted">{status.rows.toLocaleString('en-IN')} symbols</p>
      ) : null}
      {status.finishedAt ? <p className="muted">Finished {formatTime(status.finishedAt)}</p> : null}
    </section>
  );
}

/** Broker connection: a redirect to the broker (OAuth) or a credentials form, then the symbol master. */
export function BrokerPage() {
  const client = useApi();
  const queryClient = useQueryClient();
  const [fields, setFields] = useState<Record<string, string>>({});
  const status = useApiQuery(brokerOperations.status, undefined, {
    retry: false,
    refetchInterval: (query) =>
      query.state.data?.data.master_contract?.state === 'downloading' ? 1_000 : 15_000,
  });
  const redirect = useMutation({
    mutationFn: () => client.call(brokerOperations.loginUrl, undefined, { query: { format: 'json' } }),
    onSuccess: (answer) => {
      window.location.assign(answer.data.url);
    },
    onError: (error) => toast.fromError(error),
  });
  const connect = useMutation({
    mutationFn: () => client.call(brokerOperations.connectWithCredentials, fields),
    onSuccess: async () => {
      toast.success('Broker connected');
      await queryClient.invalidateQueries({ queryKey: [brokerOperations.status.path] });
    },
    onError: (error) => toast.fromError(error),
  });

  if (status.isPending) {
    return <Loading />;
  }
  if (status.error) {
    return <ErrorState error={status.error} onRetry={() => void status.refetch()} />;
  }
  const data = status.data.data;
  const style = data.auth_style;
  if (style === 'none') {
    return (
      <div className="page">
        <h1>Broker</h1>
        <Empty title="This broker needs no login">
          The configured broker ({data.broker}, the built-in simulator by default) connects on its own.
        </Empty>
        <MasterContract status={data.master_contract} />
      </div>
    );
  }
  return (
    <div className="page">
      <h1>Broker</h1>
      <section className="card">
        <h2>{data.broker}</h2>
        {data.connected ? (
          <p className="tone-up" data-testid="broker-connected">
            Connected{data.broker_user_id ? ` as ${data.broker_user_id}` : ''}
            {data.expires_at ? `, until ${formatTime(data.expires_at)}` : ''}.
          </p>
        ) : (
          <>
            <p>
              {data.reason ?? 'Not connected. Log in to your broker to trade and to receive live prices.'}
            </p>
            {style === 'credentials' ? (
              <form
                className="stack"
                onSubmit={(event) => {
                  event.preventDefault();
                  connect.mutate();
                }}
              >
                {data.credential_fields.map((field) => (
                  <div key={field.name} className="field">
                    <label htmlFor={`broker-${field.name}`}>{field.label}</label>
                    <input
                      id={`broker-${field.name}`}
                      type={field.type === 'password' ? 'password' : 'text'}
                      autoComplete="off"
                      value={fields[field.name] ?? ''}
                      onChange={(event) =>
                        setFields((current) => ({ ...current, [field.name]: event.target.value }))
                      }
                    />
                  </div>
                ))}
                <button type="submit" className="primary" disabled={connect.isPending}>
                  Connect
                </button>
              </form>
            ) : (
              <button
                type="button"
                className="primary"
                onClick={() => redirect.mutate()}
                disabled={redirect.isPending}
              >
                Log in with {data.broker}
              </button>
            )}
          </>
        )}
      </section>
      <MasterContract status={data.master_contract} />
    </div>
  );
}
