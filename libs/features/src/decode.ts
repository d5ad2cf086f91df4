import type { KafkaMessage } from 'kafkajs';
import { deadLetterFor, validateEvent, type AnyEvent, type DeadLetter } from '@recstream/schemas';

export const DEAD_LETTER_SOURCE = 'feature-builder';

/** One consumed message: its offset and either the valid event or the dead letter saying why not. */
export type DecodedMessage<E> = { offset: string; event: E } | { offset: string; deadLetter: DeadLetter };

/** Decodes and validates messages; `accepts` says which event types belong on the topic. */
export function decodeMessages<E extends AnyEvent>(
  messages: readonly KafkaMessage[],
  accepts: (event: AnyEvent) => event is E,
  expected: string,
): DecodedMessage<E>[] {
  return messages.map((message) => {
    const offset = message.offset;
    const text = message.value?.toString('utf8') ?? '';
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      return { offset, deadLetter: deadLetter([`message: invalid JSON (${(error as Error).message})`], text) };
    }
    const result = validateEvent(value);
    if (!result.ok) return { offset, deadLetter: deadLetter(result.reasons, value) };
    if (!accepts(result.event)) {
      return { offset, deadLetter: deadLetter([`type: ${result.event.type} does not belong on this topic; expected ${expected}`], value) };
    }
    return { offset, event: result.event };
  });
}

/** Splits decoded messages into events and dead letters, keeping order. */
export function partitionDecoded<E>(decoded: readonly DecodedMessage<E>[]): { events: E[]; deadLetters: DeadLetter[] } {
  const events: E[] = [];
  const deadLetters: DeadLetter[] = [];
  for (const message of decoded) {
    if ('event' in message) events.push(message.event);
    else deadLetters.push(message.deadLetter);
  }
  return { events, deadLetters };
}

const deadLetter = (reasons: string[], raw: unknown): DeadLetter => deadLetterFor(reasons, DEAD_LETTER_SOURCE, raw);
