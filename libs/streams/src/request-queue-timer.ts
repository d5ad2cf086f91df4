import { createRequire } from 'node:module';

/** The parts of kafkajs' per-connection RequestQueue (src/network/requestQueue) this module touches. */
export interface RequestQueueInternals {
  pending: unknown[];
  /** Epoch ms until which the broker asked the client not to send; -1 when it never did. */
  throttledUntil: number;
  throttleCheckTimeoutId: NodeJS.Timeout | null;
  checkPendingRequests(): void;
  scheduleCheckPendingRequests(): void;
}

/** How often a queue holding requests back looks again, as kafkajs does (CHECK_PENDING_REQUESTS_INTERVAL). */
const RECHECK_MS = 10;

let installed = false;

/**
 * kafkajs 2.2.4 (the last release) re-arms a timer after every check of a
 * connection's pending requests, even when none are pending and nothing is
 * throttled; unthrottled, the delay is negative, so the timer fires after
 * 1 ms and re-arms itself again (tulios/kafkajs#1556). Every connection that
 * has answered one request then wakes its process every millisecond for as
 * long as it lives (docs/decisions/kafka-client-cpu.md). This arms the timer
 * only when a request waits or a throttle
 * will end, which are the two cases it exists for. Idempotent.
 */
export function stopIdleRequestQueueTimers(): void {
  if (installed) return;
  installed = true;
  const RequestQueue = createRequire(import.meta.url)('kafkajs/src/network/requestQueue/index.js') as { prototype: RequestQueueInternals };
  RequestQueue.prototype.scheduleCheckPendingRequests = function (this: RequestQueueInternals) {
    if (this.throttleCheckTimeoutId) return;
    const untilUnthrottled = this.throttledUntil - Date.now();
    if (this.pending.length === 0 && untilUnthrottled <= 0) return;
    this.throttleCheckTimeoutId = setTimeout(
      () => {
        this.throttleCheckTimeoutId = null;
        this.checkPendingRequests();
      },
      untilUnthrottled > 0 ? untilUnthrottled : RECHECK_MS,
    );
  };
}
