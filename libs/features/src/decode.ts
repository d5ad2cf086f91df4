import type { KafkaMessage } from 'kafkajs';
import { deadLetterFor, validateMessage, type AnyEvent, type DeadLetter } from '@recstream/schemas';
import { messageArrival } from '@recstream/streams';

export const DEAD_LETTER_SOURCE = 'feature-builder';

/** One consumed message: its offset and either its valid events (one, or a batch such as a response's exposures) or the dead letter saying why not. */
export type DecodedMessage<E> = { offset: string; events: E[] } | { offset: string; deadLetter: DeadLetter };

/**
 * Decodes and validates messages; `accepts` says which event types belong on
 * the topic. A message with an event dated more than `maxFutureSkewMs` past
 * its arrival is dead-lettered whole, so it cannot move the stream time.
 */
export function decodeMessages<E extends AnyEvent>(
  messages: readonly KafkaMessage[],
  accepts: (event: AnyEvent) => event is E,
  expected: string,
  maxFutureSkewMs: number,
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
    const result = validateMessage(value, { arrivedAt: messageArrival(message), maxFutureSkewMs });
    if (!result.ok) return { offset, deadLetter: deadLetter(result.reasons, value) };
    const misplaced = result.events.find((event) => !accepts(event));
    if (misplaced) {
      return { offset, deadLetter: deadLetter([`type: ${misplaced.type} does not belong on this topic; expected ${expected}`], value) };
    }
    return { offset, events: result.events as E[] };
  });
}

/** Splits decoded messages into events and dead letters, keeping order. */
export function partitionDecoded<E>(decoded: readonly DecodedMessage<E>[]): { events: E[]; deadLetters: DeadLetter[] } {
  const events: E[] = [];
  const deadLetters: DeadLetter[] = [];
  for (const message of decoded) {
    if ('events' in message) events.push(...message.events);
    else deadLetters.push(message.deadLetter);
  }
  return { events, deadLetters };
}

const deadLetter = (reasons: string[], raw: unknown): DeadLetter => deadLetterFor(reasons, DEAD_LETTER_SOURCE, raw);
