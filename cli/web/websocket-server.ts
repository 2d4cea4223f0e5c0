import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';

/**
 * The server side of RFC 6455, as much as a local chat backend needs: the opening handshake, text messages
 * (fragmented or not), ping/pong and the closing handshake. Binary messages are refused (1003), unmasked
 * client frames are a protocol error (1002), invalid UTF-8 closes with 1007 and a message above
 * `maxMessageBytes` with 1009 (API Gateway's own limit is 128 KB a message). No extensions (no compression).
 */

/** RFC 6455 §1.3: the GUID appended to the client's key. */
const HANDSHAKE_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

export const OPCODE = {
  continuation: 0x0,
  text: 0x1,
  binary: 0x2,
  close: 0x8,
  ping: 0x9,
  pong: 0xa,
} as const;

/** `Sec-WebSocket-Accept` for a client's `Sec-WebSocket-Key`. */
export const acceptKey = (key: string): string =>
  createHash('sha1').update(`${key}${HANDSHAKE_GUID}`).digest('base64');

/** One unmasked server frame (FIN set). */
export function encodeFrame(opcode: number, payload: Buffer): Buffer {
  const length = payload.length;
  let header: Buffer;
  if (length < 126) {
    header = Buffer.from([0x80 | opcode, length]);
  } else if (length < 0x10000) {
    header = Buffer.alloc(4);
    header[0] = 0x80 | opcode;
    header[1] = 126;
    header.writeUInt16BE(length, 2);
  } else {
    header = Buffer.alloc(10);
    header[0] = 0x80 | opcode;
    header[1] = 127;
    header.writeBigUInt64BE(BigInt(length), 2);
  }
  return Buffer.concat([header, payload]);
}

export interface WebSocketOptions {
  /** @default 131072 (128 KB, API Gateway's message limit) */
  readonly maxMessageBytes?: number;
}

type Listener<T> = (value: T) => void;

/** An accepted connection. */
export class WebSocketConnection {
  private buffer: Buffer = Buffer.alloc(0);
  private fragments: Buffer[] = [];
  private fragmentBytes = 0;
  private closing = false;
  private closed = false;
  private readonly messageListeners: Listener<string>[] = [];
  private readonly closeListeners: Listener<{ code: number; reason: string }>[] = [];
  private readonly maxMessageBytes: number;

  constructor(
    private readonly socket: Duplex,
    options: WebSocketOptions = {},
  ) {
    this.maxMessageBytes = options.maxMessageBytes ?? 128 * 1024;
    socket.on('data', (data: Buffer) => this.receive(data));
    socket.on('close', () => this.finish(1006, ''));
    socket.on('error', () => this.finish(1006, ''));
  }

  get isOpen(): boolean {
    return !this.closing && !this.closed;
  }

  onMessage(listener: Listener<string>): void {
    this.messageListeners.push(listener);
  }

  onClose(listener: Listener<{ code: number; reason: string }>): void {
    this.closeListeners.push(listener);
  }

  send(text: string): void {
    if (!this.isOpen) return;
    this.socket.write(encodeFrame(OPCODE.text, Buffer.from(text, 'utf8')));
  }

  ping(data = ''): void {
    if (this.isOpen) this.socket.write(encodeFrame(OPCODE.ping, Buffer.from(data)));
  }

  /** Starts the closing handshake; the peer's close frame (or a timeout) ends the TCP connection. */
  close(code = 1000, reason = ''): void {
    if (this.closing || this.closed) return;
    this.closing = true;
    const payload = Buffer.alloc(2 + Buffer.byteLength(reason));
    payload.writeUInt16BE(code, 0);
    payload.write(reason, 2);
    this.socket.write(encodeFrame(OPCODE.close, payload));
    setTimeout(() => this.socket.destroy(), 2000).unref();
  }

  /** Drops the TCP connection without a closing handshake (what a network failure looks like). */
  terminate(): void {
    this.socket.destroy();
    this.finish(1006, '');
  }

  private finish(code: number, reason: string): void {
    if (this.closed) return;
    this.closed = true;
    for (const listener of this.closeListeners) listener({ code, reason });
  }

  private fail(code: number, reason: string): void {
    this.close(code, reason);
    this.buffer = Buffer.alloc(0);
  }

  private receive(data: Buffer): void {
    this.buffer = this.buffer.length === 0 ? data : Buffer.concat([this.buffer, data]);
    while (!this.closed) {
      const frame = this.readFrame();
      if (!frame) return;
      this.handle(frame.fin, frame.opcode, frame.payload);
    }
  }

