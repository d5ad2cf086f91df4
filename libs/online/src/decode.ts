import type { KafkaMessage } from 'kafkajs';
import { INTERACTION_TYPES, futureTimeReason, validateMessage, type InteractionEvent } from '@recstream/schemas';
import { messageArrival } from '@recstream/streams';

/** A consumed message: its interaction events (one, or a batch such as a response's exposures), or why it is skipped. */
export type DecodedInteractions = { events: InteractionEvent[] } | { skipped: 'invalid' | 'future_dated' };

const INTERACTIONS: ReadonlySet<string> = new Set(INTERACTION_TYPES);

/**
 * Decodes a message of the interaction topic. Skipped: invalid JSON, an
 * invalid or catalogue event, and an event dated more than
 * `maxFutureSkewMs` past the message's arrival, which would carry the
 * example builder's watermark ahead and close every exposure after it
 * unanswered. The feature builder, on the same topic, dead-letters all of
 * them, so skipping them here loses nothing.
 */
export function decodeInteractions(message: Pick<KafkaMessage, 'value' | 'timestamp'>, maxFutureSkewMs: number): DecodedInteractions {
  let value: unknown;
  try {
    value = JSON.parse(message.value?.toString('utf8') ?? '');
  } catch {
    return { skipped: 'invalid' };
  }
  const result = validateMessage(value);
  if (!result.ok || !result.events.every((event) => INTERACTIONS.has(event.type))) return { skipped: 'invalid' };
  const arrival = { arrivedAt: messageArrival(message), maxFutureSkewMs };
  if (result.events.some((event) => futureTimeReason(event.event_time, arrival) !== undefined)) return { skipped: 'future_dated' };
  return { events: result.events as InteractionEvent[] };
}
