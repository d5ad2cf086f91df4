/**
 * Reading back what landed on a topic, from offsets taken before writing:
 * used by tests (so shared topics need no cleanup) and by the demo's summary.
 */
import { randomUUID } from 'node:crypto';
import type { Kafka, KafkaMessage } from 'kafkajs';

export type Offsets = Map<number, string>;

/** The next offset of every partition of `topic` (where new messages will land). */
export async function latestOffsets(kafka: Kafka, topic: string): Promise<Offsets> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    return new Map(offsets.map(({ partition, offset }) => [partition, offset]));
  } finally {
    await admin.disconnect();
  }
}

export interface CollectedMessage {
  partition: number;
  key: string | null;
  value: string;
  message: KafkaMessage;
}

/**
 * Reads `topic` from `from` (or the beginning) until `done` says enough or
 * `timeoutMs` passes; returns what it read either way.
 */
export async function collectMessages(
  kafka: Kafka,
  topic: string,
  options: { from?: Offsets; done: (messages: CollectedMessage[]) => boolean; timeoutMs?: number },
): Promise<CollectedMessage[]> {
  const consumer = kafka.consumer({ groupId: `test-${randomUUID()}`, maxWaitTimeInMs: 100 });
  const messages: CollectedMessage[] = [];
  // A rebalance or a restarted consumer delivers some offsets again: each is kept once.
  const seen = new Set<string>();
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    let finish!: () => void;
    const finished = new Promise<void>((resolve) => (finish = resolve));
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        const position = `${partition}:${message.offset}`;
        if (seen.has(position)) return;
        seen.add(position);
        messages.push({ partition, key: message.key?.toString() ?? null, value: message.value?.toString() ?? '', message });
        if (options.done(messages)) finish();
      },
    });
    for (const [partition, offset] of options.from ?? []) consumer.seek({ topic, partition, offset });
    const timer = setTimeout(finish, options.timeoutMs ?? 20_000);
    await finished;
    clearTimeout(timer);
  } finally {
    await consumer.disconnect();
  }
  return messages;
}
