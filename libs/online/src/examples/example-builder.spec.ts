import { describe, expect, it } from 'vitest';
import type { InteractionEvent } from '@recstream/schemas';
import { DEFAULT_EXAMPLE_BUILDER_OPTIONS } from '../options.js';
import { ExampleBuilder, type ExampleBuilderOptions } from './example-builder.js';

const MINUTE = 60_000;
const T0 = Date.UTC(2026, 2, 1);
const options: ExampleBuilderOptions = { ...DEFAULT_EXAMPLE_BUILDER_OPTIONS, attributionWindowMs: 10 * MINUTE, negativesPerPositive: 2, negativeAfterMs: 10 * MINUTE };

let counter = 0;
function event(type: InteractionEvent['type'], user: string, item: string, minute: number, extra: Partial<InteractionEvent> = {}): InteractionEvent {
  return { schema_version: 1, event_id: `e${++counter}`, event_time: T0 + minute * MINUTE, type, user_id: user, item_id: item, context: { device: 'mobile' }, ...extra };
}

/** A builder that has seen `items`, so negatives can be drawn. */
function builderWithItems(items: string[], builderOptions = options): ExampleBuilder {
  const builder = new ExampleBuilder(builderOptions);
  // On a partition of its own, so their closing never shows up among the examples under test.
  items.forEach((item) => builder.accept(99, event('exposure', 'warm-up', item, 0, { request_id: 'warm' })));
  return builder;
}

const summary = (examples: { userId: string; itemId: string; label: number; rankingOnly: boolean }[]) =>
  examples.map((e) => `${e.userId}/${e.itemId}/${e.label}${e.rankingOnly ? '/ranking' : ''}`);

