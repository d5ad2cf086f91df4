import { describe, expect, it } from 'vitest';
import { DEFAULT_SERVING_OPTIONS as D } from '@recstream/serving';
import { servingConfig } from './env.js';

describe('serving environment', () => {
  it("logs exposures to the platform's events topic unless told another", () => {
    expect(servingConfig({}).options.exposures).toEqual(D.exposures);
    expect(servingConfig({ EVENTS_TOPIC: 'bench.serve.events' }).options.exposures).toEqual({ ...D.exposures, topic: 'bench.serve.events' });
    expect(() => servingConfig({ EVENTS_TOPIC: '' })).toThrow(/EVENTS_TOPIC/);
  });

  it('reads the whole catalogue and the popular lists hourly unless told another interval', () => {
    expect(servingConfig({}).options.popularity).toEqual(D.popularity);
    expect(servingConfig({}).options.catalog).toEqual(D.catalog);
    expect(servingConfig({ POPULARITY_REBUILD_MS: '600000' }).options.popularity).toEqual({ ...D.popularity, rebuildEveryMs: 600_000 });
    expect(servingConfig({ CATALOG_REBUILD_MS: '600000' }).options.catalog).toEqual({ ...D.catalog, rebuildEveryMs: 600_000 });
    expect(() => servingConfig({ POPULARITY_REBUILD_MS: 'hourly' })).toThrow(/POPULARITY_REBUILD_MS/);
    expect(() => servingConfig({ CATALOG_REBUILD_MS: '0' })).toThrow(/CATALOG_REBUILD_MS/);
  });
});
