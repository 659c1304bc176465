import { useSyncExternalStore } from 'react';

/** Toasts: short messages (the server's own on errors), announced to screen readers. */

export type ToastTone = 'success' | 'error' | 'info';

export interface Toast {
  id: number;
  tone: ToastTone;
  message: string;
}

let toasts: Toast[] = [];
let nextId = 1;
const listeners = new Set<() => void>();

function emit(): void {
  for (const listener of listeners) {
    listener();
  }
}

function dismiss(id: number): void {
  toasts = toasts.filter((item) => item.id !== id);
  emit();
}

function push(tone: ToastTone, message: string, durationMs = tone === 'error' ? 8_000 : 4_000): number {
  const id = nextId++;
  toasts = [...toasts.slice(-4), { id, tone, message }];
  emit();
  setTimeout(() => dismiss(id), durationMs);
  return id;
}

export const toast = {
  success: (message: string) => push('success', message),
  error: (message: string) => push('error', message),
  info: (message: string) => push('info', message),
  /** An error toast with the server's message when the error carries one. */
  fromError: (error: unknown, fallback = 'Something went wrong') =>
    push('error', error instanceof Error && error.message ? error.message : fallback),
  dismiss,
};

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => {
    listeners.delete(listener);
  };
}

export function Toaster() {
  const items = useSyncExternalStore(
    subscribe,
    () => toasts,
    () => toasts,
  );
  return (
    <div className="toasts" aria-live="polite">
      {items.map((item) => (
        <div
          key={item.id}
          className={`toast toast-${item.tone}`}
          role={item.tone === 'error' ? 'alert' : 'status'}
        >
          <span>{item.message}</span>
          <button type="button" className="toast-close" aria-label="Dismiss" onClick={() => dismiss(item.id)}>
            ×
          </button>
        </div>
      ))}
    </div>
  );
}
