import type { Logger } from '@openalgo/broker-sdk';
import type { WsMode, WsOrderUpdateFrame } from '@openalgo/shared-types';
import { type HubClient, instrumentKey, orderTopic, parseMarketTopic } from '@openalgo/stream-bus';
import { textFrame } from './ws-frame.js';

/** What the fan-out needs from a client connection. */
export interface Recipient {
  readonly id: number;
  /** Modes this client holds per instrument, as bits `1 << mode`. */
  modeBits(instrument: string): number;
  deliverTick(topic: string, frame: Buffer): void;
  /** Order updates, in sequence, for this client's user (may be buffered while it replays). */
  deliverOrder(seq: number, frame: Buffer): void;
}

interface TopicEntry {
  topic: string;
  instrument: string;
  mode: WsMode;
  /** `{"type":"market_data",…,"data":` — the envelope before the hub's payload. */
  prefix: Buffer;
  recipients: Set<Recipient>;
}

interface UserOrders {
  userId: number;
  recipients: Set<Recipient>;
  /** Last sequence delivered; null until the hub told the current one. */
  lastSeq: number | null;
  /** Live updates that arrived while a gap is being filled or before the start point is known. */
  held: Array<{ seq: number; frame: Buffer }>;
  isFilling: boolean;
}

const CLOSE = Buffer.from('}');

/** Bits of the modes above `mode` up to `richest`: a client holding one gets that frame instead. */
function higherBits(mode: number, richest: number): number {
  let bits = 0;
  for (let higher = mode + 1; higher <= richest; higher += 1) {
    bits |= 1 << higher;
  }
  return bits;
}

/**
 * The proxy's subscription index and fan-out. A topic is subscribed on ZeroMQ while at least
 * one local client holds it, and released when the last one leaves. Each tick's frame is built
 * once (envelope + the hub's already-encoded payload) and handed to every recipient; a client
 * holding several modes of an instrument gets only the richest frame of a tick.
 */
export class FanOut {
  readonly #hub: HubClient;
  readonly #logger: Logger;
  readonly #broker: () => string;
  readonly #topics = new Map<string, TopicEntry>();
  readonly #orders = new Map<number, UserOrders>();
  ticksIn = 0;
  framesOut = 0;

