import pg from 'pg';
import { OfflineStore, userSequence, type HistoryRow } from '@recstream/features';
import { SampleGenerator } from '@recstream/samples';
import { InteractionEvent, type SequenceEntry } from '@recstream/schemas';
import { createTestDatabase, type TestDatabase } from '@recstream/schemas/test-database';
import type { SyntheticWorld } from '@recstream/synth';

/** A fresh test database holding `world`'s event log (and the feature history `history` derives from it) and one ready dataset version built from all of it. */
export async function worldDataset(
  world: SyntheticWorld,
  history: (events: InteractionEvent[]) => HistoryRow[] = () => [],
): Promise<{ database: TestDatabase; pool: pg.Pool; datasetVersion: string }> {
  const database = await createTestDatabase();
  const pool = new pg.Pool({ connectionString: database.url, max: 4 });
  const events = [...world.interactionEvents()].map((event) => InteractionEvent.parse(event));
  await new OfflineStore(pool).writeBatch({ events, history: history(events) });
  const range = { from: world.options.start, to: world.options.start + world.options.days * 86_400_000 };
  const datasetVersion = (await new SampleGenerator(pool).generate({ range })).manifest.datasetVersion;
  return { database, pool, datasetVersion };
}

/** The user_sequence history the feature builder would have written: the sequence after each non-exposure event, with categories where `categoryOf` knows them. */
export function sequenceHistory(events: InteractionEvent[], categoryOf: (itemId: string) => string | undefined = () => undefined): HistoryRow[] {
  const sequences = new Map<string, SequenceEntry[]>();
  const rows: HistoryRow[] = [];
  for (const event of events) {
    if (event.type === 'exposure') continue;
    const category = categoryOf(event.item_id);
    const entry: SequenceEntry = { item_id: event.item_id, type: event.type, time: event.event_time, ...(category !== undefined && { category }) };
    const items = [...(sequences.get(event.user_id) ?? []), entry].slice(-50);
    sequences.set(event.user_id, items);
    rows.push({ view: userSequence.name, entityId: event.user_id, eventTime: event.event_time, values: { items } });
  }
  return rows;
}
