import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { HttpConnections } from './http-connections.js';

let server: Server | undefined;
let pool: HttpConnections | undefined;
afterEach(async () => {
  pool?.close();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
});

/** A raw TCP server: `reply(n)` gives the byte pieces written, a few ms apart, for the n-th request. */
async function rawServer(reply: (n: number, socket: Socket) => string[]): Promise<HttpConnections> {
  let n = 0;
  const sockets = new Set<Socket>();
  server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('data', (chunk) => {
      if (!chunk.includes('\r\n\r\n')) return;
      const pieces = reply(n++, socket);
      pieces.forEach((piece, i) => setTimeout(() => socket.writable && socket.write(piece), i * 5));
    });
  });
  server.on('close', () => sockets.forEach((s) => s.destroy()));
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  pool = new HttpConnections({ host: '127.0.0.1', port: (server.address() as AddressInfo).port, connections: 2 });
  return pool;
}

describe('HttpConnections', () => {
  it('reads bodies sized by Content-Length and chunked ones, however the bytes arrive', async () => {
    const connections = await rawServer((n) =>
      n === 0
        ? ['HTTP/1.1 200 OK\r\nContent-Le', 'ngth: 13\r\n\r\n{"é":', '"done"}']
        : ['HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n4\r\n{"a"', '\r\n3\r\n:1}\r\n0\r\n\r\n'],
    );
    expect(await connections.post('/', {}, '{}')).toEqual({ status: 200, body: '{"é":"done"}' });
    expect(await connections.post('/', {}, '{}')).toEqual({ status: 201, body: '{"a":1}' });
  });

  it('reports the status of an error reply, and a connection the server drops, then opens a new one', async () => {
    const connections = await rawServer((n, socket) => {
      if (n === 1) {
        socket.destroy();
        return [];
      }
      return [`HTTP/1.1 ${n === 0 ? '429 Too Many Requests' : '200 OK'}\r\ncontent-length: 2\r\n\r\n{}`];
    });
    expect((await connections.post('/', {}, '{}')).status).toBe(429);
    await expect(connections.post('/', {}, '{}')).rejects.toThrow(/closed/);
    expect(await connections.post('/', {}, '{}')).toEqual({ status: 200, body: '{}' });
  });
});

describe('HttpConnections.open', () => {
  it('opens every connection before the first request, and says when the server is not there', async () => {
    let accepted = 0;
    server = createServer(() => accepted++);
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    pool = new HttpConnections({ host: '127.0.0.1', port, connections: 3 });
    await pool.open(1);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(accepted).toBe(3);
    pool.close();
    await new Promise<void>((resolve) => server!.close(() => resolve()));
    server = undefined;
    pool = new HttpConnections({ host: '127.0.0.1', port, connections: 1 });
    await expect(pool.open()).rejects.toThrow(`cannot connect to 127.0.0.1:${port}`);
  });
});
