import type { z } from 'zod';
import { InteractionEvent, ItemEvent, UserEvent, INTERACTION_TYPES, type AnyEvent } from './events.js';

export type Validation = { ok: true; event: AnyEvent } | { ok: false; reasons: string[] };

const interactionTypes: ReadonlySet<string> = new Set(INTERACTION_TYPES);
const allTypes = [...INTERACTION_TYPES, 'item', 'user'].join(', ');

/**
 * Validates one decoded event of any kind, choosing the schema by `type`.
 * On failure every bad field is named, as `field: reason`.
 */
export function validateEvent(input: unknown): Validation {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return { ok: false, reasons: ['event: must be a JSON object'] };
  }
  const type = (input as { type?: unknown }).type;
  const schema = typeof type !== 'string' ? undefined : interactionTypes.has(type) ? InteractionEvent : schemaFor[type];
  if (!schema) return { ok: false, reasons: [`type: must be one of ${allTypes}`] };
  const result = schema.safeParse(input);
  return result.success ? { ok: true, event: result.data as AnyEvent } : { ok: false, reasons: describe(result.error) };
}

const schemaFor: Record<string, z.ZodType | undefined> = { item: ItemEvent, user: UserEvent };

function describe(error: z.ZodError): string[] {
  return error.issues.map((issue) => {
    if (issue.code === 'unrecognized_keys') return `${issue.keys.join(', ')}: unknown field`;
    const field = issue.path.length > 0 ? issue.path.join('.') : 'event';
    return `${field}: ${issue.message}`;
  });
}
