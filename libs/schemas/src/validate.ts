import type { z } from 'zod';
import { InteractionEvent, ItemEvent, UserEvent, INTERACTION_TYPES, type AnyEvent } from './events.js';
import { acceptInteraction } from './interaction-fast-path.js';

export type Validation = { ok: true; event: AnyEvent } | { ok: false; reasons: string[] };

const interactionTypes: ReadonlySet<string> = new Set(INTERACTION_TYPES);
const allTypes = [...INTERACTION_TYPES, 'item', 'user'].join(', ');

/**
 * Validates one decoded event of any kind, choosing the schema by `type`.
 * On failure every bad field is named, as `field: reason`. Valid
 * interactions, the bulk of the traffic, take a cheaper path to the same result.
 */
export function validateEvent(input: unknown): Validation {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return { ok: false, reasons: ['event: must be a JSON object'] };
  }
  const type = (input as { type?: unknown }).type;
  const fast = typeof type === 'string' && interactionTypes.has(type) ? acceptInteraction(input) : undefined;
  if (fast) return { ok: true, event: fast };
  const schema = typeof type !== 'string' ? undefined : interactionTypes.has(type) ? InteractionEvent : schemaFor[type];
  if (!schema) return { ok: false, reasons: [`type: must be one of ${allTypes}`] };
  const result = schema.safeParse(input);
  return result.success ? { ok: true, event: result.data as AnyEvent } : { ok: false, reasons: describe(result.error) };
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
