import { toDecimal } from '@openalgo/shared-types/decimal';
import type { PositionRow } from '../api/contracts/account.js';
import { formatSigned, toneOf } from '../lib/format.js';
import { livePnl } from '../lib/pnl.js';
import { useTickStore, useTickVersion } from '../live/live-context.js';
import { symbolKey } from '../live/tick-store.js';

/** The day's P&L over all positions, re-marked on every tick. */
export function useTotalPnl(positions: readonly PositionRow[]): string {
  useTickVersion();
  const ticks = useTickStore();
  let total = toDecimal(0);
  for (const position of positions) {
    total = total.plus(livePnl(position, ticks.get(symbolKey(position.exchange, position.symbol))?.ltp));
  }
  return total.toString();
}

export function TotalPnl({ positions, testId }: { positions: readonly PositionRow[]; testId?: string }) {
  const total = useTotalPnl(positions);
  return (
    <strong className={`tone-${toneOf(total)}`} data-testid={testId}>
      {formatSigned(total)}
    </strong>
  );
}
