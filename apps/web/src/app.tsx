import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { lazy, type ReactNode, Suspense, useMemo } from 'react';
import { BrowserRouter, Navigate, Route, Routes, useLocation } from 'react-router';
import { ApiProvider } from './api/api-context.js';
import { ApiClient } from './api/client.js';
import { Layout } from './components/layout.js';
import { OrderTicketProvider } from './components/order-ticket.js';
import { ErrorState, Loading } from './components/states.js';
import { Toaster } from './components/toasts.js';
import { loadWebConfig } from './config.js';
import { LiveProvider } from './live/live-context.js';
import { SessionProvider, useSession } from './session.js';
import { useTheme } from './theme.js';

// Route-level code splitting: each page is its own chunk, loaded on first visit.
const SetupPage = lazy(() =>
  import('./pages/setup-page.js').then((module) => ({ default: module.SetupPage })),
);
const LoginPage = lazy(() =>
  import('./pages/login-page.js').then((module) => ({ default: module.LoginPage })),
);
const BrokerPage = lazy(() =>
  import('./pages/broker-page.js').then((module) => ({ default: module.BrokerPage })),
);
const DashboardPage = lazy(() =>
  import('./pages/dashboard-page.js').then((module) => ({ default: module.DashboardPage })),
);
const WatchlistPage = lazy(() =>
  import('./pages/watchlist-page.js').then((module) => ({ default: module.WatchlistPage })),
);
const OrderBookPage = lazy(() =>
  import('./pages/order-book-page.js').then((module) => ({ default: module.OrderBookPage })),
);
const TradeBookPage = lazy(() =>
  import('./pages/trade-book-page.js').then((module) => ({ default: module.TradeBookPage })),
);
const PositionsPage = lazy(() =>
  import('./pages/positions-page.js').then((module) => ({ default: module.PositionsPage })),
);
const HoldingsPage = lazy(() =>
  import('./pages/holdings-page.js').then((module) => ({ default: module.HoldingsPage })),
);
const AnalyzerPage = lazy(() =>
  import('./pages/analyzer-page.js').then((module) => ({ default: module.AnalyzerPage })),
);
const ActionCenterPage = lazy(() =>
  import('./pages/action-center-page.js').then((module) => ({ default: module.ActionCenterPage })),
);
const ApiKeyPage = lazy(() =>
  import('./pages/api-key-page.js').then((module) => ({ default: module.ApiKeyPage })),
);
const LogsPage = lazy(() => import('./pages/logs-page.js').then((module) => ({ default: module.LogsPage })));
const PnlPage = lazy(() => import('./pages/pnl-page.js').then((module) => ({ default: module.PnlPage })));
const ChartPage = lazy(() =>
  import('./pages/chart-page.js').then((module) => ({ default: module.ChartPage })),
);
const StrategiesPage = lazy(() =>
  import('./pages/strategies-page.js').then((module) => ({ default: module.StrategiesPage })),
);
const StrategyPage = lazy(() =>
  import('./pages/strategy-page.js').then((module) => ({ default: module.StrategyPage })),
);
const NotificationsPage = lazy(() =>
  import('./pages/notifications-page.js').then((module) => ({ default: module.NotificationsPage })),
);
const SettingsPage = lazy(() =>
  import('./pages/settings-page.js').then((module) => ({ default: module.SettingsPage })),
);

function Guarded({ children }: { children: ReactNode }) {
  const { state } = useSession();
  const location = useLocation();
  if (state.status === 'loading') {
    return <Loading label="Checking your session…" />;
  }
  if (state.status === 'error') {
    return (
      <main className="auth-page">
        <ErrorState error={state.error} onRetry={state.retry} />
      </main>
    );
  }
  if (state.status === 'anonymous') {
    return (
      <Navigate to={state.setupRequired ? '/setup' : '/login'} replace state={{ from: location.pathname }} />
    );
  }
  return (
    <LiveProvider>
      <OrderTicketProvider>
        <Layout>{children}</Layout>
      </OrderTicketProvider>
    </LiveProvider>
  );
}

