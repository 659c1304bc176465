import { z } from 'zod';

/**
 * The web app's account and security routes (`/web/*`): they have no OpenAlgo `/api/v1`
 * equivalent. Requests are strict objects; responses use the OpenAlgo success envelope.
 */

const strictBody = <T extends z.core.$ZodLooseShape>(shape: T) => z.strictObject(shape);

export const usernameSchema = z
  .string()
  .regex(/^[A-Za-z0-9_.-]{3,64}$/, 'Username must be 3-64 letters, digits, dots, dashes or underscores.');
/** Length only: argon2id takes any text, and 256 bounds the work an attacker can ask for. */
export const newPasswordSchema = z
  .string()
  .min(8, 'Password must be at least 8 characters.')
  .max(256, 'Password must be at most 256 characters.');
const passwordInput = z.string().min(1).max(256);
/** A 6-digit TOTP code or a recovery code (`xxxxx-xxxxx`). */
export const secondFactorCodeSchema = z
  .string()
  .min(6)
  .max(32)
  .regex(/^[A-Za-z0-9 -]+$/, 'Not a valid code.');

/** A route that takes no input (logout): no body, or an empty JSON object, nothing else. */
export const emptyRequestSchema = strictBody({}).optional();

export const setupRequestSchema = strictBody({ username: usernameSchema, password: newPasswordSchema });
export type SetupRequest = z.infer<typeof setupRequestSchema>;

export const loginRequestSchema = strictBody({
  username: z.string().min(1).max(64),
  password: passwordInput,
});
export type LoginRequest = z.infer<typeof loginRequestSchema>;

export const loginTotpRequestSchema = strictBody({
  login_token: z.string().min(1).max(128),
  code: secondFactorCodeSchema,
});
export type LoginTotpRequest = z.infer<typeof loginTotpRequestSchema>;

export const webUserSchema = z.object({
  id: z.number().int(),
  username: z.string(),
  is_admin: z.boolean(),
  totp_enabled: z.boolean(),
});
export type WebUser = z.infer<typeof webUserSchema>;

export const sessionInfoSchema = z.object({
  authenticated: z.literal(true),
  user: webUserSchema,
  /** Send it as the `x-csrf-token` header on every POST, PUT, PATCH and DELETE. */
  csrf_token: z.string(),
  session_id: z.string(),
  /** Epoch ms: the absolute end (lifetime or daily forced logout) and the idle end. */
  expires_at: z.number().int(),
  idle_expires_at: z.number().int(),
});
export type SessionInfo = z.infer<typeof sessionInfoSchema>;

export const sessionResponseSchema = z.object({
  status: z.literal('success'),
  data: z.union([
    sessionInfoSchema,
    z.object({ authenticated: z.literal(false), setup_required: z.boolean() }),
  ]),
});
export type SessionResponse = z.infer<typeof sessionResponseSchema>;

export const loginResponseSchema = z.object({
  status: z.literal('success'),
  data: z.union([
    sessionInfoSchema.extend({ totp_required: z.literal(false) }),
    z.object({
      authenticated: z.literal(false),
      totp_required: z.literal(true),
      /** Send it back with the code to `/web/login/totp` before `expires_at`. */
      login_token: z.string(),
      expires_at: z.number().int(),
    }),
  ]),
});
export type LoginResponse = z.infer<typeof loginResponseSchema>;

export const setupStatusResponseSchema = z.object({
  status: z.literal('success'),
  data: z.object({ setup_required: z.boolean() }),
});

export const setupResponseSchema = z.object({
  status: z.literal('success'),
  data: sessionInfoSchema.extend({
    /** Shown once: only its hash is stored. */
    apikey: z.string(),
  }),
});

export const okResponseSchema = z.object({
  status: z.literal('success'),
  message: z.string(),
});
export type OkResponse = z.infer<typeof okResponseSchema>;

export const logoutResponseSchema = z.object({
  status: z.literal('success'),
  data: z.object({ sessions_ended: z.number().int() }),
});

export const activeSessionsResponseSchema = z.object({
  status: z.literal('success'),
  data: z.array(
    z.object({
      session_id: z.string(),
      current: z.boolean(),
      created_at: z.number().int(),
      last_seen_at: z.number().int(),
      expires_at: z.number().int(),
      ip: z.string().nullable(),
      user_agent: z.string().nullable(),
    }),
  ),
});

