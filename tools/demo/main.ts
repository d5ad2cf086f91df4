/**
 * `npm run demo`: the main job on a generated demo world. Generates events
 * with planted structure, ingests them over HTTP into Kafka through the
 * ingester, reads back what arrived and prints a summary.
 */
import { parseArgs } from 'node:util';
import { brokersFrom, createLogger } from '@recstream/platform';
import { TOPICS, type DeadLetter } from '@recstream/schemas';
import { createKafka } from '@recstream/streams';
import { collectMessages, latestOffsets } from '@recstream/streams/inspect';
import { IngestClient, Ingester } from '@recstream/ingest';
import { SyntheticWorld } from '@recstream/synth';
import { ProgressBar, formatTable } from '@recstream/platform';

const { values: flags } = parseArgs({
  options: {
    users: { type: 'string', default: '500' },
    items: { type: 'string', default: '1000' },
    days: { type: 'string', default: '3' },
    seed: { type: 'string', default: '42' },
  },
});

/** Malformed input sent on purpose, to show where rejected events go. */
const MALFORMED = [
  { event_id: 'demo-bad-1', type: 'click', item_id: 'i1', event_time: '2026-03-01T10:00:00Z' },
  { event_id: 'demo-bad-2', type: 'teleport', user_id: 'u1', item_id: 'i1', event_time: 1772366400000 },
  { event_id: 'demo-bad-3', type: 'rating', user_id: 'u1', item_id: 'i1', event_time: 'soon' },
];

async function main(): Promise<void> {
  const logger = createLogger('demo', 'warn');
  const brokers = brokersFrom(process.env.KAFKA_BROKERS ?? '127.0.0.1:9092');
  const kafka = createKafka({ clientId: 'recstream-demo', brokers, logger });
  const world = new SyntheticWorld({ users: Number(flags.users), items: Number(flags.items), days: Number(flags.days), seed: Number(flags.seed) });
  console.log(`demo world: ${world.users.length} users, ${world.items.length} items, ${world.options.days} days, seed ${world.options.seed}`);

  const catalog = [...world.catalogEvents()];
  const interactions = [...world.interactionEvents()];
  const total = catalog.length + interactions.length + MALFORMED.length;
  const from = await latestOffsets(kafka, TOPICS.events.name);
  const deadLetterFrom = await latestOffsets(kafka, TOPICS.deadLetter.name);

  const ingester = new Ingester(kafka, logger, { port: 0, host: '127.0.0.1' });
  const port = await ingester.start();
  const progress = new ProgressBar('ingesting', total);
  const client = new IngestClient({ url: `http://127.0.0.1:${port}`, onBatch: ({ accepted, rejected }) => progress.tick(accepted + rejected) });
  const sent = await client.send([...catalog, ...interactions, ...MALFORMED]);
  const seconds = progress.finish();
  await ingester.close();

  console.log('reading back what arrived in Kafka…');
  const arrived = await collectMessages(kafka, TOPICS.events.name, { from, done: (m) => m.length >= interactions.length });
  const letters = await collectMessages(kafka, TOPICS.deadLetter.name, {
    from: deadLetterFrom,
    done: (m) => m.length >= MALFORMED.length,
  });

  const byType = new Map<string, number>();
  const users = new Set<string>();
  for (const message of arrived) {
    const event = JSON.parse(message.value) as { type: string; user_id: string };
    byType.set(event.type, (byType.get(event.type) ?? 0) + 1);
    users.add(event.user_id);
  }
  const exposures = byType.get('exposure') ?? 0;
  console.log(`\nevents in topic '${TOPICS.events.name}' (${arrived.length.toLocaleString('en')} from ${users.size} users):`);
  console.log(formatTable(['type', 'events'], [...byType].sort((a, b) => b[1] - a[1])));
  console.log(`\nrejected events in '${TOPICS.deadLetter.name}':`);
  console.log(
    formatTable(
      ['event_id', 'reasons'],
      letters.map((m) => JSON.parse(m.value) as DeadLetter).map((l) => [String((l.raw as { event_id?: string }).event_id), l.reasons.join('; ')]),
    ),
  );
  console.log('\nsummary:');
  console.log(
    formatTable(
      ['metric', 'value'],
      [
        ['events sent', total],
        ['accepted', sent.accepted],
        ['rejected (dead-lettered)', sent.rejected],
        ['ingest rate (events/s)', Math.round(total / seconds)],
        ['click-through rate', exposures ? `${(((byType.get('click') ?? 0) / exposures) * 100).toFixed(2)}%` : 'n/a'],
        ['batch requests (retries)', `${sent.requests} (${sent.retries})`],
      ],
    ),
  );
  console.log('\nnext: npm test runs the suite; npm run bench:ingest measures throughput; npm run infra:down stops what infra:up started.');
}

main().catch((error: Error) => {
  console.error(`demo failed: ${error.message}`);
  process.exit(1);
});
