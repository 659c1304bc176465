import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { useApi, useApiQuery } from '../api/api-context.js';
import { authOperations } from '../api/operations.js';
import { QueryView } from '../components/states.js';
import { toast } from '../components/toasts.js';
import { formatTime } from '../lib/format.js';
import { setTheme, type ThemeChoice, useTheme } from '../theme.js';

function TwoFactor() {
  const client = useApi();
  const status = useApiQuery(authOperations.totpStatus, undefined, { retry: false });
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const [enrolment, setEnrolment] = useState<{ secret: string; qr: string } | null>(null);
  const [codes, setCodes] = useState<string[] | null>(null);
  const enrol = useMutation({
    mutationFn: () => client.call(authOperations.totpEnrol, { password }),
    onSuccess: (answer) => setEnrolment({ secret: answer.data.secret, qr: answer.data.qr_code }),
    onError: (error) => toast.fromError(error),
  });
  const activate = useMutation({
    mutationFn: () => client.call(authOperations.totpActivate, { code }),
    onSuccess: async (answer) => {
      setCodes(answer.data.recovery_codes);
      setEnrolment(null);
      toast.success('Two-factor login is on');
      await status.refetch();
    },
    onError: (error) => toast.fromError(error),
  });
  return (
    <section className="card">
      <h2>Two-factor login (TOTP)</h2>
      <QueryView query={status}>
        {(data) => <p>{data.data.enabled ? 'On: every login asks for a code.' : 'Off.'}</p>}
      </QueryView>
      {codes ? (
        <div className="secret">
          <p>Recovery codes (shown once):</p>
          <pre>{codes.join('\n')}</pre>
        </div>
      ) : null}
      {enrolment ? (
        <form
          className="stack"
          onSubmit={(event) => {
            event.preventDefault();
            activate.mutate();
          }}
        >
          <img src={enrolment.qr} alt="QR code for your authenticator app" width={180} height={180} />
          <p className="muted small">
            Or enter <code>{enrolment.secret}</code>
          </p>
          <label htmlFor="totp-code">Code from the app</label>
          <input
            id="totp-code"
            value={code}
            inputMode="numeric"
            onChange={(event) => setCode(event.target.value)}
          />
          <button type="submit" className="primary" disabled={activate.isPending}>
            Turn on
          </button>
        </form>
      ) : (
        <form
          className="inline-form"
          onSubmit={(event) => {
            event.preventDefault();
            enrol.mutate();
          }}
        >
          <label htmlFor="totp-password">Password</label>
          <input
            id="totp-password"
            type="password"
            value={password}
            autoComplete="current-password"
            onChange={(event) => setPassword(event.target.value)}
          />
          <button type="submit" disabled={!password || enrol.isPending}>
            Set up authenticator
          </button>
        </form>
      )}
    </section>
  );
}

function AuditLog() {
  const audit = useApiQuery(authOperations.audit, undefined, { retry: false, query: { limit: 50 } });
  return (
    <section className="card">
      <h2>Security events</h2>
      <QueryView query={audit}>
        {(data) => (
          <table className="table" aria-label="Security events">
            <tbody>
              {data.data.map((row) => (
                <tr key={row.id}>
                  <td className="small">{formatTime(row.at)}</td>
                  <td>{row.event}</td>
                  <td className="small">{row.ip ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </QueryView>
    </section>
  );
}

export function SettingsPage() {
  const { choice } = useTheme();
  return (
    <div className="page">
      <h1>Settings</h1>
      <section className="card">
        <h2>Theme</h2>
        <fieldset className="segmented inline">
          <legend className="visually-hidden">Theme</legend>
          {(['light', 'dark', 'system'] as ThemeChoice[]).map((value) => (
            <label key={value} className={`segment ${choice === value ? 'active' : ''}`}>
              <input type="radio" name="theme" checked={choice === value} onChange={() => setTheme(value)} />
              {value}
            </label>
          ))}
        </fieldset>
      </section>
      <TwoFactor />
      <AuditLog />
    </div>
  );
}
