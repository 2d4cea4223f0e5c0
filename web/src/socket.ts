import type { Credentials } from './auth';
import { parseFrame, type ServerFrame } from './protocol';

export type SocketState = 'offline' | 'connecting' | 'open' | 'reconnecting';

export interface SocketEvents {
  frame(frame: ServerFrame): void;
  state(state: SocketState): void;
  /** The connection came back after it dropped while `keepOpen` was on (re-read what was missed). */
  reopened(): void;
  /** Opening failed several times in a row (a refused credential or an unreachable API). */
  unreachable(attempts: number): void;
}

/** Delay before reconnect attempt `n` (0-based): 0.3 s, 0.6 s, 1.2 s … up to 10 s, with jitter. */
export const backoffMs = (attempt: number, random: () => number = Math.random): number =>
  Math.round(Math.min(10_000, 300 * 2 ** attempt) * (0.75 + random() * 0.5));

/** The `wss://…?token=…` URL of `$connect` (browsers cannot set headers on a WebSocket). */
export function connectUrl(base: string, creds: Credentials): string {
  const url = new URL(base);
  if (creds.kind === 'api-key') {
    url.searchParams.set('token', creds.apiKey);
    if (creds.userId) url.searchParams.set('userId', creds.userId);
  } else {
    url.searchParams.set('token', creds.idToken);
  }
  return url.href;
}

/**
 * The chat WebSocket. Connects on first use; while `keepOpen` is on (a turn is running) a dropped connection
 * is reopened with backoff and `reopened` fires, so the page can re-read the conversation it was answering.
 * Idle connections are not kept alive: API Gateway closes them after 10 minutes, and the next send reconnects.
 */
export class ChatSocket {
  private socket: WebSocket | undefined;
  private opening: Promise<WebSocket> | undefined;
  private keep = false;
  private failures = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private droppedWhileKept = false;

  constructor(
    private readonly url: string,
    private readonly credentials: () => Promise<Credentials | undefined>,
    private readonly events: SocketEvents,
  ) {}

  /** Keep the connection (reconnect when it drops) while a turn runs. */
  keepOpen(on: boolean): void {
    this.keep = on;
    if (on) return;
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    this.droppedWhileKept = false;
    if (!this.socket && !this.opening) this.events.state('offline');
  }

  async send(payload: unknown): Promise<void> {
    const socket = await this.open();
    socket.send(JSON.stringify(payload));
  }

  /** Closes for good (sign-out, page change of identity). */
  close(): void {
    this.keep = false;
    if (this.timer) clearTimeout(this.timer);
    const socket = this.socket;
    this.socket = undefined;
    socket?.close(1000, 'bye');
    this.events.state('offline');
  }

  private open(): Promise<WebSocket> {
    if (this.socket && this.socket.readyState === WebSocket.OPEN) return Promise.resolve(this.socket);
    this.opening ??= this.connect().finally(() => {
      this.opening = undefined;
    });
    return this.opening;
  }

  private async connect(): Promise<WebSocket> {
    const creds = await this.credentials();
    if (!creds) throw new Error('signed out');
    this.events.state(this.droppedWhileKept ? 'reconnecting' : 'connecting');
    return new Promise<WebSocket>((resolve, reject) => {
      const socket = new WebSocket(connectUrl(this.url, creds));
      let opened = false;
      socket.addEventListener('open', () => {
        opened = true;
        this.failures = 0;
        this.socket = socket;
        this.events.state('open');
        if (this.droppedWhileKept) {
          this.droppedWhileKept = false;
          this.events.reopened();
        }
        resolve(socket);
      });
      socket.addEventListener('message', (event) => {
        if (typeof event.data !== 'string') return;
        const frame = parseFrame(event.data);
        if (frame) this.events.frame(frame);
      });
      socket.addEventListener('close', () => {
        if (this.socket === socket) this.socket = undefined;
        if (!opened) {
          this.failures++;
          if (this.failures >= 3) this.events.unreachable(this.failures);
          reject(new Error('The chat connection could not be opened'));
        }
        if (this.keep) {
          this.droppedWhileKept = true;
          this.events.state('reconnecting');
          this.timer = setTimeout(() => {
            this.timer = undefined;
            if (this.keep) this.open().catch(() => undefined);
          }, backoffMs(this.failures));
        } else if (opened) {
          this.events.state('offline');
        }
      });
    });
  }
}
