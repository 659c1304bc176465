import type { Logger } from '@openalgo/broker-sdk';
import { Dealer, Subscriber } from 'zeromq';
import {
  type ControlReplies,
  type ControlRequest,
  controlReplySchemas,
  errorReplySchema,
  type FeedStatusMessage,
  feedStatusMessageSchema,
} from './control.js';
import { SendQueue } from './send-queue.js';
import { FEED_TOPIC, MARKET_PREFIX, ORDER_PREFIX, parseOrderTopic } from './topics.js';

export interface HubClientOptions {
  publishUrl: string;
  controlUrl: string;
  logger: Logger;
  /** A control request without an answer for this long fails. Default 5 s. */
  requestTimeoutMs?: number;
}

/** The hub did not answer a control request, or answered with an error. */
export class HubRequestError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = 'HubRequestError';
    this.code = code;
  }
}

export type MarketMessageHandler = (topic: string, richestMode: number, payload: Buffer) => void;
export type OrderMessageHandler = (userId: number, payload: Buffer) => void;

type RequestBody<Op extends ControlRequest['op']> = Omit<Extract<ControlRequest, { op: Op }>, 'id' | 'op'>;

interface Pending {
  op: ControlRequest['op'];
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

/**
 * A ws-proxy's connection to the hub: a SUB socket for the topics its clients want (ZeroMQ
 * resends every subscription after a reconnect, so a restarted hub learns them again) and a
 * DEALER for control requests. Handlers run synchronously for each message.
 */
export class HubClient {
  readonly #options: HubClientOptions;
  /**
   * Messages queued for this proxy before ZeroMQ stops reading the hub's socket (the hub then
   * queues up to its own send mark, and past that drops: ticks are latest-value, order updates
   * are gap-filled from the hub's replay). 20,000 is ~0.2 s of a saturated proxy and bounds its
   * memory; at 200,000 an overloaded proxy held ~150 MB of queued ticks.
   */
  readonly #subscriber = new Subscriber({ linger: 0, receiveHighWaterMark: 20_000 });
  readonly #dealer = new Dealer({ linger: 0 });
  readonly #dealerQueue: SendQueue;
  readonly #pending = new Map<number, Pending>();
  #nextId = 1;
  #isClosed = false;
  #onMarket: MarketMessageHandler = () => undefined;
  #onOrder: OrderMessageHandler = () => undefined;
  #onStatus: (status: FeedStatusMessage) => void = () => undefined;
  #lastStatus: FeedStatusMessage | null = null;

  constructor(options: HubClientOptions) {
    this.#options = options;
    this.#dealerQueue = new SendQueue(this.#dealer, {
      limit: 100_000,
      logger: options.logger,
      name: 'proxy-control',
    });
  }

  /** The hub's latest status message (heartbeat), or null before the first one. */
  get lastStatus(): FeedStatusMessage | null {
    return this.#lastStatus;
  }

  onMarket(handler: MarketMessageHandler): void {
    this.#onMarket = handler;
  }

  onOrder(handler: OrderMessageHandler): void {
    this.#onOrder = handler;
  }

  onStatus(handler: (status: FeedStatusMessage) => void): void {
    this.#onStatus = handler;
  }

  start(): void {
    this.#subscriber.connect(this.#options.publishUrl);
    this.#subscriber.subscribe(FEED_TOPIC);
    this.#dealer.connect(this.#options.controlUrl);
    void this.#readTopics();
    void this.#readReplies();
  }

  close(): void {
    if (this.#isClosed) {
      return;
    }
    this.#isClosed = true;
    for (const pending of this.#pending.values()) {
      clearTimeout(pending.timer);
      pending.reject(new HubRequestError('CLOSED', 'hub client closed'));
    }
    this.#pending.clear();
    this.#dealerQueue.close();
    this.#subscriber.close();
    this.#dealer.close();
  }

  subscribe(topic: string): void {
    if (!this.#isClosed) {
      this.#subscriber.subscribe(topic);
    }
  }

  unsubscribe(topic: string): void {
    if (!this.#isClosed) {
      this.#subscriber.unsubscribe(topic);
    }
  }

  /** One control request; resolves with the hub's success answer, rejects with its error. */
  request<Op extends ControlRequest['op']>(op: Op, body: RequestBody<Op>): Promise<ControlReplies[Op]> {
    if (this.#isClosed) {
      return Promise.reject(new HubRequestError('CLOSED', 'hub client closed'));
    }
    const id = this.#nextId++;
    return new Promise<ControlReplies[Op]>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new HubRequestError('HUB_TIMEOUT', 'the market-data hub did not answer'));
      }, this.#options.requestTimeoutMs ?? 5_000);
      timer.unref();
      this.#pending.set(id, { op, resolve: resolve as (value: unknown) => void, reject, timer });
      this.#dealerQueue.push([JSON.stringify({ ...body, id, op })]);
    });
  }

  async #readTopics(): Promise<void> {
    try {
      for await (const [topicFrame, meta, payload] of this.#subscriber) {
        if (!topicFrame || !payload) {
          continue;
        }
        const topic = topicFrame.toString('utf8');
        if (topic.startsWith(MARKET_PREFIX)) {
          this.#onMarket(topic, meta?.[0] ?? 1, payload);
        } else if (topic.startsWith(ORDER_PREFIX)) {
          const userId = parseOrderTopic(topic);
          if (userId !== undefined) {
            this.#onOrder(userId, payload);
          }
        } else if (topic === FEED_TOPIC) {
          this.#handleStatus(payload);
        }
      }
    } catch (error) {
      if (!this.#isClosed) {
        this.#options.logger.error({ err: error }, 'hub topic reader stopped');
      }
    }
  }

  #handleStatus(payload: Buffer): void {
    let raw: unknown;
    try {
      raw = JSON.parse(payload.toString('utf8'));
    } catch {
      return;
    }
    const parsed = feedStatusMessageSchema.safeParse(raw);
    if (parsed.success) {
      this.#lastStatus = parsed.data;
      this.#onStatus(parsed.data);
    }
  }

  async #readReplies(): Promise<void> {
    try {
      for await (const [body] of this.#dealer) {
        if (!body) {
          continue;
        }
        this.#settle(body);
      }
    } catch (error) {
      if (!this.#isClosed) {
        this.#options.logger.error({ err: error }, 'hub control reader stopped');
      }
    }
  }

  #settle(body: Buffer): void {
    let raw: { id?: unknown; ok?: unknown };
    try {
      raw = JSON.parse(body.toString('utf8')) as { id?: unknown; ok?: unknown };
    } catch {
      return;
    }
    const pending = typeof raw.id === 'number' ? this.#pending.get(raw.id) : undefined;
    if (!pending || typeof raw.id !== 'number') {
      return;
    }
    this.#pending.delete(raw.id);
    clearTimeout(pending.timer);
    const { id: _id, ...reply } = raw;
    const success = controlReplySchemas[pending.op].safeParse(reply);
    if (success.success) {
      pending.resolve(success.data);
      return;
    }
    const failure = errorReplySchema.safeParse(reply);
    pending.reject(
      failure.success
        ? new HubRequestError(failure.data.code, failure.data.message)
        : new HubRequestError('BAD_REPLY', 'the hub answered something unreadable'),
    );
  }
}