function Public({ children }: { children: ReactNode }) {
  const { state } = useSession();
  if (state.status === 'authenticated') {
    return <Navigate to="/" replace />;
  }
  return <>{children}</>;
}

function AppRoutes() {
  useTheme();
  return (
    <Suspense fallback={<Loading />}>
      <Routes>
        <Route
          path="/setup"
          element={
            <Public>
              <SetupPage />
            </Public>
          }
        />
        <Route
          path="/login"
          element={
            <Public>
              <LoginPage />
            </Public>
          }
        />
        <Route
          path="/"
          element={
            <Guarded>
              <DashboardPage />
            </Guarded>
          }
        />
        <Route
          path="/broker"
          element={
            <Guarded>
              <BrokerPage />
            </Guarded>
          }
        />
        <Route
          path="/watchlist"
          element={
            <Guarded>
              <WatchlistPage />
            </Guarded>
          }
        />
        <Route
          path="/orders"
          element={
            <Guarded>
              <OrderBookPage />
            </Guarded>
          }
        />
        <Route
          path="/trades"
          element={
            <Guarded>
              <TradeBookPage />
            </Guarded>
          }
        />
        <Route
          path="/positions"
          element={
            <Guarded>
              <PositionsPage />
            </Guarded>
          }
        />
        <Route
          path="/holdings"
          element={
            <Guarded>
              <HoldingsPage />
            </Guarded>
          }
        />
        <Route
          path="/analyzer"
          element={
            <Guarded>
              <AnalyzerPage />
            </Guarded>
          }
        />
        <Route
          path="/action-center"
          element={
            <Guarded>
              <ActionCenterPage />
            </Guarded>
          }
        />
        <Route
          path="/apikey"
          element={
            <Guarded>
              <ApiKeyPage />
            </Guarded>
          }
        />
        <Route
          path="/logs"
          element={
            <Guarded>
              <LogsPage />
            </Guarded>
          }
        />
        <Route
          path="/pnl"
          element={
            <Guarded>
              <PnlPage />
            </Guarded>
          }
        />
        <Route
          path="/chart/:exchange/:symbol"
          element={
            <Guarded>
              <ChartPage />
            </Guarded>
          }
        />
        <Route
          path="/strategies"
          element={
            <Guarded>
              <StrategiesPage />
            </Guarded>
          }
        />
        <Route
          path="/strategies/:id"
          element={
            <Guarded>
              <StrategyPage />
            </Guarded>
          }
        />
        <Route
          path="/notifications"
          element={
            <Guarded>
              <NotificationsPage />
            </Guarded>
          }
        />
        <Route
          path="/settings"
          element={
            <Guarded>
              <SettingsPage />
            </Guarded>
          }
        />
        <Route path="*" element={<Navigate to="/" replace />} />
      </Routes>
    </Suspense>
  );
}

export function App() {
  const config = useMemo(loadWebConfig, []);
  const queryClient = useMemo(
    () =>
      new QueryClient({
        defaultOptions: {
          queries: { staleTime: 5_000, refetchOnWindowFocus: true, retry: 1 },
          mutations: { retry: 0 },
        },
      }),
    [],
  );
  const client = useMemo(
    () =>
      new ApiClient({
        baseUrl: config.apiBaseUrl,
        onUnauthenticated: () => void queryClient.invalidateQueries({ queryKey: ['/web/session'] }),
      }),
    [config, queryClient],
  );
  return (
    <QueryClientProvider client={queryClient}>
      <ApiProvider client={client}>
        <SessionProvider>
          <BrowserRouter>
            <AppRoutes />
          </BrowserRouter>
        </SessionProvider>
        <Toaster />
      </ApiProvider>
    </QueryClientProvider>
  );
}
