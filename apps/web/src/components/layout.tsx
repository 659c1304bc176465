import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type ReactNode, useCallback, useEffect, useState } from 'react';
import { NavLink, useNavigate } from 'react-router';
import { useApi } from '../api/api-context.js';
import { authOperations } from '../api/operations.js';
import { useSocketState } from '../live/live-context.js';
import { useAuthenticatedSession } from '../session.js';
import { Modal } from './modal.js';
import { ModeBadges } from './mode-badges.js';
import { useOrderTicket } from './order-ticket.js';
import { toast } from './toasts.js';

const NAV: { to: string; label: string; key: string }[] = [
  { to: '/', label: 'Dashboard', key: 'd' },
  { to: '/watchlist', label: 'Watchlist', key: 'w' },
  { to: '/orders', label: 'Orders', key: 'o' },
  { to: '/trades', label: 'Trades', key: 't' },
  { to: '/positions', label: 'Positions', key: 'p' },
  { to: '/holdings', label: 'Holdings', key: 'h' },
  { to: '/action-center', label: 'Action Center', key: 'a' },
  { to: '/analyzer', label: 'Analyzer', key: 'z' },
  { to: '/pnl', label: 'P&L', key: 'l' },
  { to: '/strategies', label: 'Strategies', key: 'y' },
  { to: '/logs', label: 'Logs', key: 'g' },
  { to: '/apikey', label: 'API key', key: 'k' },
  { to: '/broker', label: 'Broker', key: 'r' },
  { to: '/notifications', label: 'Notifications', key: 'n' },
  { to: '/settings', label: 'Settings', key: ',' },
];

function isTyping(target: EventTarget | null): boolean {
  const element = target as HTMLElement | null;
  if (!element) {
    return false;
  }
  const tag = element.tagName;
  return tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT' || element.isContentEditable;
}

/**
 * Keyboard: `g` then a page key goes there (g d dashboard, g o orders…), `b` / `s` open the
 * ticket for the selected symbol, `/` searches symbols, `?` lists the shortcuts.
 */
function useShortcuts(onHelp: () => void): void {
  const navigate = useNavigate();
  const ticket = useOrderTicket();
  useEffect(() => {
    let pendingGo = false;
    let goTimer: ReturnType<typeof setTimeout> | undefined;
    const onKey = (event: KeyboardEvent) => {
      if (
        event.defaultPrevented ||
        event.ctrlKey ||
        event.metaKey ||
        event.altKey ||
        isTyping(event.target)
      ) {
        return;
      }
      if (pendingGo) {
        pendingGo = false;
        clearTimeout(goTimer);
        const target = NAV.find((item) => item.key === event.key);
        if (target) {
          event.preventDefault();
          navigate(target.to);
        }
        return;
      }
      if (event.key === 'g') {
        pendingGo = true;
        goTimer = setTimeout(() => {
          pendingGo = false;
        }, 1_500);
      } else if (event.key === 'b' || event.key === 's') {
        event.preventDefault();
        ticket.openForSelected(event.key === 'b' ? 'BUY' : 'SELL');
      } else if (event.key === '/') {
        event.preventDefault();
        navigate('/watchlist?focus=search');
      } else if (event.key === '?') {
        onHelp();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => {
      window.removeEventListener('keydown', onKey);
      clearTimeout(goTimer);
    };
  }, [navigate, ticket, onHelp]);
}

export function Layout({ children }: { children: ReactNode }) {
  const session = useAuthenticatedSession();
  const client = useApi();
  const queryClient = useQueryClient();
  const socketState = useSocketState();
  const [isHelpOpen, setHelpOpen] = useState(false);
  const [isMenuOpen, setMenuOpen] = useState(false);
  const toggleHelp = useCallback(() => setHelpOpen((value) => !value), []);
  const closeHelp = useCallback(() => setHelpOpen(false), []);
  useShortcuts(toggleHelp);
  const logout = useMutation({
    mutationFn: () => client.call(authOperations.logout),
    onSuccess: async () => {
      client.setCsrfToken(null);
      // Forget everything the signed-in user saw; the session query refetches and says "anonymous".
      await queryClient.resetQueries();
    },
    onError: (error) => toast.fromError(error),
  });
  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <button
          type="button"
          className="menu-button"
          aria-expanded={isMenuOpen}
          aria-controls="main-nav"
          aria-label="Menu"
          onClick={() => setMenuOpen((value) => !value)}
        >
          ☰
        </button>
        <span className="brand">OpenAlgo</span>
        <ModeBadges />
        <span
          className={`socket-dot socket-${socketState}`}
          role="img"
          title={`Live events: ${socketState}`}
          aria-label={`Live events ${socketState}`}
        />
        <span className="topbar-user muted">{session.user.username}</span>
        <button
          type="button"
          className="link-button"
          onClick={() => logout.mutate()}
          disabled={logout.isPending}
        >
          Log out
        </button>
      </header>
      <nav id="main-nav" className={`sidenav ${isMenuOpen ? 'open' : ''}`} aria-label="Main">
        {NAV.map((item) => (
          <NavLink key={item.to} to={item.to} end={item.to === '/'} onClick={() => setMenuOpen(false)}>
            {item.label}
          </NavLink>
        ))}
        <button type="button" className="link-button shortcut-hint" onClick={() => setHelpOpen(true)}>
          Keyboard shortcuts (?)
        </button>
      </nav>
      <main id="main" className="content" tabIndex={-1}>
        {children}
      </main>
      {isHelpOpen ? (
        <Modal label="Keyboard shortcuts" onClose={closeHelp}>
          <h2>Keyboard shortcuts</h2>
          <dl className="shortcuts">
            <dt>b / s</dt>
            <dd>Buy / sell the selected symbol</dd>
            <dt>/</dt>
            <dd>Search symbols</dd>
            <dt>Ctrl+Enter</dt>
            <dd>Place the order in the ticket</dd>
            <dt>Esc</dt>
            <dd>Close the ticket or a dialog</dd>
            {NAV.map((item) => (
              <div key={item.to} className="shortcut-row">
                <dt>g {item.key}</dt>
                <dd>{item.label}</dd>
              </div>
            ))}
          </dl>
          <button type="button" onClick={closeHelp}>
            Close
          </button>
        </Modal>
      ) : null}
    </div>
  );
}
