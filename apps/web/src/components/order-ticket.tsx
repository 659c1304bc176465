import { type Action, PRICE_TYPES, type PriceType, type Product } from '@openalgo/shared-types';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import {
  createContext,
  type ReactNode,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useRef,
  useState,
} from 'react';
import { useApi, useApiQuery } from '../api/api-context.js';
import type { PlaceOrderBody, PlaceOrderResponse } from '../api/contracts/orders.js';
import { marketOperations, orderOperations } from '../api/operations.js';
import { formatMoney } from '../lib/format.js';
import {
  isLotTraded,
  needsPrice,
  needsTrigger,
  productsFor,
  type TicketErrors,
  type TicketInput,
  type TicketInstrument,
  validateTicket,
} from '../lib/order-ticket.js';
import { useTick, useWatch } from '../live/live-context.js';
import { Modal } from './modal.js';
import { toast } from './toasts.js';

export interface TicketTarget {
  symbol: string;
  exchange: string;
  action: Action;
}

interface TicketContextValue {
  open: (target: TicketTarget) => void;
  /** The symbol the trader last selected (watchlist, chart), for the `b` / `s` shortcuts. */
  select: (target: Omit<TicketTarget, 'action'> | null) => void;
  openForSelected: (action: Action) => void;
}

const TicketContext = createContext<TicketContextValue | null>(null);

export function useOrderTicket(): TicketContextValue {
  const value = useContext(TicketContext);
  if (!value) {
    throw new Error('useOrderTicket needs an OrderTicketProvider');
  }
  return value;
}

export function OrderTicketProvider({ children }: { children: ReactNode }) {
  const [target, setTarget] = useState<TicketTarget | null>(null);
  const selected = useRef<Omit<TicketTarget, 'action'> | null>(null);
  const value = useMemo<TicketContextValue>(
    () => ({
      open: (next) => setTarget(next),
      select: (next) => {
        selected.current = next;
      },
      openForSelected: (action) => {
        if (selected.current) {
          setTarget({ ...selected.current, action });
        } else {
          toast.info('Select a symbol in the watchlist first');
        }
      },
    }),
    [],
  );
  return (
    <TicketContext.Provider value={value}>
      {children}
      {target ? (
        <OrderTicketDialog
          key={`${target.exchange}:${target.symbol}`}
          target={target}
          onClose={() => setTarget(null)}
        />
      ) : null}
    </TicketContext.Provider>
  );
}

function OrderTicketDialog({ target, onClose }: { target: TicketTarget; onClose: () => void }) {
  const client = useApi();
  const queryClient = useQueryClient();
  const info = useApiQuery(
    marketOperations.symbol,
    { symbol: target.symbol, exchange: target.exchange as never },
    { staleTime: 300_000, retry: false },
  );
  useWatch([{ symbol: target.symbol, exchange: target.exchange }]);
  const tick = useTick(target.exchange, target.symbol);
  const instrument: TicketInstrument | null = info.data
    ? {
        symbol: target.symbol,
        exchange: target.exchange,
        lotSize: info.data.data.lotsize ?? 1,
        tickSize: info.data.data.tick_size,
      }
    : info.error
      ? { symbol: target.symbol, exchange: target.exchange, lotSize: 1 }
      : null;
  const place = useMutation({
    mutationFn: (body: PlaceOrderBody) => client.call(orderOperations.place, body),
    onSuccess: (answer: PlaceOrderResponse) => {
      if ('pending_order_id' in answer) {
        toast.info(`${answer.message} (#${answer.pending_order_id})`);
      } else {
        toast.success(`Order placed: ${answer.orderid}${answer.mode === 'analyze' ? ' (analyzer)' : ''}`);
      }
      void queryClient.invalidateQueries();
      onClose();
    },
    onError: (error) => toast.fromError(error, 'The order was not placed'),
  });
  return (
    <Modal label={`Order ticket ${target.symbol}`} onClose={onClose} className="ticket">
      <OrderTicketForm
        target={target}
        instrument={instrument}
        ltp={tick?.ltp}
        isSubmitting={place.isPending}
        onSubmit={(body) => place.mutate(body)}
        onClose={onClose}
      />
    </Modal>
  );
}

export interface OrderTicketFormProps {
  target: TicketTarget;
  instrument: TicketInstrument | null;
  ltp?: string | undefined;
  isSubmitting?: boolean;
  onSubmit: (body: PlaceOrderBody) => void;
  onClose: () => void;
}

