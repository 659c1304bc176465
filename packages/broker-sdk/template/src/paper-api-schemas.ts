import { z } from 'zod';

/**
 * The Paper API's responses, as zod schemas listing only the fields the adapter reads and
 * tolerating missing ones (`.nullish()`), so a new field on the broker's side never breaks us.
 */

const text = z.string().nullish();
const number = z.number().nullish();

export const paperErrorSchema = z.object({ error: z.object({ code: z.string(), message: text }) });

export const paperInstrumentsSchema = z.object({
  instruments: z.array(
    z.object({
      symbol: z.string(),
      exchange: z.string(),
      token: z.string(),
      kind: text,
      lot: number,
      tick: text,
    }),
  ),
});

export const paperOrderSchema = z.object({
  id: z.string(),
  symbol: z.string(),
  exchange: z.string(),
  side: text,
  qty: number,
  filled_qty: number,
  type: text,
  price: text,
  trigger: text,
  avg_price: text,
  product: text,
  tag: text,
  state: text,
  reason: text,
  created_at: text,
  updated_at: text,
});
export type PaperOrder = z.infer<typeof paperOrderSchema>;

export const paperOrderIdSchema = z.object({ id: z.string() });
export const paperOrdersSchema = z.object({ orders: z.array(paperOrderSchema) });
export const paperOneOrderSchema = z.object({ order: paperOrderSchema });

export const paperTradesSchema = z.object({
  trades: z.array(
    z.object({
      id: z.string(),
      order_id: z.string(),
      symbol: z.string(),
      exchange: z.string(),
      side: text,
      qty: number,
      price: text,
      product: text,
      at: text,
    }),
  ),
});

export const paperPositionsSchema = z.object({
  positions: z.array(
    z.object({ symbol: z.string(), exchange: z.string(), product: text, net_qty: number, avg_price: text }),
  ),
});

export const paperHoldingsSchema = z.object({
  holdings: z.array(z.object({ symbol: z.string(), exchange: z.string(), qty: number, avg_price: text })),
});

export const paperFundsSchema = z.object({ cash: text, used: text, realized: text, unrealized: text });

export const paperQuotesSchema = z.object({
  quotes: z.record(
    z.string(),
    z.object({ last: text, open: text, high: text, low: text, prev_close: text, volume: number }),
  ),
});

export const paperHistorySchema = z.object({
  candles: z.array(z.tuple([z.number(), z.string(), z.string(), z.string(), z.string(), z.number()])),
});
