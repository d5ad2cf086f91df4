import {
  DEVICES,
  EARLIEST_EVENT_TIME_MS,
  EVENT_SCHEMA_VERSION,
  EventTime,
  INTERACTION_TYPES,
  LATEST_EVENT_TIME_MS,
  MAX_CONTEXT_KEYS,
  MAX_CUSTOM_TEXT_LENGTH,
  MAX_DWELL_MS,
  MAX_ID_LENGTH,
  MAX_KEY_LENGTH,
  MAX_LABEL_LENGTH,
  MAX_LOCALE_LENGTH,
  MAX_POSITION,
  MAX_RATING,
  isStorableText,
  type InteractionEvent,
} from './events.js';
import { featureValueProblem } from './model-features.js';

/**
 * A hand-written check of the common case, an interaction event that is
 * valid as sent, about ten times cheaper than the zod schema (which costs
 * most of the ingester's validation time at 500-event batches). It only
 * ever accepts: it returns the event exactly as `InteractionEvent.parse`
 * would (same values, same key order, so the same bytes on Kafka), or
 * undefined for anything it is not sure of, which the schema then decides,
 * reasons and all. `interaction-fast-path.spec.ts` holds it to the schema
 * on the hostile-input fuzz corpus.
 */
export function acceptInteraction(input: object): InteractionEvent | undefined {
  if (Object.getPrototypeOf(input) !== Object.prototype) return undefined;
  const event = input as Record<string, unknown>;
  // Present means defined: an explicit undefined, which JSON cannot send, is left to zod.
  for (const key in event) if (!FIELDS.has(key) || event[key] === undefined) return undefined;
  const { type, rating, experiment, variant } = event;
  if (!interactionTypes.has(type)) return undefined;
  if (type === 'rating' && rating === undefined) return undefined;
  if (variant !== undefined && experiment === undefined) return undefined;
  const eventTime = epochMs(event.event_time);
  const context = event.context === undefined ? {} : acceptContext(event.context);
  if (eventTime === undefined || context === undefined) return undefined;
  if (!(isId(event.event_id) && isId(event.user_id) && isId(event.item_id))) return undefined;
  if (event.schema_version !== undefined && event.schema_version !== EVENT_SCHEMA_VERSION) return undefined;
  if (!(optional(event.request_id, isId) && optional(experiment, isLabel) && optional(variant, isLabel))) return undefined;
  if (!(optional(event.dwell_ms, isDwell) && optional(rating, isRating) && optional(event.value, isValue))) return undefined;
  if (!optional(event.features, isModelFeatures)) return undefined;
  // Shape order, as zod builds its output; optional fields only when sent.
  const accepted: Record<string, unknown> = {
    schema_version: EVENT_SCHEMA_VERSION,
    event_id: event.event_id,
    event_time: eventTime,
    type,
    user_id: event.user_id,
    item_id: event.item_id,
    context,
  };
  for (const key of OPTIONAL_FIELDS) if (Object.hasOwn(event, key)) accepted[key] = event[key];
  return accepted as InteractionEvent;
}

/** Every field of `InteractionEvent`, in the schema's order; the spec checks it against the schema's shape. */
export const INTERACTION_FIELDS = [
  'schema_version',
  'event_id',
  'event_time',
  'type',
  'user_id',
  'item_id',
  'context',
  'request_id',
  'experiment',
  'variant',
  'dwell_ms',
  'rating',
  'value',
  'features',
] as const;
/** Every field of `Context` with a schema of its own, in the schema's order. */
export const CONTEXT_FIELDS = ['surface', 'page', 'position', 'device', 'locale'] as const;

const FIELDS: ReadonlySet<string> = new Set(INTERACTION_FIELDS);
const KNOWN_CONTEXT_FIELDS: ReadonlySet<string> = new Set(CONTEXT_FIELDS);
const OPTIONAL_FIELDS = INTERACTION_FIELDS.slice(INTERACTION_FIELDS.indexOf('request_id'));
const interactionTypes: ReadonlySet<unknown> = new Set(INTERACTION_TYPES);
const devices: ReadonlySet<unknown> = new Set(DEVICES);

function acceptContext(value: unknown): Record<string, unknown> | undefined {
  if (typeof value !== 'object' || value === null || Object.getPrototypeOf(value) !== Object.prototype) return undefined;
  const context = value as Record<string, unknown>;
  const keys = Object.keys(context);
  if (keys.length > MAX_CONTEXT_KEYS || keys.some((key) => context[key] === undefined)) return undefined;
  const { surface, page, position, device, locale } = context;
  if (!(optional(surface, isLabel) && optional(page, isLabel) && optional(position, isPosition))) return undefined;
  if (!(optional(device, (d) => devices.has(d)) && optional(locale, isLocale))) return undefined;
  const accepted: Record<string, unknown> = {};
  for (const key of CONTEXT_FIELDS) if (Object.hasOwn(context, key)) accepted[key] = context[key];
  for (const key of keys) {
    if (KNOWN_CONTEXT_FIELDS.has(key)) continue;
    // zod drops a `__proto__` key where an assignment would set the prototype: leave both to zod.
    if (key === '__proto__' || key.length > MAX_KEY_LENGTH || !isStorableText(key) || !isCustomValue(context[key])) return undefined;
    accepted[key] = context[key];
  }
  return accepted;
}

/** `EventTime`'s output for a valid input; ISO strings go through the schema itself. */
function epochMs(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value >= EARLIEST_EVENT_TIME_MS && value < LATEST_EVENT_TIME_MS ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const parsed = EventTime.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}

const optional = (value: unknown, check: (value: unknown) => boolean) => value === undefined || check(value);
const text = (value: unknown, min: number, max: number): boolean =>
  typeof value === 'string' && value.length >= min && value.length <= max && isStorableText(value);
const isId = (value: unknown) => text(value, 1, MAX_ID_LENGTH);
const isLabel = (value: unknown) => text(value, 1, MAX_LABEL_LENGTH);
const isLocale = (value: unknown) => text(value, 0, MAX_LOCALE_LENGTH);
const isWhole = (value: unknown, max: number) => Number.isSafeInteger(value) && (value as number) >= 0 && (value as number) <= max;
const isPosition = (value: unknown) => isWhole(value, MAX_POSITION);
const isDwell = (value: unknown) => isWhole(value, MAX_DWELL_MS);
const isRating = (value: unknown) => typeof value === 'number' && Number.isFinite(value) && value >= 0 && value <= MAX_RATING;
const isValue = (value: unknown) => typeof value === 'number' && Number.isFinite(value) && value >= 0;
const isCustomValue = (value: unknown) =>
  typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value)) || text(value, 0, MAX_CUSTOM_TEXT_LENGTH);
const isModelFeatures = (value: unknown) =>
  typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype &&
  Object.entries(value).every(([name, feature]) => featureValueProblem(name, feature) === undefined);
