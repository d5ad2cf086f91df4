import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError } from '@recstream/platform';
import { DEFAULT_VIEW_CATALOGUE, VIEW_NAMES, parseViewCatalogue, useViewCatalogue, viewCatalogueFrom } from './view-catalogue.js';
import { FEATURE_VIEWS, itemStats, userActivity } from './views.js';
import { decodeView, encodeView } from './rows.js';
import { addCount, windowSums } from './windows.js';

const DAY = 86_400_000;
const RATING_LOGS = '{"windows":[{"name":"30d","length":"30d","bucket":"1d"},{"name":"364d","length":"52w","bucket":"1w"}],"ttl":{"user_activity":"30y","item_stats":"30y"}}';

afterEach(() => useViewCatalogue(DEFAULT_VIEW_CATALOGUE));

describe('view catalogue', () => {
  it('names every feature view, and the default gives today\'s windows and TTLs', () => {
    expect([...VIEW_NAMES].sort()).toEqual(FEATURE_VIEWS.map((view) => view.name).sort());
    expect(viewCatalogueFrom({})).toBe(DEFAULT_VIEW_CATALOGUE);
    expect(DEFAULT_VIEW_CATALOGUE.windows.map((w) => w.name)).toEqual(['1h', '24h', '7d']);
    expect(userActivity.ttlMs).toBe(8 * DAY);
  });

  it('reads durations with units and keeps the TTLs it does not name', () => {
    const catalogue = parseViewCatalogue(RATING_LOGS, 'test');
    expect(catalogue.windows).toEqual([
      { name: '30d', lengthMs: 30 * DAY, bucketMs: DAY },
      { name: '364d', lengthMs: 364 * DAY, bucketMs: 7 * DAY },
    ]);
    expect(catalogue.ttlMs.user_activity).toBe(30 * 365 * DAY);
    expect(catalogue.ttlMs.user_sequence).toBe(DEFAULT_VIEW_CATALOGUE.ttlMs.user_sequence);
  });

  it('refuses a wrong catalogue naming each wrong field', () => {
    const attempt = () =>
      parseViewCatalogue('{"windows":[{"name":"a","length":"7d","bucket":"5d"},{"name":"a","length":"1q","bucket":"1h"}],"ttl":{"item_stat":"1d"}}', 'FEATURE_VIEWS');
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(/windows\.1\.length: must be a positive whole number of milliseconds or a number with a unit/);
    expect(attempt).toThrow(/ttl: Unrecognized key: "item_stat"/);
    expect(() => parseViewCatalogue('{"windows":[{"name":"a","length":"7d","bucket":"5d"}]}', 'x')).toThrow(/windows\.0\.bucket: must divide the window's length/);
    expect(() => parseViewCatalogue('{"windows":[]}', 'x')).toThrow(/windows: needs at least one window/);
    expect(() => parseViewCatalogue('{"ttls":{}}', 'x')).toThrow(/ttls/);
    expect(() => parseViewCatalogue('{', 'FEATURE_VIEWS')).toThrow(/FEATURE_VIEWS: the view catalogue is not JSON/);
    expect(() => viewCatalogueFrom({ FEATURE_VIEWS: '{}', FEATURE_VIEWS_FILE: 'f.json' })).toThrow(/not both/);
    expect(() => viewCatalogueFrom({ FEATURE_VIEWS_FILE: '/nonexistent/views.json' })).toThrow(/FEATURE_VIEWS_FILE: cannot read/);
  });

  it('once in use, sets the views\' TTLs, the windows counted and the online encoding', () => {
    useViewCatalogue(parseViewCatalogue(RATING_LOGS, 'test'));
    expect(itemStats.ttlMs).toBe(30 * 365 * DAY);
    const t0 = Date.UTC(2020, 0, 1);
    const counts = addCount(addCount(undefined, t0), t0 + 100 * DAY);
    expect(windowSums(counts, t0 + 100 * DAY)).toEqual({ '30d': 1, '364d': 2 });
    const stats = { ...itemStats.defaults(), clicks: { '30d': 1, '364d': 2 }, rating_count: 3, rating_mean: 4.5 };
    expect(decodeView(itemStats, encodeView(itemStats, stats))).toEqual(stats);
  });
});