export const apiKeyInfoResponseSchema = z.object({
  status: z.literal('success'),
  data: z.object({
    /** The first characters only: the key itself cannot be shown again. */
    key_prefix: z.string().nullable(),
    created_at: z.number().int().nullable(),
    order_mode: z.enum(['auto', 'semi_auto']).nullable(),
  }),
});

export const apiKeyRotateRequestSchema = strictBody({ password: passwordInput });
export const apiKeyRotateResponseSchema = z.object({
  status: z.literal('success'),
  data: z.object({ apikey: z.string(), key_prefix: z.string() }),
});

/** The order mode of the user's API key: `auto` places at once, `semi_auto` queues for approval. */
export const orderModeRequestSchema = strictBody({ mode: z.enum(['auto', 'semi_auto']) });
export const orderModeResponseSchema = z.object({
  status: z.literal('success'),
  data: z.object({ order_mode: z.enum(['auto', 'semi_auto']) }),
});

export const changePasswordRequestSchema = strictBody({
  current_password: passwordInput,
  new_password: newPasswordSchema,
});

export const passwordResetRequestSchema = strictBody({
  username: z.string().min(1).max(64),
  code: secondFactorCodeSchema,
  new_password: newPasswordSchema,
});

export const totpEnrolRequestSchema = strictBody({ password: passwordInput });
export const totpEnrolResponseSchema = z.object({
  status: z.literal('success'),
  data: z.object({
    /** Base32 secret for manual entry; confirm with `/web/totp/activate`. */
    secret: z.string(),
    otpauth_url: z.string(),
    qr_code: z.string().startsWith('data:image/png;base64,'),
  }),
});

export const totpActivateRequestSchema = strictBody({
  code: z.string().regex(/^\d{6}$/, 'Not a valid code.'),
});
export const recoveryCodesResponseSchema = z.object({
  status: z.literal('success'),
  data: z.object({
    /** Shown once: each works one time in place of a TOTP code. */
    recovery_codes: z.array(z.string()),
  }),
});

export const totpDisableRequestSchema = strictBody({ password: passwordInput, code: secondFactorCodeSchema });
export const totpRegenerateRequestSchema = strictBody({ code: secondFactorCodeSchema });

export const totpStatusResponseSchema = z.object({
  status: z.literal('success'),
  data: z.object({ enabled: z.boolean(), pending: z.boolean(), recovery_codes_left: z.number().int() }),
});

export const ipBanSchema = z.object({
  ip: z.string(),
  reason: z.string(),
  source: z.enum(['auto', 'manual']),
  created_at: z.number().int(),
  /** Epoch ms, or null for a permanent ban. */
  expires_at: z.number().int().nullable(),
});
export type IpBan = z.infer<typeof ipBanSchema>;

export const banListResponseSchema = z.object({ status: z.literal('success'), data: z.array(ipBanSchema) });
export const addBanRequestSchema = strictBody({
  ip: z.string().min(2).max(64),
  reason: z.string().min(1).max(200).optional(),
  /** Omitted or 0: permanent. */
  duration_minutes: z.number().int().min(0).max(5_256_000).optional(),
});
export type AddBanRequest = z.infer<typeof addBanRequestSchema>;
export const banResponseSchema = z.object({ status: z.literal('success'), data: ipBanSchema });

/** Security events kept in the audit log. */
export const AUDIT_EVENTS = [
  'setup.completed',
  'login.succeeded',
  'login.failed',
  'login.locked',
  'logout',
  'logout.everywhere',
  'session.revoked',
  'apikey.rotated',
  'totp.enrolled',
  'totp.disabled',
  'totp.recovery_code_used',
  'totp.recovery_codes_regenerated',
  'password.changed',
  'password.reset',
  'ban.added',
  'ban.removed',
  'mode.switched',
  'broker.connected',
  'secrets.reencrypted',
] as const;
export const auditEventSchema = z.enum(AUDIT_EVENTS);
export type AuditEvent = z.infer<typeof auditEventSchema>;

export const auditListQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(1_000).default(100),
  before_id: z.coerce.number().int().min(1).optional(),
  event: auditEventSchema.optional(),
});

export const auditListResponseSchema = z.object({
  status: z.literal('success'),
  data: z.array(
    z.object({
      id: z.number().int(),
      at: z.number().int(),
      event: z.string(),
      user_id: z.number().int().nullable(),
      ip: z.string().nullable(),
      detail: z.record(z.string(), z.unknown()),
    }),
  ),
});
