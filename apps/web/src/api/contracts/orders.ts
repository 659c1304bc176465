import {
  cancelAllOrderRequestSchema,
  cancelAllOrderResponseSchema,
  cancelOrderRequestSchema,
  closePositionRequestSchema,
  closePositionResponseSchema as closePositionWire,
  modifyOrderRequestSchema,
  orderIdResponseSchema as orderIdWire,
  placeOrderRequestSchema,
  placeOrderResponseSchema as placeOrderWire,
  placeSmartOrderRequestSchema,
  placeSmartOrderResponseSchema,
} from '@openalgo/shared-types';
import type { z } from 'zod';

/**
 * Order operations through the web door (`/web/v1/<route>`): the contract's schemas from
 * `@openalgo/shared-types`, with the body minus `apikey` (the session authenticates).
 */

export const placeOrderBodySchema = placeOrderRequestSchema.omit({ apikey: true, underlying_ltp: true });
export type PlaceOrderBody = z.input<typeof placeOrderBodySchema>;

export const placeOrderResponseSchema = placeOrderWire;
export type PlaceOrderResponse = z.output<typeof placeOrderResponseSchema>;

export const modifyOrderBodySchema = modifyOrderRequestSchema.omit({ apikey: true });
export type ModifyOrderBody = z.input<typeof modifyOrderBodySchema>;

export const orderIdResponseSchema = orderIdWire;

export const cancelOrderBodySchema = cancelOrderRequestSchema.omit({ apikey: true });
export const cancelAllBodySchema = cancelAllOrderRequestSchema.omit({ apikey: true });
export const cancelAllResponseSchema = cancelAllOrderResponseSchema;
export const closeAllBodySchema = closePositionRequestSchema.omit({ apikey: true });
export const closePositionResponseSchema = closePositionWire;

/**
 * Closing one position: `placesmartorder` with `position_size: 0` (api-v1 §4.1.2), which the
 * server serializes per symbol and which re-reads the position, so a double click cannot
 * over-close.
 */
export const closeOnePositionBodySchema = placeSmartOrderRequestSchema.omit({ apikey: true });
export type CloseOnePositionBody = z.input<typeof closeOnePositionBodySchema>;
export const smartOrderResponseSchema = placeSmartOrderResponseSchema;