/** The ticket itself: every action, product and price type, validated before submit. */
export function OrderTicketForm({
  target,
  instrument,
  ltp,
  isSubmitting,
  onSubmit,
  onClose,
}: OrderTicketFormProps) {
  const products = productsFor(target.exchange);
  const [input, setInput] = useState<TicketInput>({
    action: target.action,
    product: products[0] ?? 'MIS',
    pricetype: 'MARKET',
    quantity: '1',
    price: '',
    triggerPrice: '',
    disclosedQuantity: '0',
  });
  const [errors, setErrors] = useState<TicketErrors>({});
  const formRef = useRef<HTMLFormElement>(null);
  const set = useCallback(<K extends keyof TicketInput>(key: K, value: TicketInput[K]) => {
    setInput((current) => ({ ...current, [key]: value }));
  }, []);
  const lotTraded = instrument ? isLotTraded(instrument) : false;

  const submit = () => {
    const result = validateTicket(instrument, input);
    if (!result.ok) {
      setErrors(result.errors);
      return;
    }
    setErrors({});
    onSubmit(result.body);
  };

  useEffect(() => {
    // After the dialog has taken focus: start on the quantity, ready to type.
    const timer = setTimeout(() => {
      const quantity = formRef.current?.querySelector<HTMLInputElement>('input[name="quantity"]');
      quantity?.focus();
      quantity?.select();
    }, 0);
    return () => clearTimeout(timer);
  }, []);

  const onKeyDown = (event: React.KeyboardEvent) => {
    if (event.key === 'Escape') {
      event.preventDefault();
      onClose();
    } else if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      submit();
    }
  };

  const isBuy = input.action === 'BUY';
  return (
    <form
      ref={formRef}
      className={`ticket-form ${isBuy ? 'ticket-buy' : 'ticket-sell'}`}
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        submit();
      }}
      onKeyDown={onKeyDown}
      aria-label="Order ticket"
    >
      <header className="ticket-header">
        <div>
          <strong>{target.symbol}</strong> <span className="muted">{target.exchange}</span>
        </div>
        <div className="ticket-ltp" data-testid="ticket-ltp">
          {ltp ? `LTP ${formatMoney(ltp)}` : ''}
        </div>
      </header>
      {errors.symbol ? (
        <p className="field-error" role="alert">
          {errors.symbol}
        </p>
      ) : null}
      <fieldset className="segmented">
        <legend className="visually-hidden">Action</legend>
        {(['BUY', 'SELL'] as const).map((action) => (
          <label
            key={action}
            className={`segment ${input.action === action ? 'active' : ''} segment-${action.toLowerCase()}`}
          >
            <input
              type="radio"
              name="action"
              value={action}
              checked={input.action === action}
              onChange={() => set('action', action)}
            />
            {action === 'BUY' ? 'Buy' : 'Sell'}
          </label>
        ))}
      </fieldset>
      <fieldset className="segmented">
        <legend>Product</legend>
        {products.map((product) => (
          <label key={product} className={`segment ${input.product === product ? 'active' : ''}`}>
            <input
              type="radio"
              name="product"
              value={product}
              checked={input.product === product}
              onChange={() => set('product', product as Product)}
            />
            {product}
          </label>
        ))}
      </fieldset>
      {errors.product ? (
        <p className="field-error" role="alert">
          {errors.product}
        </p>
      ) : null}
      <fieldset className="segmented">
        <legend>Price type</legend>
        {PRICE_TYPES.map((pricetype) => (
          <label key={pricetype} className={`segment ${input.pricetype === pricetype ? 'active' : ''}`}>
            <input
              type="radio"
              name="pricetype"
              value={pricetype}
              checked={input.pricetype === pricetype}
              onChange={() => set('pricetype', pricetype as PriceType)}
            />
            {pricetype}
          </label>
        ))}
      </fieldset>
      <div className="ticket-grid">
        <Field
          label={lotTraded && instrument ? `Lots (1 lot = ${instrument.lotSize})` : 'Quantity'}
          name="quantity"
          value={input.quantity}
          error={errors.quantity}
          inputMode="numeric"
          onChange={(value) => set('quantity', value)}
        />
        <Field
          label="Price"
          name="price"
          value={needsPrice(input.pricetype) ? input.price : ''}
          placeholder={needsPrice(input.pricetype) ? '' : 'Market'}
          disabled={!needsPrice(input.pricetype)}
          error={errors.price}
          inputMode="decimal"
          onChange={(value) => set('price', value)}
        />
        <Field
          label="Trigger price"
          name="triggerPrice"
          value={needsTrigger(input.pricetype) ? input.triggerPrice : ''}
          disabled={!needsTrigger(input.pricetype)}
          error={errors.triggerPrice}
          inputMode="decimal"
          onChange={(value) => set('triggerPrice', value)}
        />
        <Field
          label="Disclosed qty"
          name="disclosedQuantity"
          value={input.disclosedQuantity}
          error={errors.disclosedQuantity}
          inputMode="numeric"
          onChange={(value) => set('disclosedQuantity', value)}
        />
      </div>
      {lotTraded && instrument && /^\d+$/.test(input.quantity) ? (
        <p className="muted">Total quantity: {Number(input.quantity) * instrument.lotSize}</p>
      ) : null}
      <footer className="ticket-actions">
        <button type="button" onClick={onClose}>
          Cancel
        </button>
        <button
          type="submit"
          className={isBuy ? 'primary buy' : 'primary sell'}
          disabled={isSubmitting || !instrument}
        >
          {isSubmitting ? 'Placing…' : `${isBuy ? 'Buy' : 'Sell'} ${target.symbol}`}
        </button>
      </footer>
      <p className="muted small">Ctrl+Enter places the order · Esc closes</p>
    </form>
  );
}

function Field({
  label,
  name,
  value,
  error,
  onChange,
  disabled,
  placeholder,
  inputMode,
}: {
  label: string;
  name: string;
  value: string;
  error?: string | undefined;
  onChange: (value: string) => void;
  disabled?: boolean;
  placeholder?: string;
  inputMode?: 'numeric' | 'decimal';
}) {
  const id = `ticket-${name}`;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        name={name}
        value={value}
        disabled={disabled}
        placeholder={placeholder}
        inputMode={inputMode}
        autoComplete="off"
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${id}-error` : undefined}
        onChange={(event) => onChange(event.target.value)}
      />
      {error ? (
        <span id={`${id}-error`} className="field-error" role="alert">
          {error}
        </span>
      ) : null}
    </div>
  );
}
