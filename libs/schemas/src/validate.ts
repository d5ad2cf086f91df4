import type { z } from 'zod';
import { InteractionEvent, ItemEvent, UserEvent, INTERACTION_TYPES, type AnyEvent } from './events.js';
import { futureTimeReason, type ArrivalBound } from './future-skew.js';
import { acceptInteraction } from './interaction-fast-path.js';
import { TOO_DEEP_MESSAGE, nestedDeeperThan } from './json-depth.js';

export type Validation = { ok: true; event: AnyEvent } | { ok: false; reasons: string[] };
export type MessageValidation = { ok: true; events: AnyEvent[] } | { ok: false; reasons: string[] };

/** Most events one message may carry as an array; serving splits a longer response (ExposureLog). */
export const MAX_EVENTS_PER_MESSAGE = 1_000;

const interactionTypes: ReadonlySet<string> = new Set(INTERACTION_TYPES);
const allTypes = [...INTERACTION_TYPES, 'item', 'user'].join(', ');

/**
 * Validates one decoded event of any kind, choosing the schema by `type`,
 * and, given its arrival, refuses an event time too far past it. On
 * failure every bad field is named, as `field: reason`.
 */
export function validateEvent(input: unknown, arrival?: ArrivalBound): Validation {
  const result = validateContract(input);
  const future = result.ok && arrival ? futureTimeReason(result.event.event_time, arrival) : undefined;
  return future ? { ok: false, reasons: [future] } : result;
}

/**
 * The contract alone. Valid interactions, the bulk of the traffic, take a
 * cheaper path to the same result; input nested past MAX_JSON_DEPTH is
 * refused before the schema walks it.
 */
function validateContract(input: unknown): Validation {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return { ok: false, reasons: ['event: must be a JSON object'] };
  }
  const type = (input as { type?: unknown }).type;
  const fast = typeof type === 'string' && interactionTypes.has(type) ? acceptInteraction(input) : undefined;
  if (fast) return { ok: true, event: fast };
  if (nestedDeeperThan(input)) return { ok: false, reasons: [`event: ${TOO_DEEP_MESSAGE}`] };
  const schema = typeof type !== 'string' ? undefined : interactionTypes.has(type) ? InteractionEvent : schemaFor[type];
  if (!schema) return { ok: false, reasons: [`type: must be one of ${allTypes}`] };
  const result = schema.safeParse(input);
  return result.success ? { ok: true, event: result.data as AnyEvent } : { ok: false, reasons: describe(result.error) };
}

/**
 * Validates one decoded message value: a single event, or an array of
 * events written together under the message's one key (serving logs a
 * response's exposures as one message, which halved what kafkajs' record
 * encoding cost it). The message is valid only if every event is, and an
 * invalid element is named by its index.
 */
export function validateMessage(input: unknown, arrival?: ArrivalBound): MessageValidation {
  if (!Array.isArray(input)) {
    const result = validateEvent(input, arrival);
    return result.ok ? { ok: true, events: [result.event] } : result;
  }
  if (input.length === 0) return { ok: false, reasons: ['message: an array of events must not be empty'] };
  if (input.length > MAX_EVENTS_PER_MESSAGE) return { ok: false, reasons: [`message: at most ${MAX_EVENTS_PER_MESSAGE} events, got ${input.length}`] };
  const events: AnyEvent[] = [];
  const reasons: string[] = [];
  input.forEach((element, i) => {
    const result = validateEvent(element, arrival);
    if (result.ok) events.push(result.event);
    else reasons.push(...result.reasons.map((reason) => `[${i}].${reason}`));
  });
  if (reasons.length === 0) return { ok: true, events };
  const listed = reasons.slice(0, MAX_REASONS);
  if (reasons.length > MAX_REASONS) listed.push(`message: ${reasons.length - MAX_REASONS} more problems not listed`);
  return { ok: false, reasons: listed };
}

const schemaFor: Record<string, z.ZodType | undefined> = { item: ItemEvent, user: UserEvent };

/** Reasons per event, and characters per field name, that a rejection reports at most: hostile input can have any number of fields of any length. */
const MAX_REASONS = 20;
const MAX_FIELD_CHARS = 160;

function describe(error: z.ZodError): string[] {
  const reasons = error.issues.slice(0, MAX_REASONS).map((issue) => {
    if (issue.code === 'unrecognized_keys') return `${shorten(issue.keys.join(', '))}: unknown field`;
    const field = issue.path.length > 0 ? issue.path.join('.') : 'event';
    return `${shorten(field)}: ${issue.message}`;
  });
  if (error.issues.length > MAX_REASONS) reasons.push(`event: ${error.issues.length - MAX_REASONS} more problems not listed`);
  return reasons;
}

const shorten = (field: string) => (field.length > MAX_FIELD_CHARS ? `${field.slice(0, MAX_FIELD_CHARS)}…` : field);
