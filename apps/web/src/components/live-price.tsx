import { toDecimal } from '@openalgo/shared-types/decimal';
import { useEffect, useRef, useState } from 'react';
import { formatMoney, formatSigned, percentChange, toneOf } from '../lib/format.js';
import { useTick } from '../live/live-context.js';

/** The live LTP of a symbol; flashes on each change. */
export function LivePrice({ exchange, symbol }: { exchange: string; symbol: string }) {
  const tick = useTick(exchange, symbol);
  const previous = useRef<string | undefined>(undefined);
  const [flash, setFlash] = useState<'up' | 'down' | null>(null);
  useEffect(() => {
    if (tick?.ltp && previous.current && tick.ltp !== previous.current) {
      setFlash(toDecimal(tick.ltp).gt(previous.current) ? 'up' : 'down');
      const timer = setTimeout(() => setFlash(null), 400);
      previous.current = tick.ltp;
      return () => clearTimeout(timer);
    }
    previous.current = tick?.ltp;
    return undefined;
  }, [tick?.ltp]);
  return (
    <span className={`num ${flash ? `flash-${flash}` : ''}`} data-testid={`ltp-${exchange}-${symbol}`}>
      {tick ? formatMoney(tick.ltp) : '—'}
    </span>
  );
}

export function LiveChange({ exchange, symbol }: { exchange: string; symbol: string }) {
  const tick = useTick(exchange, symbol);
  if (!tick?.prevClose) {
    return <span className="num muted">—</span>;
  }
  const change = toDecimal(tick.ltp).minus(tick.prevClose);
  const percent = percentChange(tick.ltp, tick.prevClose);
  return (
    <span className={`num tone-${toneOf(change)}`}>
      {formatSigned(change)} {percent !== undefined ? `(${percent}%)` : ''}
    </span>
  );
}
