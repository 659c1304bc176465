import { z } from 'zod';
import { toDecimal } from './decimal.js';
import { EXCHANGES, PRICE_TYPES } from './enums.js';
import {
  apikeyField,
  decimalField,
  enumField,
  floatField,
  inRange,
  integerField,
  lenientRequestObject,
  listField,
  rangeMessage,
  requestObject,
  stringField,
} from './fields.js';
import { optionTypeField } from './options.js';

/**
 * `/api/v1` order routes (api-v1 §4.1): request schemas with OpenAlgo's validation semantics
 * (`restx_api/schemas.py`: the same coercions, defaults and messages) and the response shapes.
 * Cross-field rules that the reference checks after field validation (`post_load`) are exported
 * as refinement functions, so each door can apply them to its own body schema.
 */

export const ORDER_MESSAGES = {
  positiveQuantity: 'Quantity must be a positive number.',
  nonNegativeQuantity: 'Quantity must be a non-negative number.',
  positiveTotalQuantity: 'Total quantity must be a positive number.',
  price: 'Price must be a non-negative number.',
  triggerPrice: 'Trigger price must be a non-negative number.',
  disclosedQuantity: 'Disclosed quantity must be a non-negative integer.',
  splitSize: 'Split size must be a positive integer.',
  fractionalQuantity: (quantity: number) =>
    `Fractional quantity (${quantity}) is not allowed for non-crypto exchanges.`,
  gttProduct: 'GTT supports only CNC (delivery) or NRML (overnight F&O); MIS is intraday-only.',
  gttTriggerType: "Must be 'SINGLE' or 'OCO'.",
  gttTriggerSl: 'triggerprice_sl must be non-negative.',
  gttTriggerTg: 'triggerprice_tg must be non-negative.',
  gttSingleTrigger: 'SINGLE GTT requires a positive triggerprice_sl or triggerprice_tg.',
  gttOcoStoplossTrigger: 'Required for OCO (stoploss trigger).',
  gttOcoStoploss: 'Required for OCO (stoploss leg limit).',
  gttOcoTargetTrigger: 'Required for OCO (target trigger).',
  gttOcoTarget: 'Required for OCO (target leg limit).',
  gttOcoOrder: 'Stoploss trigger must be less than target trigger (triggerprice_tg).',
  queued: 'Order queued for approval in Action Center',
  positionsMatched: 'Positions Already Matched. No Action needed.',
  noOpenPosition: 'No OpenPosition Found. Not placing Exit order.',
} as const;

// ---------------------------------------------------------------- field builders

/** `action`: BUY/SELL in either case (exactly the four spellings), upper-cased. */
export function orderActionField() {
  return enumField(['BUY', 'SELL', 'buy', 'sell']).transform(
    (value) => value.toUpperCase() as 'BUY' | 'SELL',
  );
}

export function orderExchangeField() {
  return enumField(EXCHANGES);
}

/** `product`, case-sensitive, in the reference's order (its message lists MIS first). */
export function orderProductField() {
  return enumField(['MIS', 'NRML', 'CNC']);
}

export function orderPriceTypeField() {
  return enumField(PRICE_TYPES);
}

/** A float quantity (fractional only on CRYPTO, see `checkWholeQuantity`) above zero. */
export function positiveQuantityField(message: string = ORDER_MESSAGES.positiveQuantity) {
  return floatField().refine((value) => value > 0, { message });
}

/** A price-like decimal string that must not be negative. */
export function nonNegativeDecimalField(message: string) {
  return decimalField().refine((value) => !value.startsWith('-'), { message });
}

export function nonNegativeIntegerField(message: string) {
  return integerField().refine((value) => value >= 0, { message });
}

/** The reference's `post_load`: a fractional quantity is refused outside CRYPTO. */
export function checkWholeQuantity(
  data: { exchange: string; quantity: number },
  context: z.RefinementCtx,
  path: PropertyKey[] = ['quantity'],
): void {
  if (data.exchange !== 'CRYPTO' && !Number.isInteger(data.quantity)) {
    context.addIssue({
      code: 'custom',
      path,
      message: ORDER_MESSAGES.fractionalQuantity(data.quantity),
      input: data.quantity,
    });
  }
}

