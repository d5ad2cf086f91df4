import type { AnyEvent } from './events.js';

/** A Kafka topic the platform owns, with the settings `topics:create` applies. */
export interface TopicSpec {
  name: string;
  partitions: number;
  retentionMs: number;
  /** What the topic carries and how it is keyed. */
  description: string;
}

const DAY_MS = 86_400_000;

export const TOPICS = {
  events: { name: 'events', partitions: 6, retentionMs: 7 * DAY_MS, description: 'interaction events, keyed by user_id' },
  items: { name: 'items', partitions: 3, retentionMs: 30 * DAY_MS, description: 'item catalogue upserts, keyed by item_id' },
  users: { name: 'users', partitions: 3, retentionMs: 30 * DAY_MS, description: 'user attribute upserts, keyed by user_id' },
  deadLetter: {
    name: 'events.dead-letter',
    partitions: 1,
    retentionMs: 30 * DAY_MS,
    description: 'rejected input with the reasons, as { reasons, source, received_at, raw }',
  },
} as const satisfies Record<string, TopicSpec>;

/** The topic and partitioning key an accepted event is produced with. */
export function routeEvent(event: AnyEvent): { topic: string; key: string } {
  switch (event.type) {
    case 'item':
      return { topic: TOPICS.items.name, key: event.item_id };
    case 'user':
      return { topic: TOPICS.users.name, key: event.user_id };
    default:
      return { topic: TOPICS.events.name, key: event.user_id };
  }
}

/** A dead-letter record: the rejected input, untouched, and why it was rejected. */
export interface DeadLetter {
  reasons: string[];
  /** Which component rejected it, e.g. `ingester` or `feature-builder`. */
  source: string;
  received_at: number;
  /** The input as received: the decoded value, or the raw text when it did not parse. */
  raw: unknown;
}
