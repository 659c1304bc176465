import { ACTIONS, EXCHANGES, PRICE_TYPES, PRODUCTS } from '@openalgo/shared-types';
import { z } from 'zod';
import { modeMarker } from './common.js';

/**
 * Order operations through the web door (`/web/v1/<route>`): the same bodies as `/api/v1`
 * minus `apikey` (api-v1 §4.1).
 */

const decimalText = z.string().regex(/^\d+(\.\d+)?$/, 'Not a valid number.');
const wireNumber = z.union([z.number().nonnegative(), decimalText]);

export const placeOrderBodySchema = z.strictObject({
  strategy: z.string().min(1),
  exchange: z.enum(EXCHANGES),
  symbol: z.string().min(1),
  action: z.enum(ACTIONS),
  quantity: z.number().positive(),
  pricetype: z.enum(PRICE_TYPES),
  product: z.enum(PRODUCTS),
  price: wireNumber,
  trigger_price: wireNumber,
  disclosed_quantity: z.number().int().nonnegative(),
});
export type PlaceOrderBody = z.infer<typeof placeOrderBodySchema>;

/** A placed order, or one queued for approval in semi-auto mode (api-v1 §2.8). */
export const placeOrderResponseSchema = z.union([
  z.object({ status: z.literal('success'), orderid: z.string(), mode: modeMarker }),
  z.object({
    status: z.literal('success'),
    message: z.string(),
    mode: z.literal('semi_auto'),
    pending_order_id: z.union([z.number().int(), z.string()]),
  }),
]);
export type PlaceOrderResponse = z.infer<typeof placeOrderResponseSchema>;

export const modifyOrderBodySchema = z.strictObject({
  strategy: z.string().min(1),
  exchange: z.enum(EXCHANGES),
  symbol: z.string().min(1),
  orderid: z.string().min(1),
  action: z.enum(ACTIONS),
  product: z.enum(PRODUCTS),
  pricetype: z.enum(PRICE_TYPES),
  price: wireNumber,
  quantity: z.number().positive(),
  disclosed_quantity: z.number().int().nonnegative(),
  trigger_price: wireNumber,
});
export type ModifyOrderBody = z.infer<typeof modifyOrderBodySchema>;

export const orderIdResponseSchema = z.looseObject({
  status: z.literal('success'),
  orderid: z.string(),
  message: z.string().optional(),
  mode: modeMarker,
});

export const cancelOrderBodySchema = z.strictObject({
  strategy: z.string().min(1),
  orderid: z.string().min(1),
});

export const strategyOnlyBodySchema = z.strictObject({ strategy: z.string().min(1) });

export const cancelAllResponseSchema = z.looseObject({
  status: z.literal('success'),
  message: z.string(),
  canceled_orders: z.array(z.string()).optional(),
  failed_cancellations: z.array(z.unknown()).optional(),
  mode: modeMarker,
});

export const closePositionResponseSchema = z.looseObject({
  status: z.literal('success'),
  message: z.string(),
  mode: modeMarker,
});

/**
 * Closing one position: a MARKET order for the opposite side of its net quantity through
 * `placesmartorder` with `position_size: 0` (api-v1 §4.1.2), which the server serializes
 * per symbol and re-reads positions for, so a double click cannot over-close.
 */
export const closeOnePositionBodySchema = z.strictObject({
  strategy: z.string().min(1),
  exchange: z.enum(EXCHANGES),
  symbol: z.string().min(1),
  action: z.enum(ACTIONS),
  product: z.enum(PRODUCTS),
  pricetype: z.literal('MARKET'),
  quantity: z.number().int().nonnegative(),
  position_size: z.literal(0),
  price: z.literal(0),
  trigger_price: z.literal(0),
  disclosed_quantity: z.literal(0),
});
export type CloseOnePositionBody = z.infer<typeof closeOnePositionBodySchema>;

export const smartOrderResponseSchema = z.union([
  z.looseObject({ status: z.literal('success'), orderid: z.string(), mode: modeMarker }),
  z.looseObject({ status: z.literal('success'), message: z.string() }),
]);
