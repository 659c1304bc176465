/**
 * Server-to-client WebSocket text frames (RFC 6455 §5.2: FIN, opcode 1, no mask), built once
 * and written as they are to every recipient's socket. The proxy writes its own frames so a
 * tick is serialized once, whatever the number of clients; `ws` still reads, pings and closes.
 */

function headerLength(payloadLength: number): number {
  if (payloadLength < 126) {
    return 2;
  }
  return payloadLength < 65_536 ? 4 : 10;
}

function writeHeader(frame: Buffer, payloadLength: number): number {
  frame[0] = 0x81;
  if (payloadLength < 126) {
    frame[1] = payloadLength;
    return 2;
  }
  if (payloadLength < 65_536) {
    frame[1] = 126;
    frame.writeUInt16BE(payloadLength, 2);
    return 4;
  }
  frame[1] = 127;
  frame.writeUInt32BE(Math.floor(payloadLength / 2 ** 32), 2);
  frame.writeUInt32BE(payloadLength >>> 0, 6);
  return 10;
}

/** One text frame whose payload is the concatenation of `parts` (UTF-8). */
export function textFrame(...parts: Buffer[]): Buffer {
  let payloadLength = 0;
  for (const part of parts) {
    payloadLength += part.length;
  }
  const frame = Buffer.allocUnsafe(headerLength(payloadLength) + payloadLength);
  let offset = writeHeader(frame, payloadLength);
  for (const part of parts) {
    part.copy(frame, offset);
    offset += part.length;
  }
  return frame;
}

/** A text frame carrying `value` as JSON. */
export function jsonFrame(value: unknown): Buffer {
  return textFrame(Buffer.from(JSON.stringify(value), 'utf8'));
}
