import { useEffect, useState } from 'react';

interface Health {
  status: string;
  databaseKind: string;
  version: string;
}

/** The shell of the trader's UI; the web-app issue builds the pages on it. */
export function App() {
  const [health, setHealth] = useState<Health | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    fetch('/health')
      .then((response) => response.json() as Promise<Health>)
      .then(setHealth)
      .catch((reason: unknown) => setError(String(reason)));
  }, []);
  return (
    <main style={{ fontFamily: 'system-ui, sans-serif', padding: '2rem' }}>
      <h1>OpenAlgo TS</h1>
      {health ? (
        <p>
          Server {health.status} · database {health.databaseKind} · version {health.version}
        </p>
      ) : (
        <p>{error ? `Server unreachable: ${error}` : 'Connecting…'}</p>
      )}
      <p>
        REST API at <code>/api/v1</code>.
      </p>
    </main>
  );
}
