import { z } from 'zod';
import { LoggedFeatures } from './model-features.js';
import { isStorableText, UNSTORABLE_MESSAGE } from './text.js';

/**
 * Event contract, version 1. Every event carries `event_id`, the idempotency
 * key that lets consumers apply it once however often it is delivered.
 * Input accepts ISO-8601 strings or epoch milliseconds for times; the
 * parsed form (what goes on Kafka) always holds epoch milliseconds.
 */
export const EVENT_SCHEMA_VERSION = 1;

export const MAX_ID_LENGTH = 128;
/** Most keys an event's context holds, custom ones included. */
export const MAX_CONTEXT_KEYS = 32;
/** Longest key of a free-form map (custom context, user attributes). */
export const MAX_KEY_LENGTH = 64;

export { isStorableText, UNSTORABLE_MESSAGE } from './text.js';
/** Any string of the contract: storable in Postgres. */
const text = (params?: Parameters<typeof z.string>[0]) => z.string(params).refine(isStorableText, UNSTORABLE_MESSAGE);

const requiredString = { error: (issue: { input?: unknown }) => (issue.input === undefined ? 'is required' : 'must be a string') };
/** An entity, event or request id, as the event contract accepts it. */
export const EntityId = text(requiredString).min(1, 'must not be empty').max(MAX_ID_LENGTH, `must be at most ${MAX_ID_LENGTH} characters`);
/** Longest label (surface, page, experiment, variant, category, tag). */
export const MAX_LABEL_LENGTH = 64;
const label = text(requiredString).min(1, 'must not be empty').max(MAX_LABEL_LENGTH, `must be at most ${MAX_LABEL_LENGTH} characters`);

/** Epoch milliseconds from a number or an ISO-8601 string; years 1990 to 2100. */
export const EARLIEST_EVENT_TIME_MS = 631_152_000_000;
export const LATEST_EVENT_TIME_MS = 4_102_444_800_000;
export const EventTime = z
  .union([z.number().int('must be whole milliseconds'), z.string().datetime({ offset: true, message: 'must be ISO-8601' })], {
    error: (issue) => (issue.input === undefined ? 'is required' : 'must be epoch milliseconds or an ISO-8601 string'),
  })
  .transform((value) => (typeof value === 'number' ? value : Date.parse(value)))
  // From 1990: old enough for public rating logs (MovieLens starts in 1995), and a time sent in seconds instead of ms fails loudly.
  .refine((ms) => ms >= EARLIEST_EVENT_TIME_MS && ms < LATEST_EVENT_TIME_MS, 'must be between 1990 and 2100 (epoch ms or ISO-8601)');

export const INTERACTION_TYPES = [
  'exposure',
  'click',
  'view',
  'add_to_cart',
  'purchase',
  'rating',
  'like',
  'dislike',
] as const;
export type InteractionType = (typeof INTERACTION_TYPES)[number];

/** One entry of a user's behaviour sequence: what the sequence feature view keeps and sequence models read. */
export interface SequenceEntry {
  item_id: string;
  type: InteractionType;
  /** Event time, epoch ms. */
  time: number;
  /** The item's first catalogue category, when the catalogue had it at the time (sequence models and `last_category` read it). */
  category?: string;
}

export const DEVICES = ['mobile', 'desktop', 'tablet', 'tv', 'other'] as const;

/** Longest string value of a free-form map (custom context, user attributes). */
export const MAX_CUSTOM_TEXT_LENGTH = 256;
/** A value of a free-form map (custom context, user attributes). */
const customValue = z.union([text().max(MAX_CUSTOM_TEXT_LENGTH), z.number(), z.boolean()]);

/** Bounds a free-form map: how many keys, and how long each key is. */
function boundedKeys<T extends z.ZodType<Record<string, unknown>>>(map: T, maxKeys: number): T {
  return map
    .refine((value) => Object.keys(value).length <= maxKeys, `must have at most ${maxKeys} keys`)
    .refine((value) => Object.keys(value).every((key) => key.length <= MAX_KEY_LENGTH), `keys must be at most ${MAX_KEY_LENGTH} characters`)
    .refine((value) => Object.keys(value).every(isStorableText), `keys ${UNSTORABLE_MESSAGE}`);
}