const pricingFields = () => ({
  pricetype: orderPriceTypeField().default('MARKET'),
  product: orderProductField().default('MIS'),
  price: nonNegativeDecimalField(ORDER_MESSAGES.price).default('0'),
  trigger_price: nonNegativeDecimalField(ORDER_MESSAGES.triggerPrice).default('0'),
  disclosed_quantity: nonNegativeIntegerField(ORDER_MESSAGES.disclosedQuantity).default(0),
});

// ---------------------------------------------------------------- shared responses

export const analyzeModeSchema = z.literal('analyze');

/** Semi-auto mode: the order waits in the Action Center (api-v1 §2.8). */
export const queuedOrderResponseSchema = z.object({
  status: z.literal('success'),
  message: z.string(),
  mode: z.literal('semi_auto'),
  pending_order_id: z.number().int(),
});
export type QueuedOrderResponse = z.infer<typeof queuedOrderResponseSchema>;

/** A JSON number or a numeric string: live broker adapters send either (api-v1 §7.2). */
export const numberOrStringSchema = z.union([z.number(), z.string()]);

// ---------------------------------------------------------------- placeorder

/** `POST /placeorder` (api-v1 §4.1.1, `OrderSchema`). */
export const placeOrderRequestSchema = requestObject({
  apikey: apikeyField(),
  strategy: stringField(),
  exchange: orderExchangeField(),
  symbol: stringField(),
  action: orderActionField(),
  quantity: positiveQuantityField(),
  ...pricingFields(),
  /** Informational (the options order passes the underlying's price along). */
  underlying_ltp: floatField().nullable().optional(),
});
export type PlaceOrderRequest = z.infer<typeof placeOrderRequestSchema>;
export const checkPlaceOrderRequest = (
  data: { exchange: string; quantity: number },
  context: z.RefinementCtx,
) => checkWholeQuantity(data, context);

export const placedOrderResponseSchema = z.object({
  status: z.literal('success'),
  orderid: z.string(),
  mode: analyzeModeSchema.optional(),
});
export type PlacedOrderResponse = z.infer<typeof placedOrderResponseSchema>;

export const placeOrderResponseSchema = z.union([placedOrderResponseSchema, queuedOrderResponseSchema]);
export type PlaceOrderResponse = z.infer<typeof placeOrderResponseSchema>;

// ---------------------------------------------------------------- placesmartorder

/** `POST /placesmartorder` (api-v1 §4.1.2): `position_size` is the signed target net quantity. */
export const placeSmartOrderRequestSchema = requestObject({
  apikey: apikeyField(),
  strategy: stringField(),
  exchange: orderExchangeField(),
  symbol: stringField(),
  action: orderActionField(),
  quantity: floatField().refine((value) => value >= 0, { message: ORDER_MESSAGES.nonNegativeQuantity }),
  position_size: floatField().transform((value) => Math.trunc(value)),
  ...pricingFields(),
});
export type PlaceSmartOrderRequest = z.infer<typeof placeSmartOrderRequestSchema>;

export const smartOrderNoActionResponseSchema = z.object({
  status: z.literal('success'),
  message: z.string(),
  mode: analyzeModeSchema.optional(),
});
export type SmartOrderNoActionResponse = z.infer<typeof smartOrderNoActionResponseSchema>;

export const placeSmartOrderResponseSchema = z.union([
  placedOrderResponseSchema,
  queuedOrderResponseSchema,
  smartOrderNoActionResponseSchema,
]);
export type PlaceSmartOrderResponse = z.infer<typeof placeSmartOrderResponseSchema>;

// ---------------------------------------------------------------- basketorder

/** One leg of a basket: no `strategy` or `apikey` of its own (api-v1 §4.1.3). */
export const basketOrderItemSchema = requestObject({
  exchange: orderExchangeField(),
  symbol: stringField(),
  action: orderActionField(),
  quantity: positiveQuantityField(),
  ...pricingFields(),
}).superRefine((item, context) => checkWholeQuantity(item, context));
export type BasketOrderItem = z.infer<typeof basketOrderItemSchema>;

export const basketOrderRequestSchema = requestObject({
  apikey: apikeyField(),
  strategy: stringField(),
  orders: listField(basketOrderItemSchema),
});
export type BasketOrderRequest = z.infer<typeof basketOrderRequestSchema>;

