/**
 * The fixed-rate producer of bench:features, in its own process so that its
 * work does not stall the feature builder's event loop it measures. Takes
 * the job as JSON in argv[2]; sends `rate` events/s stamped with the send
 * time for `seconds`, then prints the number sent and the rate achieved as
 * one JSON line.
 */
import { createLogger } from '@recstream/platform';
import { createKafka } from '@recstream/streams';
import { interactions, message } from './features-data.js';

export interface ProducerJob {
  brokers: string[];
  topic: string;
  prefix: string;
  rate: number;
  seconds: number;
}

const job = JSON.parse(process.argv[2] ?? '{}') as ProducerJob;
const kafka = createKafka({ clientId: 'bench-features-producer', brokers: job.brokers, logger: createLogger('bench-features-producer', 'error') });
const producer = kafka.producer();
await producer.connect();
const interaction = interactions(job.prefix);
const tickMs = 50;
const perTick = Math.round((job.rate * tickMs) / 1000);
const started = performance.now();
const sends: Promise<unknown>[] = [];
let sent = 0;
while (performance.now() - started < job.seconds * 1000) {
  const now = Date.now();
  sends.push(producer.send({ topic: job.topic, acks: -1, messages: Array.from({ length: perTick }, () => message(interaction(now))) }));
  sent += perTick;
  const next = started + (sent / perTick) * tickMs;
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, next - performance.now())));
}
await Promise.all(sends);
const rate = sent / ((performance.now() - started) / 1000);
await producer.disconnect();
console.log(JSON.stringify({ sent, rate }));
