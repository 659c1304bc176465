import { useEffect, useSyncExternalStore } from 'react';

/** Light / dark / system theme, kept in localStorage and applied as `data-theme` on <html>. */

export type ThemeChoice = 'light' | 'dark' | 'system';
const STORAGE_KEY = 'openalgo.theme';
const listeners = new Set<() => void>();

function read(): ThemeChoice {
  const value = typeof localStorage === 'undefined' ? null : localStorage.getItem(STORAGE_KEY);
  return value === 'light' || value === 'dark' ? value : 'system';
}

export function setTheme(choice: ThemeChoice): void {
  if (choice === 'system') {
    localStorage.removeItem(STORAGE_KEY);
  } else {
    localStorage.setItem(STORAGE_KEY, choice);
  }
  for (const listener of listeners) {
    listener();
  }
}

function resolve(choice: ThemeChoice): 'light' | 'dark' {
  if (choice !== 'system') {
    return choice;
  }
  return typeof matchMedia !== 'undefined' && matchMedia('(prefers-color-scheme: dark)').matches
    ? 'dark'
    : 'light';
}

export function useTheme(): { choice: ThemeChoice; resolved: 'light' | 'dark' } {
  const choice = useSyncExternalStore(
    (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    read,
    read,
  );
  const resolved = resolve(choice);
  useEffect(() => {
    document.documentElement.dataset.theme = resolved;
  }, [resolved]);
  return { choice, resolved };
}
