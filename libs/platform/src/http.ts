import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { NonRetriableError, RecstreamError } from './errors.js';

/** An error with an HTTP status, a JSON body for the caller and optional headers. */
export class HttpError extends RecstreamError {
  constructor(
    readonly status: number,
    message: string,
    readonly details: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(message, { retriable: status >= 500 || status === 429 });
  }
}

export interface HttpRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  /** The peer's socket address (behind a proxy, the proxy's): forwarded headers are not trusted, as any caller can set them. */
  clientAddress: string;
  /** Reads the whole body, failing with 413 past the server's `maxBodyBytes`. */
  body(): Promise<Buffer>;
}

export interface HttpResponse {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export type Handler = (request: HttpRequest) => Promise<HttpResponse>;

export interface HttpServiceOptions {
  port: number;
  host: string;
  /** Largest request body accepted, in bytes. */
  maxBodyBytes: number;
  logger: Logger;
  /** Prometheus registry served on /metrics. */
  metricsRegistry: Registry;
  /** Answers /readyz: true once dependencies are connected. */
  ready: () => boolean;
  /**
   * Checks the caller of a route registered with a scope; throws an HttpError
   * (401/403/429) to refuse. Without it, scoped routes are open.
   */
  authorize?: (request: HttpRequest, scope: string) => Promise<unknown>;
}

/** How long `close()` lets requests in flight finish before cutting their connections. */
export const SHUTDOWN_GRACE_MS = 10_000;

export const DEFAULT_HTTP_OPTIONS = { host: '0.0.0.0', maxBodyBytes: 5 * 1024 * 1024 };

/** Each app's default HTTP port, each its own, so that all of them run on one host as the demo runs them. */
export const APP_PORTS = { ingester: 8080, serving: 8081, featureBuilder: 8082, trainer: 8083, console: 8084, onlineUpdater: 8085, sampleGenerator: 8086 } as const;

/**
 * A small JSON-over-HTTP server: exact-path routes, bounded bodies, and the
 * /healthz, /readyz and /metrics endpoints every app exposes.
 */
export class HttpService {
  private readonly routes = new Map<string, { handler: Handler; scope?: string }>();
  private readonly server: Server;
  private closing?: Promise<void>;

  constructor(private readonly options: HttpServiceOptions) {
    this.server = createServer((req, res) => void this.dispatch(req, res));
    this.server.keepAliveTimeout = 65_000;
    this.route('GET', '/healthz', async () => ({ status: 200, body: { status: 'ok' } }));
    this.route('GET', '/readyz', async () =>
      options.ready() ? { status: 200, body: { status: 'ready' } } : { status: 503, body: { status: 'not ready' } },
    );
    this.route('GET', '/metrics', async () => ({
      status: 200,
      body: await options.metricsRegistry.metrics(),
      headers: { 'content-type': options.metricsRegistry.contentType },
    }));
  }

  /** Adds a route; with `scope`, callers must hold an API key with that scope. */
  route(method: string, path: string, handler: Handler, scope?: string): this {
    this.routes.set(`${method} ${path}`, { handler, scope });
    return this;
  }

  /** Binds the port; rejects once `close()` has begun, so a start that lost the race with a shutdown never serves. */
  async listen(): Promise<AddressInfo> {
    if (this.closing) throw new NonRetriableError('the HTTP server was closed before it listened');
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.options.port, this.options.host, () => resolve());
    });
    if (this.closing) {
      this.server.close();
      throw new NonRetriableError('the HTTP server was closed while it was binding its port');
    }
    return this.server.address() as AddressInfo;
  }

  /**
   * Stops accepting connections and waits for requests in flight to finish.
   * Their responses close their connections; keep-alive connections that are
   * idle are closed at once, and whatever is still open after
   * `SHUTDOWN_GRACE_MS` is cut, so a client holding a connection cannot keep
   * the process from exiting for the keep-alive timeout. Before `listen()`
   * there is nothing to close: it resolves, and the server never listens.
   */
  close(): Promise<void> {
    if (!this.server.listening) this.closing ??= Promise.resolve();
    this.closing ??= new Promise<void>((resolve, reject) => {
      const cut = setTimeout(() => this.server.closeAllConnections(), SHUTDOWN_GRACE_MS);
      cut.unref();
      this.server.close((error) => {
        clearTimeout(cut);
        if (error) reject(error);
        else resolve();
      });
      this.server.closeIdleConnections();
    });
    return this.closing;
  }

  private async dispatch(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const method = req.method ?? 'GET';
    let response: HttpResponse;
    try {
      const route = this.routes.get(`${method} ${url.pathname}`);
      if (!route) throw new HttpError(404, `no route for ${method} ${url.pathname}`);
      const request: HttpRequest = {
        method,
        path: url.pathname,
        query: url.searchParams,
        headers: req.headers,
        clientAddress: req.socket.remoteAddress ?? 'unknown',
        body: () => readBody(req, this.options.maxBodyBytes),
      };
      if (route.scope && this.options.authorize) await this.options.authorize(request, route.scope);
      response = await route.handler(request);
    } catch (error) {
      response = this.errorResponse(error, method, url.pathname);
      if (response.status === 413) res.setHeader('connection', 'close');
    }
    // While closing, a kept-alive connection would only go idle and hold the close up.
    if (this.closing) res.setHeader('connection', 'close');
    send(res, response);
  }

  private errorResponse(error: unknown, method: string, path: string): HttpResponse {
    if (error instanceof HttpError) {
      return { status: error.status, body: { error: error.message, ...error.details }, headers: error.headers };
    }
    this.options.logger.error({ err: error, method, path }, 'request failed');
    return { status: 500, body: { error: 'internal error' } };
  }
}

function send(res: ServerResponse, response: HttpResponse): void {
  const isText = typeof response.body === 'string';
  const payload = isText ? (response.body as string) : JSON.stringify(response.body);
  res.writeHead(response.status, {
    'content-type': isText ? 'text/plain; charset=utf-8' : 'application/json',
    'content-length': Buffer.byteLength(payload),
    ...response.headers,
  });
  res.end(payload);
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) {
    req.resume();
    return Promise.reject(tooLarge(limit));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners('data');
        req.resume();
        reject(tooLarge(limit));
      } else chunks.push(chunk);
    });
    req.once('end', () => resolve(Buffer.concat(chunks, size)));
    // The caller hung up mid-body; nobody is left to answer, so it is not a server error.
    req.once('error', () => reject(new HttpError(400, 'request aborted by the client before its body arrived')));
  });
}

const tooLarge = (limit: number) =>
  new HttpError(413, `request body exceeds ${limit} bytes; split it into smaller batches`, { max_bytes: limit });
