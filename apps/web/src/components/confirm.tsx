import type { ReactNode } from 'react';
import { Modal } from './modal.js';

/** A small confirmation dialog for destructive actions (cancel all, close all). */
export function Confirm({
  title,
  children,
  confirmLabel,
  onConfirm,
  onCancel,
  isBusy,
}: {
  title: string;
  children?: ReactNode;
  confirmLabel: string;
  onConfirm: () => void;
  onCancel: () => void;
  isBusy?: boolean;
}) {
  return (
    <Modal label={title} onClose={onCancel} role="alertdialog">
      <h2>{title}</h2>
      {children}
      <div className="dialog-actions">
        <button type="button" onClick={onCancel}>
          Keep
        </button>
        <button type="button" className="primary danger" onClick={onConfirm} disabled={isBusy}>
          {confirmLabel}
        </button>
      </div>
    </Modal>
  );
}
