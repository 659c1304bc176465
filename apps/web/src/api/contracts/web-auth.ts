import { z } from 'zod';

/**
 * The web session door (`/web/*`): setup, login (+ TOTP), logout, session, API key, TOTP.
 * These mirror the contract the api's session routes answer; they move to
 * `@openalgo/shared-types` with those routes.
 */

export const setupBodySchema = z.strictObject({
  username: z
    .string()
    .regex(/^[A-Za-z0-9_.-]{3,64}$/, 'Username must be 3-64 letters, digits, dots, dashes or underscores.'),
  password: z.string().min(8, 'Password must be at least 8 characters.').max(256),
});
export type SetupBody = z.infer<typeof setupBodySchema>;

export const loginBodySchema = z.strictObject({
  username: z.string().min(1).max(64),
  password: z.string().min(1).max(256),
});
export const loginTotpBodySchema = z.strictObject({
  login_token: z.string().min(1).max(128),
  code: z.string().min(6).max(32),
});

export const webUserSchema = z.looseObject({
  id: z.number().int(),
  username: z.string(),
  is_admin: z.boolean().optional(),
  totp_enabled: z.boolean().optional(),
});

export const sessionInfoSchema = z.looseObject({
  authenticated: z.literal(true),
  user: webUserSchema,
  csrf_token: z.string(),
  expires_at: z.number().int().optional(),
});
export type SessionInfo = z.infer<typeof sessionInfoSchema>;

export const anonymousSessionSchema = z.looseObject({
  authenticated: z.literal(false),
  setup_required: z.boolean(),
});

export const sessionResponseSchema = z.object({
  status: z.literal('success'),
  data: z.union([sessionInfoSchema, anonymousSessionSchema]),
});
export type SessionResponse = z.infer<typeof sessionResponseSchema>;

export const loginResponseSchema = z.object({
  status: z.literal('success'),
  data: z.union([
    sessionInfoSchema,
    z.looseObject({
      authenticated: z.literal(false),
      totp_required: z.literal(true),
      login_token: z.string(),
      expires_at: z.number().int().optional(),
    }),
  ]),
});

export const setupResponseSchema = z.object({
  status: z.literal('success'),
  data: sessionInfoSchema.extend({ apikey: z.string() }),
});

export const logoutResponseSchema = z.looseObject({ status: z.literal('success') });

export const ORDER_MODES = ['auto', 'semi_auto'] as const;
export const orderModeSchema = z.enum(ORDER_MODES);
export type OrderMode = z.infer<typeof orderModeSchema>;

export const apiKeyInfoResponseSchema = z.object({
  status: z.literal('success'),
  data: z.looseObject({
    key_prefix: z.string().nullable(),
    created_at: z.number().int().nullable(),
    order_mode: orderModeSchema.nullable(),
  }),
});

export const apiKeyRotateBodySchema = z.strictObject({ password: z.string().min(1).max(256) });
export const apiKeyRotateResponseSchema = z.object({
  status: z.literal('success'),
  data: z.looseObject({ apikey: z.string(), key_prefix: z.string().optional() }),
});

export const orderModeBodySchema = z.strictObject({ mode: orderModeSchema });
export const orderModeResponseSchema = z.object({
  status: z.literal('success'),
  data: z.looseObject({ order_mode: orderModeSchema }),
});

export const totpEnrolBodySchema = z.strictObject({ password: z.string().min(1).max(256) });
export const totpEnrolResponseSchema = z.object({
  status: z.literal('success'),
  data: z.looseObject({ secret: z.string(), otpauth_url: z.string(), qr_code: z.string() }),
});
export const totpActivateBodySchema = z.strictObject({
  code: z.string().regex(/^\d{6}$/, 'Enter the 6-digit code.'),
});
export const recoveryCodesResponseSchema = z.object({
  status: z.literal('success'),
  data: z.looseObject({ recovery_codes: z.array(z.string()) }),
});
export const totpStatusResponseSchema = z.object({
  status: z.literal('success'),
  data: z.looseObject({
    enabled: z.boolean(),
    pending: z.boolean().optional(),
    recovery_codes_left: z.number().int().optional(),
  }),
});

export const auditListResponseSchema = z.object({
  status: z.literal('success'),
  data: z.array(
    z.looseObject({
      id: z.number().int(),
      at: z.number().int(),
      event: z.string(),
      ip: z.string().nullable(),
      detail: z.record(z.string(), z.unknown()).optional(),
    }),
  ),
});