export const basketOrderResultSchema = z.union([
  z.object({
    symbol: z.string(),
    exchange: z.string(),
    product: z.string(),
    status: z.literal('success'),
    orderid: z.string(),
    batch_order: z.boolean().optional(),
    is_last_order: z.boolean().optional(),
  }),
  z.object({ symbol: z.string(), status: z.literal('error'), message: z.string() }),
]);
export type BasketOrderResult = z.infer<typeof basketOrderResultSchema>;

export const basketOrderResponseSchema = z.union([
  z.object({
    status: z.literal('success'),
    results: z.array(basketOrderResultSchema),
    mode: analyzeModeSchema.optional(),
  }),
  queuedOrderResponseSchema,
]);
export type BasketOrderResponse = z.infer<typeof basketOrderResponseSchema>;

// ---------------------------------------------------------------- splitorder

/** `POST /splitorder` (api-v1 §4.1.4): `quantity` is the total, split into `splitsize` children. */
export const splitOrderRequestSchema = requestObject({
  apikey: apikeyField(),
  strategy: stringField(),
  exchange: orderExchangeField(),
  symbol: stringField(),
  action: orderActionField(),
  quantity: positiveQuantityField(ORDER_MESSAGES.positiveTotalQuantity),
  splitsize: integerField().refine((value) => value >= 1, { message: ORDER_MESSAGES.splitSize }),
  ...pricingFields(),
});
export type SplitOrderRequest = z.infer<typeof splitOrderRequestSchema>;
export const checkSplitOrderRequest = checkPlaceOrderRequest;

export const splitOrderResultSchema = z.union([
  z.object({
    order_num: z.number().int(),
    quantity: z.number().int(),
    status: z.literal('success'),
    orderid: z.string(),
  }),
  z.object({
    order_num: z.number().int(),
    quantity: z.number().int(),
    status: z.literal('error'),
    message: z.string(),
  }),
]);
export type SplitOrderResult = z.infer<typeof splitOrderResultSchema>;

export const splitOrderResponseSchema = z.union([
  z.object({
    status: z.literal('success'),
    total_quantity: z.number().int(),
    split_size: z.number().int(),
    results: z.array(splitOrderResultSchema),
    mode: analyzeModeSchema.optional(),
  }),
  queuedOrderResponseSchema,
]);
export type SplitOrderResponse = z.infer<typeof splitOrderResponseSchema>;

// ---------------------------------------------------------------- modify / cancel

/** `POST /modifyorder` (api-v1 §4.1.5): every field required, `orderid` a JSON string. */
export const modifyOrderRequestSchema = requestObject({
  apikey: apikeyField(),
  strategy: stringField(),
  exchange: orderExchangeField(),
  symbol: stringField(),
  orderid: stringField(),
  action: orderActionField(),
  product: orderProductField(),
  pricetype: orderPriceTypeField(),
  price: nonNegativeDecimalField(ORDER_MESSAGES.price),
  quantity: positiveQuantityField(),
  disclosed_quantity: nonNegativeIntegerField(ORDER_MESSAGES.disclosedQuantity),
  trigger_price: nonNegativeDecimalField(ORDER_MESSAGES.triggerPrice),
});
export type ModifyOrderRequest = z.infer<typeof modifyOrderRequestSchema>;
export const checkModifyOrderRequest = checkPlaceOrderRequest;

export const orderIdResponseSchema = z.object({
  status: z.literal('success'),
  orderid: z.string(),
  message: z.string().optional(),
  mode: analyzeModeSchema.optional(),
});
export const modifyOrderResponseSchema = orderIdResponseSchema;
export type ModifyOrderResponse = z.infer<typeof modifyOrderResponseSchema>;

/** `POST /cancelorder` (api-v1 §4.1.6). */
export const cancelOrderRequestSchema = requestObject({
  apikey: apikeyField(),
  strategy: stringField(),
  orderid: stringField(),
});
export type CancelOrderRequest = z.infer<typeof cancelOrderRequestSchema>;
export const cancelOrderResponseSchema = orderIdResponseSchema;
export type CancelOrderResponse = z.infer<typeof cancelOrderResponseSchema>;

/** `POST /cancelallorder` (api-v1 §4.1.7): `strategy` does not filter. */
export const cancelAllOrderRequestSchema = requestObject({
  apikey: apikeyField(),
  strategy: stringField(),
});
export type CancelAllOrderRequest = z.infer<typeof cancelAllOrderRequestSchema>;