  /** One complete frame off the buffer, or undefined until more bytes arrive. */
  private readFrame(): { fin: boolean; opcode: number; payload: Buffer } | undefined {
    const b = this.buffer;
    if (b.length < 2) return undefined;
    const first = b[0] ?? 0;
    const second = b[1] ?? 0;
    const masked = (second & 0x80) !== 0;
    let length = second & 0x7f;
    let offset = 2;
    if (length === 126) {
      if (b.length < 4) return undefined;
      length = b.readUInt16BE(2);
      offset = 4;
    } else if (length === 127) {
      if (b.length < 10) return undefined;
      const big = b.readBigUInt64BE(2);
      if (big > BigInt(this.maxMessageBytes)) {
        this.fail(1009, 'message too big');
        return undefined;
      }
      length = Number(big);
      offset = 10;
    }
    if (!masked) {
      this.fail(1002, 'client frames must be masked');
      return undefined;
    }
    if (length > this.maxMessageBytes) {
      this.fail(1009, 'message too big');
      return undefined;
    }
    if (b.length < offset + 4 + length) return undefined;
    const mask = b.subarray(offset, offset + 4);
    const payload = Buffer.from(b.subarray(offset + 4, offset + 4 + length));
    for (let i = 0; i < payload.length; i++) payload[i] = (payload[i] ?? 0) ^ (mask[i % 4] ?? 0);
    this.buffer = b.subarray(offset + 4 + length);
    if ((first & 0x70) !== 0) {
      this.fail(1002, 'no extensions were negotiated');
      return undefined;
    }
    return { fin: (first & 0x80) !== 0, opcode: first & 0x0f, payload };
  }

  private handle(fin: boolean, opcode: number, payload: Buffer): void {
    switch (opcode) {
      case OPCODE.ping:
        if (!fin || payload.length > 125) {
          this.fail(1002, 'bad control frame');
          return;
        }
        if (this.isOpen) this.socket.write(encodeFrame(OPCODE.pong, payload));
        return;
      case OPCODE.pong:
        return;
      case OPCODE.close: {
        const code = payload.length >= 2 ? payload.readUInt16BE(0) : 1005;
        const reason = payload.length > 2 ? payload.subarray(2).toString('utf8') : '';
        if (!this.closing) {
          this.closing = true;
          // Echo the status code (RFC 6455 §5.5.1), then end the TCP connection.
          const echo = payload.length >= 2 ? payload.subarray(0, 2) : Buffer.alloc(0);
          this.socket.end(encodeFrame(OPCODE.close, echo));
        } else {
          this.socket.end();
        }
        this.finish(code, reason);
        return;
      }
      case OPCODE.binary:
        this.fail(1003, 'only text messages are accepted');
        return;
      case OPCODE.text:
      case OPCODE.continuation: {
        if (this.closing) return;
        if (opcode === OPCODE.text && this.fragments.length > 0) {
          this.fail(1002, 'expected a continuation');
          return;
        }
        if (opcode === OPCODE.continuation && this.fragments.length === 0) {
          this.fail(1002, 'continuation without a message');
          return;
        }
        this.fragmentBytes += payload.length;
        if (this.fragmentBytes > this.maxMessageBytes) {
          this.fail(1009, 'message too big');
          return;
        }
        this.fragments.push(payload);
        if (!fin) return;
        const whole = Buffer.concat(this.fragments);
        this.fragments = [];
        this.fragmentBytes = 0;
        let text: string;
        try {
          text = new TextDecoder('utf-8', { fatal: true }).decode(whole);
        } catch {
          this.fail(1007, 'invalid UTF-8');
          return;
        }
        for (const listener of this.messageListeners) listener(text);
        return;
      }
      default:
        this.fail(1002, 'unknown opcode');
        return;
    }
  }
}

/**
 * Completes the opening handshake of an HTTP `upgrade` request, or answers 400 and returns undefined when the
 * request is not a WebSocket handshake (version 13, a 16-byte base64 key).
 */
export function acceptWebSocket(
  request: IncomingMessage,
  socket: Duplex,
  options: WebSocketOptions = {},
): WebSocketConnection | undefined {
  const key = request.headers['sec-websocket-key'];
  const upgrade = String(request.headers.upgrade ?? '').toLowerCase();
  const validKey = typeof key === 'string' && Buffer.from(key, 'base64').length === 16;
  if (upgrade !== 'websocket' || request.headers['sec-websocket-version'] !== '13' || !validKey) {
    socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nSec-WebSocket-Version: 13\r\n\r\n');
    return undefined;
  }
  socket.write(
    [
      'HTTP/1.1 101 Switching Protocols',
      'Upgrade: websocket',
      'Connection: Upgrade',
      `Sec-WebSocket-Accept: ${acceptKey(key)}`,
      '',
      '',
    ].join('\r\n'),
  );
  return new WebSocketConnection(socket, options);
}

/** Refuses an upgrade with an HTTP status (what API Gateway does when `$connect` is not authorised). */
export function refuseUpgrade(socket: Duplex, status: number, reason: string): void {
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}
