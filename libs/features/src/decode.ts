import type { KafkaMessage } from 'kafkajs';
import { deadLetterFor, type AnyEvent, type DeadLetter } from '@recstream/schemas';
import { decodeMessage, type DecodeOptions, type DecodedMessage } from '@recstream/streams';

export const DEAD_LETTER_SOURCE = 'feature-builder';

export function decodeMessages<E extends AnyEvent>(messages: readonly KafkaMessage[], options: DecodeOptions<E>): DecodedMessage<E>[] {
  return messages.map((message) => decodeMessage(message, options));
}

/** Splits decoded messages into events and the dead letters of refused ones, keeping order. */
export function partitionDecoded<E extends AnyEvent>(decoded: readonly DecodedMessage<E>[]): { events: E[]; deadLetters: DeadLetter[] } {
  const events: E[] = [];
  const deadLetters: DeadLetter[] = [];
  for (const message of decoded) {
    if ('events' in message) events.push(...message.events);
    else deadLetters.push(deadLetterFor(message.reasons, DEAD_LETTER_SOURCE, message.raw));
  }
  return { events, deadLetters };
}