export const cancelAllOrderResponseSchema = z.object({
  status: z.literal('success'),
  message: z.string(),
  canceled_orders: z.array(z.string()),
  /** Order-id strings (live) or `{orderid, message}` objects (sandbox); clients accept both. */
  failed_cancellations: z.array(
    z.union([z.string(), z.object({ orderid: z.string(), message: z.string() })]),
  ),
  mode: analyzeModeSchema.optional(),
});
export type CancelAllOrderResponse = z.infer<typeof cancelAllOrderResponseSchema>;

/** `POST /closeposition` (api-v1 §4.1.8): squares off every open position of the account. */
export const closePositionRequestSchema = requestObject({
  apikey: apikeyField(),
  strategy: stringField(),
});
export type ClosePositionRequest = z.infer<typeof closePositionRequestSchema>;

export const closePositionResponseSchema = z.object({
  status: z.literal('success'),
  message: z.string(),
  closed_positions: z.number().int().optional(),
  failed_closures: z.number().int().optional(),
  mode: analyzeModeSchema.optional(),
});
export type ClosePositionResponse = z.infer<typeof closePositionResponseSchema>;

// ---------------------------------------------------------------- GTT

const emptyAsZero = (message: string) =>
  z.preprocess((value) => (value === '' ? 0 : value), nonNegativeDecimalField(message));
const emptyAsNull = () => z.preprocess((value) => (value === '' ? null : value), decimalField().nullable());

const gttFields = () => ({
  apikey: apikeyField(),
  strategy: stringField(),
  /** `SINGLE` or `OCO`, any case (checked with the trigger rules, `checkGttRequest`). */
  trigger_type: stringField(),
  exchange: orderExchangeField(),
  symbol: stringField(),
  action: orderActionField(),
  product: enumField(['NRML', 'CNC'], { message: ORDER_MESSAGES.gttProduct }),
  quantity: positiveQuantityField(),
  pricetype: enumField(['LIMIT', 'MARKET']).default('LIMIT'),
  /** The SINGLE child's limit price (0 for MARKET); ignored for OCO. */
  price: nonNegativeDecimalField(ORDER_MESSAGES.price),
  triggerprice_sl: emptyAsZero(ORDER_MESSAGES.gttTriggerSl).default('0'),
  triggerprice_tg: emptyAsZero(ORDER_MESSAGES.gttTriggerTg).default('0'),
  stoploss: emptyAsNull().optional(),
  target: emptyAsNull().optional(),
});

/** `POST /placegttorder` (api-v1 §4.1.9): unknown fields are dropped, not refused. */
export const placeGttOrderRequestSchema = lenientRequestObject({
  ...gttFields(),
  expires_at: stringField().nullable().optional(),
});
export type PlaceGttOrderRequest = z.infer<typeof placeGttOrderRequestSchema>;

/** `POST /modifygttorder`: a full replacement of the trigger `trigger_id`. */
export const modifyGttOrderRequestSchema = lenientRequestObject({
  ...gttFields(),
  trigger_id: stringField({ min: 1 }),
});
export type ModifyGttOrderRequest = z.infer<typeof modifyGttOrderRequestSchema>;

type GttRuleInput = {
  trigger_type: string;
  exchange: string;
  quantity: number;
  triggerprice_sl: string;
  triggerprice_tg: string;
  stoploss?: string | null | undefined;
  target?: string | null | undefined;
};

const isZero = (value: string | null | undefined) => value === null || value === undefined || value === '0';

/** The reference's GTT `post_load` rules, first failure only, as it raises. */
export function checkGttRequest(data: GttRuleInput, context: z.RefinementCtx): void {
  const fail = (field: string, message: string) =>
    context.addIssue({ code: 'custom', path: [field], message, input: data });
  const triggerType = data.trigger_type.toUpperCase();
  if (triggerType !== 'SINGLE' && triggerType !== 'OCO') {
    fail('trigger_type', ORDER_MESSAGES.gttTriggerType);
    return;
  }
  if (triggerType === 'OCO') {
    if (isZero(data.triggerprice_sl)) {
      fail('triggerprice_sl', ORDER_MESSAGES.gttOcoStoplossTrigger);
      return;
    }
    if (isZero(data.stoploss)) {
      fail('stoploss', ORDER_MESSAGES.gttOcoStoploss);
      return;
    }
    if (isZero(data.triggerprice_tg)) {
      fail('triggerprice_tg', ORDER_MESSAGES.gttOcoTargetTrigger);
      return;
    }
    if (isZero(data.target)) {
      fail('target', ORDER_MESSAGES.gttOcoTarget);
      return;
    }
    if (toDecimal(data.triggerprice_sl).gte(toDecimal(data.triggerprice_tg))) {
      fail('triggerprice_sl', ORDER_MESSAGES.gttOcoOrder);
      return;
    }
  } else if (isZero(data.triggerprice_sl) && isZero(data.triggerprice_tg)) {
    fail('triggerprice_sl', ORDER_MESSAGES.gttSingleTrigger);
    return;
  }
  checkWholeQuantity(data, context);
}

