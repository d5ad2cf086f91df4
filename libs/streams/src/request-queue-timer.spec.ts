import { createRequire } from 'node:module';
import { afterEach, describe, expect, it } from 'vitest';
import { stopIdleRequestQueueTimers, type RequestQueueInternals } from './request-queue-timer.js';

type Queue = RequestQueueInternals & { maybeThrottle(ms: number): void; destroy(): void };
const RequestQueue = createRequire(import.meta.url)('kafkajs/src/network/requestQueue/index.js') as new (options: object) => Queue;
const quiet = { debug() {}, info() {}, warn() {}, error() {} };
const queues: Queue[] = [];
const queue = () => {
  const q = new RequestQueue({ maxInFlightRequests: null, requestTimeout: 1_000, enforceRequestTimeout: false, clientId: 'spec', broker: 'localhost:9092', logger: quiet });
  queues.push(q);
  return q;
};

describe('stopIdleRequestQueueTimers', () => {
  stopIdleRequestQueueTimers();
  afterEach(() => queues.splice(0).forEach((q) => q.destroy()));

  it('arms no timer on a connection with nothing pending and no throttle', () => {
    const q = queue();
    // What fulfilling a response does; unpatched, it arms a 1 ms timer that re-arms itself forever.
    q.checkPendingRequests();
    expect(q.throttleCheckTimeoutId).toBeNull();
  });

  it('still sends a request held back by a throttle once the throttle ends', async () => {
    const q = queue();
    let sent = 0;
    q.maybeThrottle(30);
    q.pending.push({ expectResponse: true, send: () => sent++ });
    q.scheduleCheckPendingRequests();
    expect(q.throttleCheckTimeoutId).not.toBeNull();
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(sent).toBe(1);
    expect(q.pending).toHaveLength(0);
    expect(q.throttleCheckTimeoutId).toBeNull();
  });

  it('rechecks a pending request whose throttle has already ended', async () => {
    const q = queue();
    let sent = 0;
    q.pending.push({ expectResponse: true, send: () => sent++ });
    q.scheduleCheckPendingRequests();
    expect(q.throttleCheckTimeoutId).not.toBeNull();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(sent).toBe(1);
  });
});
