import type { Message, Producer, TopicMessages } from 'kafkajs';

/**
 * Key and value bytes one produce request carries at most. The broker
 * refuses a partition's record batch past `message.max.bytes` (1 MiB by
 * default), and a request holds one batch per partition, so a large send
 * to one partition must be split; half the default leaves room for record
 * overhead.
 */
export const MAX_PRODUCE_REQUEST_BYTES = 512 * 1024;

const sizeOf = (message: Message) => byteLength(message.value) + byteLength(message.key);
const byteLength = (value: Message['value'] | Message['key']) => (value == null ? 0 : typeof value === 'string' ? Buffer.byteLength(value) : value.length);

/**
 * Sends messages in requests of at most `maxBytes` each, one request after
 * the other so every partition keeps the order it was given, however large
 * the whole is. A message larger than `maxBytes` goes alone.
 */
export async function sendBounded(producer: Producer, acks: number, topicMessages: readonly TopicMessages[], maxBytes = MAX_PRODUCE_REQUEST_BYTES): Promise<void> {
  let request = new Map<string, Message[]>();
  let bytes = 0;
  const flush = async () => {
    if (request.size === 0) return;
    await producer.sendBatch({ acks, topicMessages: [...request].map(([topic, messages]) => ({ topic, messages })) });
    request = new Map();
    bytes = 0;
  };
  for (const { topic, messages } of topicMessages) {
    for (const message of messages) {
      const size = sizeOf(message);
      if (bytes > 0 && bytes + size > maxBytes) await flush();
      let batch = request.get(topic);
      if (!batch) request.set(topic, (batch = []));
      batch.push(message);
      bytes += size;
    }
  }
  await flush();
}
