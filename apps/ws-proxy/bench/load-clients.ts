import { WebSocket } from 'ws';
import { nowMicros } from './bench-feed.js';

/**
 * The benchmark's load: N WebSocket clients (a child process, so they do not share the
 * hub's or the proxy's event loop) that authenticate, subscribe every symbol in LTP mode and record each
 * tick's publish→receive latency and per-symbol sequence gaps. Frames are scanned, not parsed.
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
const sockets: WebSocket[] = [];
const LTT = Buffer.from('"ltt":');
const SEQ = Buffer.from('"timestamp":');

function readNumber(frame: Buffer, key: Buffer): number {
  const at = frame.indexOf(key);
  if (at < 0) {
    return -1;
  }
  let value = 0;
  for (let index = at + key.length; index < frame.length; index += 1) {
    const digit = (frame[index] as number) - 48;
    if (digit < 0 || digit > 9) {
      break;
    }
    value = value * 10 + digit;
  }
  return value;
}

async function openClient(index: number): Promise<WebSocket> {
  const socket = new WebSocket(setup.url, { skipUTF8Validation: true, perMessageDeflate: false });
  const lastSeq = new Map<string, number>();
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  let subscribed: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => {
    subscribed = resolve;
  });
  socket.on('message', (data: Buffer) => {
    if (data[9] === 109 /* m of "market_data" at {"type":"m */) {
      // Sequence numbers are followed between windows too, so a window's start is no gap.
      const seq = readNumber(data, SEQ);
      const symbolAt = data.indexOf('"symbol":"') + 10;
      const symbol = data.toString('latin1', symbolAt, data.indexOf('"', symbolAt));
      const previous = lastSeq.get(symbol);
      lastSeq.set(symbol, seq);
      if (!isMeasuring) {
        return;
      }
      received += 1;
      const sentAt = readNumber(data, LTT);
      if (sentAt > 0 && (received & 7) === 0) {
        latencies.push(nowMicros() - sentAt);
      }
      if (previous !== undefined && seq !== previous + 1) {
        gaps += 1;
      }
      return;
    }
    const text = data.toString();
    if (text.includes('"type":"auth"')) {
      socket.send(
        JSON.stringify({
          action: 'subscribe',
          symbols: setup.symbols.map((symbol) => ({ symbol, exchange: 'NSE' })),
          mode: 1,
        }),
      );
    } else if (text.includes('"type":"subscribe"')) {
      subscribed();
    } else if (text.includes('"status":"error"')) {
      port?.postMessage({ kind: 'error', client: index, text });
    }
  });
  socket.send(JSON.stringify({ action: 'authenticate', api_key: setup.apiKey }));
  await ready;
  return socket;
}

port.on('message', async (message: { kind: string; pauseFirst?: boolean }) => {
  if (message.kind === 'start') {
    for (let index = 0; index < setup.clients; index += 1) {
      sockets.push(await openClient(index));
    }
    port.postMessage({ kind: 'ready' });
  } else if (message.kind === 'measure') {
    received = 0;
    gaps = 0;
    latencies.length = 0;
    isMeasuring = true;
    if (message.pauseFirst) {
      sockets[0]?.pause();
    }
    port.postMessage({ kind: 'measuring' });
  } else if (message.kind === 'report') {
    isMeasuring = false;
    port.postMessage({ kind: 'report', received, gaps, latencies });
  } else if (message.kind === 'stop') {
    for (const socket of sockets) {
      socket.terminate();
    }
    port.postMessage({ kind: 'stopped' });
    setTimeout(() => process.exit(0), 100);
  }
});