  constructor(options: { hub: HubClient; logger: Logger; broker: () => string }) {
    this.#hub = options.hub;
    this.#logger = options.logger;
    this.#broker = options.broker;
    options.hub.onMarket((topic, richest, payload) => this.#onMarket(topic, richest, payload));
    options.hub.onOrder((userId, payload) => this.#onOrder(userId, payload));
  }

  get topicCount(): number {
    return this.#topics.size;
  }

  /** Adds a recipient to a topic; false when the topic is malformed. */
  add(topic: string, recipient: Recipient): boolean {
    let entry = this.#topics.get(topic);
    if (!entry) {
      const parsed = parseMarketTopic(topic);
      if (!parsed) {
        return false;
      }
      const envelope = `{"type":"market_data","symbol":${JSON.stringify(parsed.symbol)},"exchange":${JSON.stringify(
        parsed.exchange,
      )},"mode":${parsed.mode},"broker":${JSON.stringify(this.#broker())},"data":`;
      entry = {
        topic,
        instrument: instrumentKey(parsed.exchange, parsed.symbol),
        mode: parsed.mode,
        prefix: Buffer.from(envelope, 'utf8'),
        recipients: new Set(),
      };
      this.#topics.set(topic, entry);
      this.#hub.subscribe(topic);
    }
    entry.recipients.add(recipient);
    return true;
  }

  remove(topic: string, recipient: Recipient): void {
    const entry = this.#topics.get(topic);
    if (!entry?.recipients.delete(recipient)) {
      return;
    }
    if (entry.recipients.size === 0) {
      this.#topics.delete(topic);
      this.#hub.unsubscribe(topic);
    }
  }

  #onMarket(topic: string, richest: number, payload: Buffer): void {
    const entry = this.#topics.get(topic);
    if (!entry) {
      return; // in flight while we unsubscribed
    }
    this.ticksIn += 1;
    const frame = textFrame(entry.prefix, payload, CLOSE);
    const skipBits = entry.mode < richest ? higherBits(entry.mode, richest) : 0;
    for (const recipient of entry.recipients) {
      if (skipBits !== 0 && (recipient.modeBits(entry.instrument) & skipBits) !== 0) {
        continue; // this client gets the same tick on its richer topic
      }
      recipient.deliverTick(topic, frame);
      this.framesOut += 1;
    }
  }

  // ------------------------------------------------------------------ order updates

  /**
   * Adds a recipient to its user's order stream. Resolves with the hub's replay of updates
   * after `since` (a client resuming after a reconnect) and the current sequence number.
   */
  async addOrders(
    userId: number,
    recipient: Recipient,
    since: number | undefined,
  ): Promise<{ seq: number; replay: WsOrderUpdateFrame[]; truncated: boolean }> {
    let stream = this.#orders.get(userId);
    if (!stream) {
      stream = { userId, recipients: new Set(), lastSeq: null, held: [], isFilling: false };
      this.#orders.set(userId, stream);
      this.#hub.subscribe(orderTopic(userId));
    }
    stream.recipients.add(recipient);
    const answer = await this.#hub.request('orders', { userId, since: since ?? Number.MAX_SAFE_INTEGER });
    if (stream.lastSeq === null) {
      stream.lastSeq = answer.seq;
      this.#drainHeld(stream);
    }
    return {
      seq: answer.seq,
      replay: since === undefined ? [] : answer.updates,
      truncated: answer.truncated,
    };
  }

  removeOrders(userId: number, recipient: Recipient): void {
    const stream = this.#orders.get(userId);
    if (!stream?.recipients.delete(recipient)) {
      return;
    }
    if (stream.recipients.size === 0) {
      this.#orders.delete(userId);
      this.#hub.unsubscribe(orderTopic(userId));
    }
  }

  #onOrder(userId: number, payload: Buffer): void {
    const stream = this.#orders.get(userId);
    if (!stream) {
      return;
    }
    const seq = readSeq(payload);
    if (seq === undefined) {
      this.#logger.warn({ userId }, 'order update without a sequence number dropped');
      return;
    }
    stream.held.push({ seq, frame: textFrame(payload) });
    this.#drainHeld(stream);
  }

  /** Delivers held updates in sequence; a gap is filled from the hub's replay first. */
  #drainHeld(stream: UserOrders): void {
    if (stream.lastSeq === null || stream.isFilling) {
      return;
    }
    stream.held.sort((left, right) => left.seq - right.seq);
    while (stream.held.length > 0) {
      const next = stream.held[0] as { seq: number; frame: Buffer };
      if (next.seq <= stream.lastSeq) {
        stream.held.shift();
        continue;
      }
      if (next.seq > stream.lastSeq + 1) {
        void this.#fillGap(stream);
        return;
      }
      stream.held.shift();
      stream.lastSeq = next.seq;
      for (const recipient of stream.recipients) {
        recipient.deliverOrder(next.seq, next.frame);
      }
    }
  }

  async #fillGap(stream: UserOrders): Promise<void> {
    stream.isFilling = true;
    try {
      const answer = await this.#hub.request('orders', { userId: stream.userId, since: stream.lastSeq ?? 0 });
      for (const update of answer.updates) {
        stream.held.push({ seq: update.seq, frame: textFrame(Buffer.from(JSON.stringify(update), 'utf8')) });
      }
      if (answer.truncated && answer.updates[0]) {
        // Older updates are gone at the hub too: continue from the oldest it still has.
        stream.lastSeq = answer.updates[0].seq - 1;
      }
    } catch (error) {
      this.#logger.warn({ err: error, userId: stream.userId }, 'order update gap not filled; skipping ahead');
      const lowest = stream.held[0]?.seq;
      if (lowest !== undefined) {
        stream.lastSeq = lowest - 1;
      }
    } finally {
      stream.isFilling = false;
    }
    this.#drainHeld(stream);
  }
}

/** Reads `"seq":N` from an order-update frame without parsing it all. */
function readSeq(payload: Buffer): number | undefined {
  const text = payload.toString('utf8');
  const match = /"seq":(\d+)/.exec(text);
  return match ? Number(match[1]) : undefined;
}
