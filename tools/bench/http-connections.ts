/**
 * A pool of keep-alive HTTP/1.1 connections for the load generator, one
 * request at a time on each, written straight to the socket: node:http's
 * client took CPU from the cores the server it measures shares, this a
 * fraction of it (docs/decisions/paced-load-generator.md). It understands
 * what a load generator needs and no more:
 * bodies sized by Content-Length or chunked, no trailers, no redirects.
 */
import { connect, type Socket } from 'node:net';

export interface HttpReply {
  status: number;
  body: string;
}

export interface PostOptions {
  host: string;
  port: number;
  /** Connections kept open (reopened when the server closes one); a request that finds them all busy waits for the first one free. */
  connections: number;
}

const HEADER_END = Buffer.from('\r\n\r\n');

/** The reply's body once `data` holds all of it, decoded as UTF-8; undefined while more is to come. */
function replyBody(data: Buffer, head: string, start: number): string | undefined {
  const length = /\r\ncontent-length:\s*(\d+)/i.exec(head);
  if (length) {
    const end = start + Number(length[1]);
    return data.length < end ? undefined : data.toString('utf8', start, end);
  }
  if (!/\r\ntransfer-encoding:\s*chunked/i.test(head)) throw new Error('a reply with neither Content-Length nor chunked encoding');
  const parts: Buffer[] = [];
  let at = start;
  for (;;) {
    const lineEnd = data.indexOf('\r\n', at);
    if (lineEnd < 0) return undefined;
    const size = parseInt(data.toString('latin1', at, lineEnd), 16);
    const next = lineEnd + 2 + size + 2;
    if (data.length < next) return undefined;
    if (size === 0) return Buffer.concat(parts).toString('utf8');
    parts.push(data.subarray(lineEnd + 2, lineEnd + 2 + size));
    at = next;
  }
}

/** One connection: sends a request, parses its reply, then is free for the next. */
class Connection {
  private readonly socket: Socket;
  /** What has arrived of the reply awaited. */
  private unread?: Buffer;
  /** The reply awaited; unset while the connection is free. */
  private waiting?: { resolve: (reply: HttpReply) => void; reject: (error: Error) => void };
  closed = false;
  /** Settles once the connection is up, or has failed (a request on it then fails). */
  readonly connected: Promise<void>;

  constructor(options: PostOptions, onClosed: (connection: Connection) => void) {
    this.socket = connect({ host: options.host, port: options.port, noDelay: true });
    this.connected = new Promise((resolve) => {
      this.socket.once('connect', resolve);
      this.socket.once('close', resolve);
    });
    this.socket.on('data', (chunk: Buffer) => {
      try {
        this.received(chunk);
      } catch (error) {
        this.socket.destroy(error as Error);
      }
    });
    const close = (error?: Error) => {
      if (this.closed) return;
      this.closed = true;
      this.waiting?.reject(error ?? new Error('the server closed the connection'));
      this.waiting = undefined;
      onClosed(this);
    };
    this.socket.on('error', close);
    this.socket.on('close', () => close());
  }

  send(request: string): Promise<HttpReply> {
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
      this.socket.write(request);
    });
  }

  destroy(): void {
    this.socket.destroy();
  }

  private received(chunk: Buffer): void {
    const data = (this.unread = this.unread ? Buffer.concat([this.unread, chunk]) : chunk);
    const headerEnd = data.indexOf(HEADER_END);
    if (headerEnd < 0) return;
    const head = data.toString('latin1', 0, headerEnd);
    const body = replyBody(data, head, headerEnd + HEADER_END.length);
    if (body === undefined) return;
    // One request at a time, so nothing follows the body.
    this.unread = undefined;
    const waiting = this.waiting;
    this.waiting = undefined;
    waiting?.resolve({ status: Number(head.slice(9, 12)), body });
  }
}

/** POSTs over up to `connections` keep-alive connections, handing each request the connection free longest. */
export class HttpConnections {
  private readonly free: Connection[] = [];
  private readonly queued: (() => void)[] = [];
  private readonly live = new Set<Connection>();

  constructor(private readonly options: PostOptions) {}

  /**
   * Opens every connection, one at a time and `spacingMs` apart. A server of
   * several processes (node:cluster) is dealt connections, not requests, each
   * to the process that acknowledged its last one first: 32 opened at once
   * landed 20 and 13 on two processes, and the busier one set the latency.
   */
  async open(spacingMs = 5): Promise<void> {
    while (this.live.size < this.options.connections) {
      const connection = this.opened();
      await connection.connected;
      if (connection.closed) throw new Error(`cannot connect to ${this.options.host}:${this.options.port}`);
      this.free.push(connection);
      await new Promise((resolve) => setTimeout(resolve, spacingMs));
    }
  }

  async post(path: string, headers: Record<string, string>, body: string): Promise<HttpReply> {
    const connection = await this.acquire();
    let head = `POST ${path} HTTP/1.1\r\nhost: ${this.options.host}:${this.options.port}\r\n`;
    for (const [name, value] of Object.entries(headers)) head += `${name}: ${value}\r\n`;
    try {
      return await connection.send(`${head}content-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
    } finally {
      this.release(connection);
    }
  }

  close(): void {
    for (const connection of this.live) connection.destroy();
  }

  private acquire(): Promise<Connection> {
    const connection = this.free.shift();
    if (connection) return Promise.resolve(connection);
    if (this.live.size < this.options.connections) return Promise.resolve(this.opened());
    return new Promise((resolve) => this.queued.push(() => resolve(this.acquire())));
  }

  private opened(): Connection {
    const connection = new Connection(this.options, (closed) => this.closed(closed));
    this.live.add(connection);
    return connection;
  }

  private release(connection: Connection): void {
    if (!connection.closed) this.free.push(connection);
    this.queued.shift()?.();
  }

  private closed(connection: Connection): void {
    this.live.delete(connection);
    const index = this.free.indexOf(connection);
    if (index >= 0) this.free.splice(index, 1);
  }
}
