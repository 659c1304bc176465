import { createHash, randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { nowMicros } from './bench-feed.js';

/**
 * The benchmark's load: N WebSocket clients (a child process, so they do not share the
 * hub's or the proxy's event loop) that authenticate, subscribe every symbol in LTP mode and record each
 * tick's publish→receive latency and per-symbol sequence gaps.
 *
 * The clients speak RFC 6455 over plain sockets instead of through `ws`: at several hundred
 * thousand frames a second a general-purpose client (a stream per socket, a Buffer and an event
 * per frame) costs more CPU than the proxy it measures, and on a small machine the load clients
 * then set the ceiling. Here frames are scanned in place in the received chunk; nothing is
 * allocated per tick. Pings are answered, so the proxy's keepalive sees a live client.
 */

interface Setup {
  url: string;
  apiKey: string;
  clients: number;
  symbols: string[];
}

const setup = JSON.parse(process.env.BENCH_LOAD_SETUP ?? '{}') as Setup;
const port = {
  postMessage: (message: unknown) => process.send?.(message),
  on: (event: 'message', listener: (message: { kind: string; pauseFirst?: boolean }) => void) =>
    process.on(event, listener),
};
if (!process.send) {
  throw new Error('load-clients runs as a child process with IPC');
}

let isMeasuring = false;
let received = 0;
let gaps = 0;
const latencies: number[] = [];
const clients: RawClient[] = [];
const LTT = Buffer.from('"ltt":');
const SEQ = Buffer.from('"timestamp":');
const SYMBOL = Buffer.from('"symbol":"');
const HEADERS_END = Buffer.from('\r\n\r\n');
const WS_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/** The digits at `from` as a number (-1 when `from` is past `end`). */
function readNumber(frame: Buffer, from: number, end: number): number {
  if (from < 0 || from >= end) {
    return -1;
  }
  let value = 0;
  for (let index = from; index < end; index += 1) {
    const digit = (frame[index] as number) - 48;
    if (digit < 0 || digit > 9) {
      break;
    }
    value = value * 10 + digit;
  }
  return value;
}

function valueAt(frame: Buffer, key: Buffer, start: number, end: number): number {
  const at = frame.indexOf(key, start);
  return at < 0 || at >= end ? -1 : readNumber(frame, at + key.length, end);
}

/** A client frame: masked, as RFC 6455 §5.3 requires of clients. */
function clientFrame(opcode: number, payload: Buffer): Buffer {
  const length = payload.length;
  const headerLength = length < 126 ? 2 : length < 65_536 ? 4 : 10;
  const frame = Buffer.allocUnsafe(headerLength + 4 + length);
  frame[0] = 0x80 | opcode;
  if (length < 126) {
    frame[1] = 0x80 | length;
  } else if (length < 65_536) {
    frame[1] = 0x80 | 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 0x80 | 127;
    frame.writeBigUInt64BE(BigInt(length), 2);
  }
  const mask = randomBytes(4);
  mask.copy(frame, headerLength);
  const offset = headerLength + 4;
  for (let index = 0; index < length; index += 1) {
    frame[offset + index] = (payload[index] as number) ^ (mask[index & 3] as number);
  }
  return frame;
}

class RawClient {
  readonly #socket: Socket;
  readonly #index: number;
  /** Per-symbol last sequence number, keyed by a hash of the symbol's bytes. */
  readonly #lastSeq = new Map<number, number>();
  #pending: Buffer | null = null;
  #isUpgraded = false;
  #acceptKey = '';
  #onSubscribed: () => void = () => undefined;
  #onFailed: (error: Error) => void = () => undefined;

  constructor(url: URL, index: number) {
    this.#index = index;
    this.#socket = connect({ host: url.hostname, port: Number(url.port), noDelay: true });
    this.#socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    this.#socket.on('error', (error) => this.#onFailed(error));
  }

  /** Upgrades, authenticates and subscribes; resolves once the subscription is confirmed. */
  open(url: URL): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.#onSubscribed = resolve;
      this.#onFailed = reject;
      const key = randomBytes(16).toString('base64');
      this.#acceptKey = createHash('sha1').update(`${key}${WS_GUID}`).digest('base64');
      this.#socket.write(
        `GET ${url.pathname || '/'} HTTP/1.1\r\nHost: ${url.host}\r\nUpgrade: websocket\r\n` +
          `Connection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      );
    });
  }

  pause(): void {
    this.#socket.pause();
  }

  destroy(): void {
    this.#socket.destroy();
  }

  #sendText(value: unknown): void {
    this.#socket.write(clientFrame(0x1, Buffer.from(JSON.stringify(value), 'utf8')));
  }

  #onData(chunk: Buffer): void {
    const data = this.#pending ? Buffer.concat([this.#pending, chunk]) : chunk;
    this.#pending = null;
    let offset = 0;
    if (!this.#isUpgraded) {
      const end = data.indexOf(HEADERS_END);
      if (end < 0) {
        this.#pending = data;
        return;
      }
      const head = data.toString('latin1', 0, end);
      if (!head.startsWith('HTTP/1.1 101') || !head.includes(this.#acceptKey)) {
        this.#onFailed(new Error(`upgrade refused: ${head.split('\r\n')[0]}`));
        return;
      }
      this.#isUpgraded = true;
      offset = end + HEADERS_END.length;
      this.#sendText({ action: 'authenticate', api_key: setup.apiKey });
    }
    while (data.length - offset >= 2) {
      const opcode = (data[offset] as number) & 0x0f;
      const second = data[offset + 1] as number;
      if ((second & 0x80) !== 0) {
        this.#onFailed(new Error('masked frame from the server'));
        return;
      }
      let length = second & 0x7f;
      let header = 2;
      if (length === 126) {
        if (data.length - offset < 4) {
          break;
        }
        length = data.readUInt16BE(offset + 2);
        header = 4;
      } else if (length === 127) {
        if (data.length - offset < 10) {
          break;
        }
        length = Number(data.readBigUInt64BE(offset + 2));
        header = 10;
      }
      if (data.length - offset < header + length) {
        break;
      }
      const start = offset + header;
      const end = start + length;
      offset = end;
      if (opcode === 0x1) {
        this.#onText(data, start, end);
      } else if (opcode === 0x9) {
        this.#socket.write(clientFrame(0xa, data.subarray(start, end)));
      } else if (opcode === 0x8) {
        this.#socket.end();
      } else if (opcode !== 0xa) {
        this.#onFailed(new Error(`unexpected opcode ${opcode} (the proxy never fragments)`));
        return;
      }
    }
    if (offset < data.length) {
      // Copied, so a large chunk is not kept alive by its last partial frame.
      this.#pending = Buffer.from(data.subarray(offset));
    }
  }

  #onText(data: Buffer, start: number, end: number): void {
    if (data[start + 9] === 109 /* m of "market_data" at {"type":"m */) {
      // Sequence numbers are followed between windows too, so a window's start is no gap.
      const seq = valueAt(data, SEQ, start, end);
      const symbolAt = data.indexOf(SYMBOL, start) + SYMBOL.length;
      let symbol = 0x811c9dc5;
      for (let index = symbolAt; index < end && data[index] !== 34; index += 1) {
        symbol = Math.imul(symbol ^ (data[index] as number), 0x01000193);
      }
      const previous = this.#lastSeq.get(symbol);
      this.#lastSeq.set(symbol, seq);
      if (!isMeasuring) {
        return;
      }
      received += 1;
      if ((received & 7) === 0) {
        const sentAt = valueAt(data, LTT, start, end);
        if (sentAt > 0) {
          latencies.push(nowMicros() - sentAt);
        }
      }
      if (previous !== undefined && seq !== previous + 1) {
        gaps += 1;
      }
      return;
    }
    const text = data.toString('utf8', start, end);
    if (text.includes('"type":"auth"')) {
      this.#sendText({
        action: 'subscribe',
        symbols: setup.symbols.map((symbol) => ({ symbol, exchange: 'NSE' })),
        mode: 1,
      });
    } else if (text.includes('"type":"subscribe"')) {
      this.#onSubscribed();
    } else if (text.includes('"status":"error"')) {
      port.postMessage({ kind: 'error', client: this.#index, text });
    }
  }
}

port.on('message', async (message: { kind: string; pauseFirst?: boolean }) => {
  if (message.kind === 'start') {
    const url = new URL(setup.url);
    for (let index = 0; index < setup.clients; index += 1) {
      const client = new RawClient(url, index);
      await client.open(url);
      clients.push(client);
    }
    port.postMessage({ kind: 'ready' });
  } else if (message.kind === 'measure') {
    received = 0;
    gaps = 0;
    latencies.length = 0;
    isMeasuring = true;
    if (message.pauseFirst) {
      clients[0]?.pause();
    }
    port.postMessage({ kind: 'measuring' });
  } else if (message.kind === 'report') {
    isMeasuring = false;
    port.postMessage({ kind: 'report', received, gaps, latencies });
  } else if (message.kind === 'stop') {
    for (const client of clients) {
      client.destroy();
    }
    port.postMessage({ kind: 'stopped' });
    setTimeout(() => process.exit(0), 100);
  }
});
