import type { Message, Producer, TopicMessages } from 'kafkajs';

/**
 * Key and value bytes one produce request carries at most. The broker
 * refuses a partition's record batch past `message.max.bytes` (1 MiB by
 * default), and a request holds one batch per partition, so a large send
 * to one partition must be split; half the default leaves room for record
 * overhead.
 */
export const MAX_PRODUCE_REQUEST_BYTES = 512 * 1024;

type Sized = Pick<Message, 'key' | 'value'>;
interface TopicBatch<M extends Sized> {
  topic: string;
  messages: M[];
}

const sizeOf = (message: Sized) => byteLength(message.value) + byteLength(message.key);
const byteLength = (value: Message['value'] | Message['key']) => (value == null ? 0 : typeof value === 'string' ? Buffer.byteLength(value) : value.length);

/**
 * Groups messages into requests of at most `maxBytes` each, in the order
 * given, so sending them one after the other keeps every partition's order
 * however large the whole is. A message larger than `maxBytes` goes alone.
 */
export function boundedRequests<M extends Sized>(topicMessages: readonly TopicBatch<M>[], maxBytes = MAX_PRODUCE_REQUEST_BYTES): TopicBatch<M>[][] {
  const requests: TopicBatch<M>[][] = [];
  let request = new Map<string, M[]>();
  let bytes = 0;
  const close = () => {
    if (request.size > 0) requests.push([...request].map(([topic, messages]) => ({ topic, messages })));
    request = new Map();
    bytes = 0;
  };
  for (const { topic, messages } of topicMessages) {
    for (const message of messages) {
      const size = sizeOf(message);
      if (bytes > 0 && bytes + size > maxBytes) close();
      let batch = request.get(topic);
      if (!batch) request.set(topic, (batch = []));
      batch.push(message);
      bytes += size;
    }
  }
  close();
  return requests;
}

/** Sends messages through a kafkajs producer in bounded requests (`boundedRequests`), one after the other. */
export async function sendBounded(producer: Producer, acks: number, topicMessages: readonly TopicMessages[], maxBytes = MAX_PRODUCE_REQUEST_BYTES): Promise<void> {
  for (const request of boundedRequests(topicMessages, maxBytes)) await producer.sendBatch({ acks, topicMessages: request });
}
