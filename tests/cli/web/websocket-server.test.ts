import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as net from 'node:net';
import type { Duplex } from 'node:stream';
import { acceptKey, acceptWebSocket, OPCODE } from '../../../cli/web/websocket-server';

/** A masked client frame (RFC 6455 §5.2), optionally without FIN or without the mask. */
function clientFrame(
  opcode: number,
  payload: Buffer,
  options: { fin?: boolean; masked?: boolean } = {},
): Buffer {
  const fin = options.fin ?? true;
  const masked = options.masked ?? true;
  const length = payload.length;
  const header: number[] = [(fin ? 0x80 : 0) | opcode];
  const maskBit = masked ? 0x80 : 0;
  let extended = Buffer.alloc(0);
  if (length < 126) header.push(maskBit | length);
  else if (length < 0x10000) {
    header.push(maskBit | 126);
    extended = Buffer.alloc(2);
    extended.writeUInt16BE(length);
  } else {
    header.push(maskBit | 127);
    extended = Buffer.alloc(8);
    extended.writeBigUInt64BE(BigInt(length));
  }
  if (!masked) return Buffer.concat([Buffer.from(header), extended, payload]);
  const mask = Buffer.from([0x12, 0x34, 0x56, 0x78]);
  const body = Buffer.from(payload.map((b, i) => b ^ (mask[i % 4] ?? 0)));
  return Buffer.concat([Buffer.from(header), extended, mask, body]);
}

interface ServerFrame {
  fin: boolean;
  opcode: number;
  payload: Buffer;
}

/** A raw TCP client that speaks just enough WebSocket to test the server. */
class RawClient {
  private buffer = Buffer.alloc(0);
  private handshake = '';
  private waiters: (() => void)[] = [];
  readonly frames: ServerFrame[] = [];
  ended = false;

  constructor(private readonly socket: net.Socket) {
    socket.on('data', (data: Buffer) => {
      this.buffer = Buffer.concat([this.buffer, data]);
      if (!this.handshake) {
        const end = this.buffer.indexOf('\r\n\r\n');
        if (end < 0) return;
        this.handshake = this.buffer.subarray(0, end).toString();
        this.buffer = this.buffer.subarray(end + 4);
      }
      this.parse();
      this.wake();
    });
    socket.on('close', () => {
      this.ended = true;
      this.wake();
    });
  }

