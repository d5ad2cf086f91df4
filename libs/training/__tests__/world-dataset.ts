import pg from 'pg';
import { OfflineStore } from '@recstream/features';
import { SampleGenerator } from '@recstream/samples';
import { InteractionEvent } from '@recstream/schemas';
import { createTestDatabase, type TestDatabase } from '@recstream/schemas/test-database';
import type { SyntheticWorld } from '@recstream/synth';

/** A fresh test database holding `world`'s event log and one ready dataset version built from all of it. */
export async function worldDataset(world: SyntheticWorld): Promise<{ database: TestDatabase; pool: pg.Pool; datasetVersion: string }> {
  const database = await createTestDatabase();
  const pool = new pg.Pool({ connectionString: database.url, max: 4 });
  await new OfflineStore(pool).writeBatch({ events: [...world.interactionEvents()].map((event) => InteractionEvent.parse(event)), history: [] });
  const range = { from: world.options.start, to: world.options.start + world.options.days * 86_400_000 };
  const datasetVersion = (await new SampleGenerator(pool).generate({ range })).manifest.datasetVersion;
  return { database, pool, datasetVersion };
}