/** `POST /cancelgttorder`. */
export const cancelGttOrderRequestSchema = requestObject({
  apikey: apikeyField(),
  strategy: stringField(),
  trigger_id: stringField({ min: 1 }),
});
export type CancelGttOrderRequest = z.infer<typeof cancelGttOrderRequestSchema>;

export const gttOrderResponseSchema = z.object({
  status: z.literal('success'),
  trigger_id: z.string(),
  mode: analyzeModeSchema.optional(),
});
export type GttOrderResponse = z.infer<typeof gttOrderResponseSchema>;
export const placeGttOrderResponseSchema = z.union([gttOrderResponseSchema, queuedOrderResponseSchema]);
export type PlaceGttOrderResponse = z.infer<typeof placeGttOrderResponseSchema>;

/** `POST /gttorderbook`: only `apikey`. */
export const gttOrderBookRequestSchema = requestObject({ apikey: apikeyField() });
export type GttOrderBookRequest = z.infer<typeof gttOrderBookRequestSchema>;

export const gttOrderBookRowSchema = z.object({
  trigger_id: z.string(),
  trigger_type: z.enum(['single', 'two-leg']),
  status: z.string(),
  symbol: z.string(),
  exchange: z.string(),
  /** Ascending; for OCO the stop-loss leg first. */
  trigger_prices: z.array(z.number()),
  last_price: z.number(),
  legs: z.array(
    z.object({
      action: z.string(),
      quantity: z.number(),
      price: z.number(),
      pricetype: z.string(),
      product: z.string(),
    }),
  ),
  created_at: z.string(),
  updated_at: z.string(),
  expires_at: z.string(),
  strategy: z.string().optional(),
  margin_blocked: z.number().optional(),
});
export type GttOrderBookRow = z.infer<typeof gttOrderBookRowSchema>;

export const gttOrderBookResponseSchema = z.object({
  status: z.literal('success'),
  data: z.array(gttOrderBookRowSchema),
  mode: analyzeModeSchema.optional(),
});
export type GttOrderBookResponse = z.infer<typeof gttOrderBookResponseSchema>;

// ---------------------------------------------------------------- optionsorder / optionsmultiorder

export const OPTIONS_ORDER_MESSAGES = {
  quantity: 'Quantity must be a positive integer.',
  splitSize: 'Split size must be a non-negative integer.',
  legs: 'Legs must contain 1 to 20 items.',
  noLegs: 'No legs provided in the request',
} as const;

/** `ATM`, `ITMn`, `OTMn`, any case, upper-cased; the pattern is checked at resolution (api-v1 §4.1.10). */
const optionOffsetField = () => stringField().transform((value) => value.toUpperCase());

const strikeIntervalField = () =>
  integerField()
    .refine(inRange({ min: 1 }), { message: rangeMessage({ min: 1 }) })
    .nullable()
    .optional();

const optionsQuantityField = () =>
  integerField().refine((value) => value >= 1, { message: OPTIONS_ORDER_MESSAGES.quantity });

/** `splitsize`: 0 (or null) places one order; > 0 splits the quantity into children. */
const optionsSplitSizeField = () =>
  integerField()
    .refine((value) => value >= 0, { message: OPTIONS_ORDER_MESSAGES.splitSize })
    .nullable()
    .optional()
    .transform((value) => value ?? 0);

/** Options orders trade intraday or carry forward: `MIS` or `NRML` only. */
const optionsPricingFields = () => ({
  pricetype: orderPriceTypeField().default('MARKET'),
  product: enumField(['MIS', 'NRML']).default('MIS'),
  price: nonNegativeDecimalField(ORDER_MESSAGES.price).default('0'),
  trigger_price: nonNegativeDecimalField(ORDER_MESSAGES.triggerPrice).default('0'),
  disclosed_quantity: nonNegativeIntegerField(ORDER_MESSAGES.disclosedQuantity).default(0),
});

