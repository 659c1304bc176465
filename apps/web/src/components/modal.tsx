import { type ReactNode, useEffect, useRef } from 'react';

/**
 * A modal on the native `<dialog>`: focus moves in and is trapped, Esc closes, the page
 * behind is inert; a click on the backdrop closes it too.
 */
export function Modal({
  label,
  onClose,
  children,
  className = '',
  role,
}: {
  label: string;
  onClose: () => void;
  children: ReactNode;
  className?: string;
  role?: 'alertdialog';
}) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) {
      if (typeof dialog.showModal === 'function') {
        dialog.showModal();
      } else {
        dialog.setAttribute('open', '');
      }
    }
    return () => {
      if (dialog?.open && typeof dialog.close === 'function') {
        dialog.close();
      }
    };
  }, []);
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) {
      return;
    }
    const onCancel = (event: Event) => {
      event.preventDefault();
      onClose();
    };
    const onClick = (event: MouseEvent) => {
      if (event.target === dialog) {
        onClose();
      }
    };
    dialog.addEventListener('cancel', onCancel);
    dialog.addEventListener('click', onClick);
    return () => {
      dialog.removeEventListener('cancel', onCancel);
      dialog.removeEventListener('click', onClick);
    };
  }, [onClose]);
  return (
    <dialog ref={ref} className={`dialog ${className}`} aria-label={label} role={role}>
      {children}
    </dialog>
  );
}
