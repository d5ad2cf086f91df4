import type { Producer } from 'kafkajs';
import { sendBounded } from '@recstream/streams';
import type { DeadLetter } from '@recstream/schemas';
import type { DeadLetterSink } from './interactions.js';

/** Sends dead letters to the dead-letter topic, acknowledged by all in-sync replicas, in requests the broker takes. */
export function kafkaDeadLetterSink(producer: Producer, topic: string): DeadLetterSink {
  return async (letters: readonly DeadLetter[]) => {
    if (letters.length === 0) return;
    const messages = letters.map((letter) => ({ value: JSON.stringify(letter) }));
    await sendBounded(producer, -1, [{ topic, messages }]);
  };
}
