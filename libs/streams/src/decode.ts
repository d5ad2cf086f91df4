import type { KafkaMessage } from 'kafkajs';
import { futureTimeReason, isUpsertEvent, isInteractionEvent, validateMessage, type AnyEvent, type InteractionEvent, type ItemEvent, type UserEvent } from '@recstream/schemas';
import { messageArrival } from './arrival.js';

/** A message's value as JSON, or why it is not JSON (with the text, for a dead letter); the caller says which message. */
export type ParsedMessage = { ok: true; value: unknown } | { ok: false; reason: string; raw: string };

/** One consumed message: its valid events (one, or a batch such as a response's exposures), or why it is refused. */
export type DecodedMessage<E extends AnyEvent> =
  | { offset: string; events: E[] }
  | { offset: string; refused: 'invalid' | 'future_dated'; reasons: string[]; raw: unknown };

export interface DecodeOptions<E extends AnyEvent> {
  /** Which event types belong on the topic. */
  accepts: (event: AnyEvent) => event is E;
  /** The topic's event types in words, for the reason a misplaced event gives. */
  expected: string;
  /** How far past its message's arrival an event's time may lie. */
  maxFutureSkewMs: number;
}

/** How the interaction topic's consumers decode: interaction events only. */
export const interactionMessages = (maxFutureSkewMs: number): DecodeOptions<InteractionEvent> => ({ accepts: isInteractionEvent, expected: 'interaction events', maxFutureSkewMs });

/** How the upsert topics' consumers decode: item and user events only. */
export const upsertMessages = (maxFutureSkewMs: number): DecodeOptions<ItemEvent | UserEvent> => ({ accepts: isUpsertEvent, expected: 'item or user events', maxFutureSkewMs });

export function parseMessage(message: Pick<KafkaMessage, 'value'>): ParsedMessage {
  const raw = message.value?.toString('utf8') ?? '';
  try {
    return { ok: true, value: JSON.parse(raw) as unknown };
  } catch (error) {
    return { ok: false, reason: `invalid JSON (${(error as Error).message})`, raw };
  }
}

/**
 * Decodes and validates one message against the event contract: every
 * consumer of the event topics reads messages through this. A message with
 * an event of a type the topic does not carry is invalid, and one with an
 * event dated more than `maxFutureSkewMs` past the message's arrival is
 * refused whole as future-dated, so it cannot move a stream time ahead.
 */
export function decodeMessage<E extends AnyEvent>(message: Pick<KafkaMessage, 'value' | 'timestamp' | 'offset'>, options: DecodeOptions<E>): DecodedMessage<E> {
  const { offset } = message;
  const parsed = parseMessage(message);
  if (!parsed.ok) return { offset, refused: 'invalid', reasons: [`message: ${parsed.reason}`], raw: parsed.raw };
  const { value } = parsed;
  const result = validateMessage(value);
  if (!result.ok) return { offset, refused: 'invalid', reasons: result.reasons, raw: value };
  const misplaced = result.events.find((event) => !options.accepts(event));
  if (misplaced) {
    return { offset, refused: 'invalid', reasons: [`type: ${misplaced.type} does not belong on this topic; expected ${options.expected}`], raw: value };
  }
  const arrival = { arrivedAt: messageArrival(message), maxFutureSkewMs: options.maxFutureSkewMs };
  const future = result.events.flatMap((event, i) => {
    const reason = futureTimeReason(event.event_time, arrival);
    return reason === undefined ? [] : [Array.isArray(value) ? `[${i}].${reason}` : reason];
  });
  if (future.length > 0) return { offset, refused: 'future_dated', reasons: future, raw: value };
  return { offset, events: result.events as E[] };
}