describe('ExampleBuilder', () => {
  const catalogue = Array.from({ length: 30 }, (_, i) => `i${i}`);

  it('labels an exposure positive as soon as its click arrives, with sampled negatives the user has not clicked', () => {
    const builder = builderWithItems(catalogue);
    expect(builder.accept(0, event('exposure', 'u1', 'i1', 1, { request_id: 'r1', context: { device: 'mobile', position: 3 } }))).toEqual([]);
    builder.accept(0, event('click', 'u1', 'i7', 1));
    const examples = builder.accept(0, event('click', 'u1', 'i1', 2, { request_id: 'r1' }));
    expect(examples).toHaveLength(3);
    expect(examples[0]).toMatchObject({ userId: 'u1', itemId: 'i1', label: 1, rankingOnly: false, time: T0 + MINUTE, context: { position: 3 } });
    // The exposure's row carries the history as of the exposure: the click on i7 came after it.
    expect(examples[0]!.sequence).toEqual([]);
    for (const negative of examples.slice(1)) {
      expect(negative).toMatchObject({ userId: 'u1', label: 0, time: T0 + MINUTE });
      expect(['i1', 'i7']).not.toContain(negative.itemId);
    }
  });

  it('labels an exposure negative, for ranking only, once event time passes its window without an outcome', () => {
    const builder = builderWithItems(catalogue);
    builder.accept(0, event('exposure', 'u1', 'i1', 1, { request_id: 'r1' }));
    builder.accept(0, event('exposure', 'u1', 'i2', 1, { request_id: 'r1' }));
    builder.accept(0, event('click', 'u1', 'i2', 3, { request_id: 'r1' }));
    expect(summary(builder.accept(0, event('view', 'u2', 'i9', 11, { dwell_ms: 1 })).filter((e) => e.userId === 'u1'))).toEqual([]);
    const closed = builder.accept(0, event('exposure', 'u2', 'i3', 11.5, { request_id: 'r2' }));
    expect(summary(closed)).toEqual(['u1/i1/0/ranking']);
    // u2's exposure, and the warm-up's on their own partition.
    expect(builder.pendingExposures).toBe(1 + catalogue.length);
  });

  it('with negativeAfterMs shorter than the window, labels an exposure a ranking negative once it has passed, and a later click a positive beside it', () => {
    const builder = builderWithItems(catalogue, { ...options, negativeAfterMs: MINUTE });
    expect(builder.accept(0, event('exposure', 'u1', 'i1', 1, { request_id: 'r1', features: { item_category: 'c1' } }))).toEqual([]);
    builder.accept(0, event('exposure', 'u1', 'i2', 1, { request_id: 'r1' }));
    // i2's click comes within the minute: a positive alone.
    const clicked = builder.accept(0, event('click', 'u1', 'i2', 1.5, { request_id: 'r1' }));
    expect(summary(clicked.filter((e) => e.itemId === 'i2'))).toEqual(['u1/i2/1']);
    const due = builder.accept(0, event('exposure', 'u2', 'i3', 2.5, { request_id: 'r2' }));
    expect(summary(due)).toEqual(['u1/i1/0/ranking']);
    expect(due[0]).toMatchObject({ exposed: true, features: { item_category: 'c1' } });
    // i1's click comes after its negative but within the window: the positive joins it, and the window's close adds nothing.
    expect(summary(builder.accept(0, event('click', 'u1', 'i1', 3, { request_id: 'r1' })).slice(0, 1))).toEqual(['u1/i1/1']);
    expect(builder.accept(0, event('exposure', 'u2', 'i4', 30, { request_id: 'r3' })).filter((e) => e.userId === 'u1')).toEqual([]);
  });

  it('keeps a negative due across an export: restored, it is emitted once, when its time passes', () => {
    const builder = builderWithItems(catalogue, { ...options, negativeAfterMs: MINUTE });
    builder.accept(0, event('exposure', 'u1', 'i1', 1, { request_id: 'r1' }));
    builder.accept(0, event('exposure', 'u1', 'i2', 1.5, { request_id: 'r1' }));
    builder.accept(0, event('click', 'u1', 'i9', 2.2));
    const restored = new ExampleBuilder({ ...options, negativeAfterMs: MINUTE }, JSON.parse(JSON.stringify(builder.exportState())));
    expect(summary(restored.accept(0, event('click', 'u1', 'i8', 2.7)).filter((e) => e.rankingOnly))).toEqual(['u1/i2/0/ranking']);
    expect(restored.accept(0, event('click', 'u1', 'i7', 3)).filter((e) => e.rankingOnly)).toEqual([]);
  });

  it('counts an outcome once: a second outcome, a redelivery and a late exposure add nothing', () => {
    const builder = builderWithItems(catalogue);
    builder.accept(0, event('exposure', 'u1', 'i1', 1, { request_id: 'r1' }));
    const click = event('click', 'u1', 'i1', 2, { request_id: 'r1' });
    expect(builder.accept(0, click).filter((e) => e.label === 1)).toHaveLength(1);
    expect(builder.accept(0, click)).toEqual([]);
    expect(builder.accept(0, event('purchase', 'u1', 'i1', 3, { request_id: 'r1' }))).toEqual([]);
    // Its click came first (and was learned as an implicit positive), so this exposure never becomes a negative.
    expect(summary(builder.accept(0, event('click', 'u3', 'i4', 4, { request_id: 'r3' })).slice(0, 1))).toEqual(['u3/i4/1']);
    builder.accept(0, event('exposure', 'u3', 'i4', 4, { request_id: 'r3' }));
    expect(summary(builder.accept(0, event('click', 'u9', 'i9', 30)).filter((e) => e.userId !== 'u9'))).toEqual([]);
  });

  it('takes ratings from minRating as positives and ignores other types', () => {
    const builder = builderWithItems(catalogue);
    expect(builder.accept(0, event('rating', 'u1', 'i1', 1, { rating: 2 }))).toEqual([]);
    expect(builder.accept(0, event('dislike', 'u1', 'i2', 1))).toEqual([]);
    expect(summary(builder.accept(0, event('rating', 'u1', 'i3', 1, { rating: 5 })).slice(0, 1))).toEqual(['u1/i3/1']);
  });

  it('joins per partition, by each partition’s own event time', () => {
    const builder = builderWithItems(catalogue);
    builder.accept(1, event('exposure', 'u1', 'i1', 1, { request_id: 'r1' }));
    // Time on partition 0 moving on closes nothing on partition 1.
    expect(builder.accept(0, event('click', 'u2', 'i2', 60)).filter((e) => e.rankingOnly)).toEqual([]);
    expect(summary(builder.accept(1, event('click', 'u1', 'i1', 2, { request_id: 'r1' })).slice(0, 1))).toEqual(['u1/i1/1']);
  });

  it('continues from exported state exactly as if it had not stopped', () => {
    const events = [
      event('exposure', 'u1', 'i1', 1, { request_id: 'r1' }),
      event('click', 'u1', 'i5', 2),
      event('exposure', 'u2', 'i2', 3, { request_id: 'r2' }),
      event('click', 'u1', 'i1', 4, { request_id: 'r1' }),
      event('click', 'u2', 'i6', 5),
      event('click', 'u3', 'i7', 30),
    ];
    const whole = builderWithItems(catalogue);
    const expected = events.flatMap((e) => whole.accept(0, e));
    const first = builderWithItems(catalogue);
    const head = events.slice(0, 3).flatMap((e) => first.accept(0, e));
    const second = new ExampleBuilder(options, JSON.parse(JSON.stringify(first.exportState())));
    const tail = events.slice(3).flatMap((e) => second.accept(0, e));
    expect([...head, ...tail]).toEqual(expected);
    expect(summary(expected)).toContain('u2/i2/0/ranking');
  });

  it('forgets an erased user’s history and open exposures, and keeps everybody else’s', () => {
    const builder = builderWithItems(catalogue);
    builder.accept(0, event('click', 'gone', 'i1', 1));
    builder.accept(0, event('exposure', 'gone', 'i2', 1, { request_id: 'rg' }));
    builder.accept(0, event('click', 'u1', 'i3', 1));
    builder.accept(0, event('exposure', 'u1', 'i4', 1, { request_id: 'r1' }));
    builder.forget(new Set(['gone']));
    expect(JSON.stringify(builder.exportState())).not.toContain('gone');
    // The erased user's exposure closes without a negative; u1's history still shapes u1's rows.
    const later = builder.accept(0, event('click', 'u1', 'i5', 20));
    expect(later.filter((e) => e.userId === 'gone')).toEqual([]);
    expect(later.find((e) => e.label === 1)!.sequence.map((entry) => entry.item_id)).toEqual(['i3']);
    expect(summary(later.filter((e) => e.rankingOnly))).toEqual(['u1/i4/0/ranking']);
  });
});