  static async open(port: number, headers: Record<string, string> = {}): Promise<RawClient> {
    const socket = net.connect(port, '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    const client = new RawClient(socket);
    const all = {
      Host: `127.0.0.1:${port}`,
      Upgrade: 'websocket',
      Connection: 'Upgrade',
      'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==',
      'Sec-WebSocket-Version': '13',
      ...headers,
    };
    socket.write(
      `GET /ws HTTP/1.1\r\n${Object.entries(all)
        .map(([k, v]) => `${k}: ${v}`)
        .join('\r\n')}\r\n\r\n`,
    );
    await client.until(() => client.handshake !== '' || client.ended);
    return client;
  }

  get status(): string {
    return this.handshake.split('\r\n')[0] ?? '';
  }

  get headers(): string {
    return this.handshake;
  }

  send(frame: Buffer): void {
    this.socket.write(frame);
  }

  async until(done: () => boolean): Promise<void> {
    while (!done()) await new Promise<void>((resolve) => this.waiters.push(resolve));
  }

  close(): void {
    this.socket.destroy();
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  private parse(): void {
    for (;;) {
      const b = this.buffer;
      if (b.length < 2) return;
      let length = (b[1] ?? 0) & 0x7f;
      let offset = 2;
      if (length === 126) {
        if (b.length < 4) return;
        length = b.readUInt16BE(2);
        offset = 4;
      } else if (length === 127) {
        if (b.length < 10) return;
        length = Number(b.readBigUInt64BE(2));
        offset = 10;
      }
      expect((b[1] ?? 0) & 0x80).toBe(0); // server frames are never masked
      if (b.length < offset + length) return;
      this.frames.push({
        fin: ((b[0] ?? 0) & 0x80) !== 0,
        opcode: (b[0] ?? 0) & 0x0f,
        payload: b.subarray(offset, offset + length),
      });
      this.buffer = b.subarray(offset + length);
    }
  }
}

const closeCode = (frame: ServerFrame | undefined) => frame?.payload.readUInt16BE(0);

describe('Module: websocket-server (RFC 6455, server side)', () => {
  let server: Server;
  let port: number;
  const received: string[] = [];
  const closes: number[] = [];
  const sockets = new Set<Duplex>();

  beforeAll(async () => {
    server = createServer();
    server.on('upgrade', (request, socket) => {
      sockets.add(socket);
      const ws = acceptWebSocket(request, socket, { maxMessageBytes: 100_000 });
      ws?.onMessage((text) => {
        received.push(text);
        ws.send(text); // echo
      });
      ws?.onClose(({ code }) => closes.push(code));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  beforeEach(() => {
    received.length = 0;
    closes.length = 0;
  });

  it('computes Sec-WebSocket-Accept as RFC 6455 §1.3 does', () => {
    expect(acceptKey('dGhlIHNhbXBsZSBub25jZQ==')).toBe('s3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
  });

  it('completes the opening handshake', async () => {
    const client = await RawClient.open(port);
    expect(client.status).toBe('HTTP/1.1 101 Switching Protocols');
    expect(client.headers).toContain('Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
    client.close();
  });

  it.each([
    ['no key', { 'Sec-WebSocket-Key': '' }],
    ['a short key', { 'Sec-WebSocket-Key': 'c2hvcnQ=' }],
    ['another version', { 'Sec-WebSocket-Version': '8' }],
  ])('answers 400 to a handshake with %s', async (_name, headers) => {
    const client = await RawClient.open(port, headers);
    expect(client.status).toBe('HTTP/1.1 400 Bad Request');
    client.close();
  });

  it.each([
    ['7-bit', 125],
    ['16-bit', 126],
    ['16-bit max', 65_535],
    ['64-bit', 65_536],
    ['the limit', 100_000],
  ])('receives and sends a text message with a %s length (%d bytes)', async (_name, size) => {
    const client = await RawClient.open(port);
    const text = 'é'.repeat(Math.floor(size / 2)) + (size % 2 ? 'x' : '');
    client.send(clientFrame(OPCODE.text, Buffer.from(text)));
    await client.until(() => client.frames.length === 1);
    expect(received).toEqual([text]);
    expect(client.frames[0]).toMatchObject({ fin: true, opcode: OPCODE.text });
    expect(client.frames[0]?.payload.toString()).toBe(text);
    client.close();
  });

  it('joins a fragmented message, with a ping between its fragments answered by a pong', async () => {
    const client = await RawClient.open(port);
    client.send(clientFrame(OPCODE.text, Buffer.from('Hel'), { fin: false }));
    client.send(clientFrame(OPCODE.ping, Buffer.from('are you there')));
    client.send(clientFrame(OPCODE.continuation, Buffer.from('lo, '), { fin: false }));
    client.send(clientFrame(OPCODE.continuation, Buffer.from('world'), { fin: true }));
    await client.until(() => client.frames.length === 2);
    expect(client.frames[0]).toMatchObject({ opcode: OPCODE.pong });
    expect(client.frames[0]?.payload.toString()).toBe('are you there');
    expect(received).toEqual(['Hello, world']);
    client.close();
  });

  it('answers a close frame with the same code and ends the connection', async () => {
    const client = await RawClient.open(port);
    const payload = Buffer.alloc(2);
    payload.writeUInt16BE(1000);
    client.send(clientFrame(OPCODE.close, payload));
    await client.until(() => client.ended);
    expect(client.frames.map((f) => f.opcode)).toEqual([OPCODE.close]);
    expect(closeCode(client.frames[0])).toBe(1000);
    expect(closes).toEqual([1000]);
  });

  it.each([
    ['an unmasked frame', () => clientFrame(OPCODE.text, Buffer.from('hi'), { masked: false }), 1002],
    ['a binary message', () => clientFrame(OPCODE.binary, Buffer.from([1, 2, 3])), 1003],
    ['invalid UTF-8', () => clientFrame(OPCODE.text, Buffer.from([0xc3, 0x28])), 1007],
    ['one byte past the limit', () => clientFrame(OPCODE.text, Buffer.alloc(100_001, 0x61)), 1009],
    ['a continuation without a message', () => clientFrame(OPCODE.continuation, Buffer.from('x')), 1002],
    ['an unknown opcode', () => clientFrame(0x3, Buffer.from('x')), 1002],
  ])('closes on %s with status %d', async (_name, frame, code) => {
    const client = await RawClient.open(port);
    client.send(frame());
    await client.until(() => client.frames.some((f) => f.opcode === OPCODE.close));
    expect(closeCode(client.frames.find((f) => f.opcode === OPCODE.close))).toBe(code);
    expect(received).toEqual([]);
    client.close();
  });

  it('closes when fragments together exceed the limit', async () => {
    const client = await RawClient.open(port);
    client.send(clientFrame(OPCODE.text, Buffer.alloc(60_000, 0x61), { fin: false }));
    client.send(clientFrame(OPCODE.continuation, Buffer.alloc(60_000, 0x61), { fin: true }));
    await client.until(() => client.frames.some((f) => f.opcode === OPCODE.close));
    expect(closeCode(client.frames[0])).toBe(1009);
    client.close();
  });
});