export const MAX_POSITION = 10_000;
/** Longest locale: BCP 47 tags fit in 35 characters. */
export const MAX_LOCALE_LENGTH = 35;
export const MAX_DWELL_MS = 86_400_000;
export const MAX_RATING = 10;

/** Where and how the event happened; unknown keys are kept for custom context. */
export const Context = boundedKeys(
  z
    .object({
      surface: label.optional(),
      page: label.optional(),
      position: z.number().int().min(0).max(MAX_POSITION).optional(),
      device: z.enum(DEVICES).optional(),
      locale: text().max(MAX_LOCALE_LENGTH).optional(),
    })
    .catchall(customValue),
  MAX_CONTEXT_KEYS,
);

const base = {
  schema_version: z.literal(EVENT_SCHEMA_VERSION).default(EVENT_SCHEMA_VERSION),
  event_id: EntityId,
  event_time: EventTime,
};

/** A user's interaction with an item: exposures, clicks, views, conversions, ratings. */
export const InteractionEvent = z
  .object({
    ...base,
    type: z.enum(INTERACTION_TYPES),
    user_id: EntityId,
    item_id: EntityId,
    context: Context.default({}),
    /** Links an outcome to the exposure (served list) that caused it. */
    request_id: EntityId.optional(),
    experiment: label.optional(),
    variant: label.optional(),
    /** Time spent on the item, for `view`. */
    dwell_ms: z.number().int().min(0).max(MAX_DWELL_MS).optional(),
    /** Explicit rating, for `rating` (e.g. 1-5 stars). */
    rating: z.number().min(0).max(MAX_RATING).optional(),
    /** Purchase value in the shop's currency, for `purchase`. */
    value: z.number().min(0).optional(),
    /** The model features serving scored the item with, on the exposures it logs (see model-features.ts). */
    features: LoggedFeatures.optional(),
  })
  .strict()
  .superRefine((event, ctx) => {
    if (event.type === 'rating' && event.rating === undefined) {
      ctx.addIssue({ code: 'custom', path: ['rating'], message: 'is required for rating events' });
    }
    if (event.variant !== undefined && event.experiment === undefined) {
      ctx.addIssue({ code: 'custom', path: ['experiment'], message: 'is required when variant is set' });
    }
  });

/** Upsert of an item's catalogue attributes. */
export const ItemEvent = z
  .object({
    ...base,
    type: z.literal('item'),
    item_id: EntityId,
    categories: z.array(label).max(16).default([]),
    tags: z.array(label).max(64).default([]),
    created_time: EventTime.optional(),
    available: z.boolean().default(true),
  })
  .strict();

/** Upsert of a user's attributes. */
export const UserEvent = z
  .object({
    ...base,
    type: z.literal('user'),
    user_id: EntityId,
    attributes: boundedKeys(z.record(z.string(), customValue), 64).default({}),
  })
  .strict();

export type InteractionEvent = z.infer<typeof InteractionEvent>;
export type ItemEvent = z.infer<typeof ItemEvent>;
export type UserEvent = z.infer<typeof UserEvent>;
export type AnyEvent = InteractionEvent | ItemEvent | UserEvent;

/** Events of the interaction topic (`events`). */
export const isInteractionEvent = (event: AnyEvent): event is InteractionEvent => event.type !== 'item' && event.type !== 'user';
/** Upserts: the events of the upsert topics (`items`, `users`). */
export const isUpsertEvent = (event: AnyEvent): event is ItemEvent | UserEvent => event.type === 'item' || event.type === 'user';
/** What producers may send: the input side of the schemas (times as ISO or ms, defaults omitted). */
export type InteractionEventInput = z.input<typeof InteractionEvent>;
export type AnyEventInput = z.input<typeof InteractionEvent> | z.input<typeof ItemEvent> | z.input<typeof UserEvent>;
