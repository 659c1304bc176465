import { realpath } from 'node:fs/promises';
import { resolve, sep } from 'node:path';
import { findUserByUsername, getSetting } from '@openalgo/db';
import {
  NOTIFICATION_MESSAGES,
  whatsappNotifyBodySchema,
  whatsappNotifyResponseSchema,
  whatsappNotifySchema,
} from '@openalgo/shared-types';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ApiError } from '../../errors.js';
import { toJid, type WhatsAppOutgoing } from '../../services/whatsapp/notifier.js';
import type { DoorOptions } from '../door.js';

/** Where users linked to WhatsApp keep their numbers (settings: username → digits). */
export const WHATSAPP_LINKS_SETTING = 'whatsapp_links';

const PHONE = /^\d{8,15}$/;
const MAX_PHONES = 5;

/** A server-local file under one of the allowlisted folders (symlinks resolved), else null. */
async function allowedPath(path: string, roots: readonly string[]): Promise<string | null> {
  try {
    const real = await realpath(resolve(path));
    for (const root of roots) {
      const realRoot = await realpath(root).catch(() => null);
      if (realRoot && real.startsWith(realRoot + sep)) {
        return real;
      }
    }
  } catch {
    // A path that does not resolve is not allowed.
  }
  return null;
}

/** `POST /whatsapp/notify` (api-v1 §4.8.2), sent through the configured WhatsApp notifier. */
export const whatsappRoutes: FastifyPluginAsyncZod<DoorOptions> = async (app) => {
  const { services } = app;

  app.post(
    '/whatsapp/notify',
    {
      schema: {
        tags: ['notifications'],
        summary: 'Send a WhatsApp message (text, image or document) through the paired device',
        body: whatsappNotifyBodySchema,
        response: { 200: whatsappNotifyResponseSchema },
      },
      config: {
        auth: 'key',
        apiKeyFrom: 'body-header-or-query',
        invalidKey: { statusCode: 401, message: NOTIFICATION_MESSAGES.invalidKey },
        envelope: 'E2',
        rateLimitClass: 'WHATSAPP_RATE_LIMIT',
      },
    },
    async (request) => {
      const notifier = services.whatsapp;
      // Checked before the payload (api-v1 §4.8.2).
      if (!notifier?.isConnected()) {
        throw ApiError.message(409, NOTIFICATION_MESSAGES.whatsappNotPaired);
      }
      const parsed = whatsappNotifySchema.safeParse(request.body);
      if (!parsed.success) {
        throw ApiError.message(400, parsed.error.issues[0]?.message ?? 'Invalid request');
      }
      const payload = parsed.data;
      if (!payload.message && !payload.image_path && !payload.document_path) {
        throw ApiError.message(400, 'Provide at least one of: message, image_path, document_path');
      }
      const roots = services.config.whatsappAttachmentRoots;
      const imagePath = payload.image_path ? await allowedPath(payload.image_path, roots) : undefined;
      if (imagePath === null) {
        throw ApiError.message(400, 'image_path is not allowed');
      }
      const documentPath = payload.document_path
        ? await allowedPath(payload.document_path, roots)
        : undefined;
      if (documentPath === null) {
        throw ApiError.message(400, 'document_path is not allowed');
      }

      // Recipient precedence: self > phones > phone > username.
      let phones: string[];
      if (payload.self === true) {
        const own = notifier.ownNumber();
        if (!own) {
          throw ApiError.message(409, NOTIFICATION_MESSAGES.whatsappNotPaired);
        }
        phones = [own];
      } else if (payload.phones !== undefined) {
        if (!Array.isArray(payload.phones)) {
          throw ApiError.message(400, "'phones' must be a list");
        }
        phones = payload.phones
          .slice(0, MAX_PHONES)
          .filter((phone): phone is string => typeof phone === 'string' && PHONE.test(phone));
        if (phones.length === 0) {
          throw ApiError.message(400, 'No valid phones in list');
        }
      } else if (payload.phone !== undefined) {
        if (!PHONE.test(payload.phone)) {
          throw ApiError.message(400, 'Invalid phone number');
        }
        phones = [payload.phone];
      } else if (payload.username !== undefined) {
        const user = await findUserByUsername(services.db, payload.username);
        const links = (await getSetting(services.db, WHATSAPP_LINKS_SETTING)) as
          | Record<string, unknown>
          | undefined;
        const linked = user ? links?.[user.username] : undefined;
        if (typeof linked !== 'string' || !PHONE.test(linked)) {
          throw ApiError.message(404, 'Username not found or not linked to WhatsApp');
        }
        phones = [linked];
      } else {
        throw ApiError.message(400, "Specify one of: 'self', 'username', 'phone', or 'phones'");
      }

      const messages: WhatsAppOutgoing[] = phones.map((phone) => ({
        to: toJid(phone),
        ...(payload.message ? { text: payload.message } : {}),
        ...(imagePath ? { imagePath } : {}),
        ...(documentPath ? { documentPath } : {}),
        ...(payload.caption ? { caption: payload.caption } : {}),
        ...(payload.filename ? { filename: payload.filename } : {}),
      }));
      const deliver = async () => {
        const sent: string[] = [];
        const failed: Array<{ to: string; error: string }> = [];
        for (const message of messages) {
          try {
            await notifier.send(message);
            sent.push(message.to);
          } catch (error) {
            failed.push({ to: message.to, error: error instanceof Error ? error.message : String(error) });
          }
        }
        return { sent, failed };
      };
      if (!payload.wait_for_delivery) {
        void deliver().then(({ failed }) => {
          if (failed.length > 0) {
            request.log.warn({ failed }, 'whatsapp delivery failed');
          }
        });
        return {
          status: 'success' as const,
          message: `Queued for ${messages.length} recipient(s)`,
          queued: messages.length,
        };
      }
      const { sent, failed } = await deliver();
      return {
        status: 'success' as const,
        message: `Delivered to ${sent.length}, failed ${failed.length}`,
        data: { sent, failed, skipped: 0 },
      };
    },
  );
};