/**
 * `POST /optionsorder` (api-v1 §4.1.10, `OptionsOrderSchema`): an option chosen by its offset
 * from ATM, then an ordinary order (split when `splitsize` > 0). Validation errors are E3.
 */
export const optionsOrderRequestSchema = requestObject({
  apikey: apikeyField(),
  strategy: stringField(),
  underlying: stringField(),
  exchange: orderExchangeField(),
  expiry_date: stringField().optional(),
  strike_int: strikeIntervalField(),
  offset: optionOffsetField(),
  option_type: optionTypeField(),
  action: orderActionField(),
  quantity: optionsQuantityField(),
  splitsize: optionsSplitSizeField(),
  ...optionsPricingFields(),
});
export type OptionsOrderRequest = z.infer<typeof optionsOrderRequestSchema>;

const resolvedOptionFields = {
  symbol: z.string(),
  exchange: z.string(),
  /** Echoed exactly as sent. */
  underlying: z.string(),
  underlying_ltp: z.number(),
  offset: z.string(),
  option_type: z.enum(['CE', 'PE']),
  mode: analyzeModeSchema.optional(),
};

export const optionsOrderResponseSchema = z.union([
  z.object({ status: z.literal('success'), orderid: z.string(), ...resolvedOptionFields }),
  z.object({
    status: z.literal('success'),
    ...resolvedOptionFields,
    total_quantity: z.number().int(),
    split_size: z.number().int(),
    results: z.array(splitOrderResultSchema),
  }),
  queuedOrderResponseSchema,
]);
export type OptionsOrderResponse = z.infer<typeof optionsOrderResponseSchema>;

/** One leg of a multi-leg options order; `expiry_date` overrides the request's. */
export const optionsLegSchema = requestObject({
  offset: optionOffsetField(),
  option_type: optionTypeField(),
  action: orderActionField(),
  quantity: optionsQuantityField(),
  splitsize: optionsSplitSizeField(),
  expiry_date: stringField().optional(),
  ...optionsPricingFields(),
});
export type OptionsLeg = z.infer<typeof optionsLegSchema>;

/** `POST /optionsmultiorder` (api-v1 §4.1.11): 1–20 legs over one underlying. */
export const optionsMultiOrderRequestSchema = requestObject({
  apikey: apikeyField(),
  strategy: stringField(),
  underlying: stringField(),
  exchange: orderExchangeField(),
  expiry_date: stringField().optional(),
  strike_int: strikeIntervalField(),
  legs: listField(optionsLegSchema).min(1, OPTIONS_ORDER_MESSAGES.legs).max(20, OPTIONS_ORDER_MESSAGES.legs),
});
export type OptionsMultiOrderRequest = z.infer<typeof optionsMultiOrderRequestSchema>;

const legFields = {
  leg: z.number().int(),
  offset: z.string(),
  option_type: z.enum(['CE', 'PE']),
  action: z.enum(['BUY', 'SELL']),
};
const placedLegFields = {
  ...legFields,
  symbol: z.string(),
  exchange: z.string(),
  product: z.string(),
  mode: z.enum(['live', 'analyze']),
};

export const optionsLegResultSchema = z.union([
  z.object({ ...placedLegFields, status: z.literal('success'), orderid: z.string() }),
  /** A split leg: `success` when at least one child succeeded. */
  z.object({
    ...placedLegFields,
    status: z.enum(['success', 'error']),
    total_quantity: z.number().int(),
    split_size: z.number().int(),
    split_results: z.array(splitOrderResultSchema),
    message: z.string().optional(),
  }),
  z.object({ ...legFields, status: z.literal('error'), message: z.string() }),
]);
export type OptionsLegResult = z.infer<typeof optionsLegResultSchema>;

export const optionsMultiOrderResponseSchema = z.union([
  z.object({
    status: z.literal('success'),
    underlying: z.string(),
    /** Null when the underlying could not be quoted (each leg then reports its own failure). */
    underlying_ltp: z.number().nullable(),
    /** Sorted by leg number (1-based request position). */
    results: z.array(optionsLegResultSchema),
    mode: analyzeModeSchema.optional(),
  }),
  queuedOrderResponseSchema,
]);
export type OptionsMultiOrderResponse = z.infer<typeof optionsMultiOrderResponseSchema>;
