import { z } from 'zod';
import type { AnyEvent } from './events.js';
import { jsonWithoutRecursion, nestedDeeperThan } from './json-depth.js';

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
  events: { name: 'events', partitions: 6, retentionMs: 7 * DAY_MS, description: 'interaction events, keyed by user_id: one event per message, or an array of one user\'s events (a response\'s exposures)' },
  items: { name: 'items', partitions: 3, retentionMs: 30 * DAY_MS, description: 'item catalogue upserts, keyed by item_id' },
  users: { name: 'users', partitions: 3, retentionMs: 30 * DAY_MS, description: 'user attribute upserts, keyed by user_id' },
  deadLetter: {
    name: 'events.dead-letter',
    partitions: 1,
    retentionMs: 30 * DAY_MS,
    description: 'rejected input with the reasons, as { reasons, source, received_at, raw, raw_truncated? }',
  },
} as const satisfies Record<string, TopicSpec>;

/** The name each of the platform's topics has in a deployment; the defaults are `TOPICS`' names. */
export type TopicNames = Record<keyof typeof TOPICS, string>;

export const DEFAULT_TOPIC_NAMES: TopicNames = {
  events: TOPICS.events.name,
  items: TOPICS.items.name,
  users: TOPICS.users.name,
  deadLetter: TOPICS.deadLetter.name,
};

/** The environment variables that rename the topics, for an app's environment schema. */
export const topicNamesEnv = {
  EVENTS_TOPIC: z.string().min(1).default(DEFAULT_TOPIC_NAMES.events),
  ITEMS_TOPIC: z.string().min(1).default(DEFAULT_TOPIC_NAMES.items),
  USERS_TOPIC: z.string().min(1).default(DEFAULT_TOPIC_NAMES.users),
  DEAD_LETTER_TOPIC: z.string().min(1).default(DEFAULT_TOPIC_NAMES.deadLetter),
};

export function topicNamesFromEnv(e: { EVENTS_TOPIC: string; ITEMS_TOPIC: string; USERS_TOPIC: string; DEAD_LETTER_TOPIC: string }): TopicNames {
  return { events: e.EVENTS_TOPIC, items: e.ITEMS_TOPIC, users: e.USERS_TOPIC, deadLetter: e.DEAD_LETTER_TOPIC };
}

/** The platform's topics as a deployment names them (`EVENTS_TOPIC` and the like), with `TOPICS`' partitions and retention. */
export function topicSpecs(names: TopicNames = DEFAULT_TOPIC_NAMES): TopicSpec[] {
  return (Object.keys(TOPICS) as (keyof typeof TOPICS)[]).map((topic) => ({ ...TOPICS[topic], name: names[topic] }));
}

/** The topic and partitioning key an accepted event is produced with. */
export function routeEvent(event: AnyEvent, topics: TopicNames = DEFAULT_TOPIC_NAMES): { topic: string; key: string } {
  switch (event.type) {
    case 'item':
      return { topic: topics.items, key: event.item_id };
    case 'user':
      return { topic: topics.users, key: event.user_id };
    default:
      return { topic: topics.events, key: event.user_id };
  }
}

/** A dead-letter record: the rejected input, untouched unless huge, and why it was rejected. */
export interface DeadLetter {
  reasons: string[];
  /** Which component rejected it, e.g. `ingester` or `feature-builder`. */
  source: string;
  received_at: number;
  /** The input as received: the decoded value, or its JSON text when it did not parse or nests past MAX_JSON_DEPTH; see `raw_truncated`. */
  raw: unknown;
  /** Set when the input's JSON exceeded MAX_DEAD_LETTER_RAW_CHARS: `raw` is then that JSON's first characters, and this its full length. */
  raw_truncated?: { json_chars: number };
}

/**
 * The most JSON characters of rejected input a dead letter keeps. Escaping
 * can make JSON several times larger than the input (a control character
 * takes 6), and a dead letter past Kafka's message size could never be
 * produced, which would stop the component that rejected it.
 */
export const MAX_DEAD_LETTER_RAW_CHARS = 16 * 1024;

/** The dead letter for rejected input, with `raw` cut to MAX_DEAD_LETTER_RAW_CHARS of its JSON when longer. */
export function deadLetterFor(reasons: string[], source: string, raw: unknown): DeadLetter {
  // Input too deep for JSON.stringify (here and in the producer) is kept as its JSON text.
  const deep = nestedDeeperThan(raw);
  const json = deep ? jsonWithoutRecursion(raw) : (JSON.stringify(raw) ?? 'null');
  const letter: DeadLetter = { reasons, source, received_at: Date.now(), raw: deep ? json : raw };
  if (json.length <= MAX_DEAD_LETTER_RAW_CHARS) return letter;
  return { ...letter, raw: json.slice(0, MAX_DEAD_LETTER_RAW_CHARS), raw_truncated: { json_chars: json.length } };
}
