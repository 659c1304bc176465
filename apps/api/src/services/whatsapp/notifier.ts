/**
 * The outbound WhatsApp port. A provider (a paired WhatsApp Web session, a business API
 * client) implements it and is handed to the app; without one, `/whatsapp/notify` answers the
 * contract's "not paired" 409 and nothing is sent.
 */

export interface WhatsAppOutgoing {
  /** Recipient JID, `<digits>@s.whatsapp.net`. */
  to: string;
  text?: string;
  /** Absolute server-local paths, already checked against the attachment allowlist. */
  imagePath?: string;
  documentPath?: string;
  caption?: string;
  filename?: string;
}

export interface WhatsAppNotifier {
  /** A device is paired and the connection is up. */
  isConnected(): boolean;
  /** The paired device's own number (digits), for `self: true`. */
  ownNumber(): string | null;
  /** Sends one message; rejects with the provider's reason. */
  send(message: WhatsAppOutgoing): Promise<void>;
}

export function toJid(phone: string): string {
  return `${phone}@s.whatsapp.net`;
}
