import { describe, expect, it } from 'vitest';
import { validateEvent } from '@recstream/schemas';
import { exposureEvents } from './recommender.js';
import { parseRequestFactory } from './request.js';
import { servedResponse } from '../testing/responses.js';

describe('exposureEvents', () => {
  it('writes one contract-valid exposure per served item, with position, request and variant', () => {
    const request = parseRequestFactory({ defaultK: 2, maxK: 10 })({ user_id: 'u1', context: { surface: 'home', device: 'tv', time: 1_795_000_000_000 } });
    const response = servedResponse(
      'req-1',
      [
        { item_id: 'i1', score: 0.9, position: 0, source: 'ann', sources: ['ann'] },
        { item_id: 'i2', score: 0.1, position: 1, source: 'exploration', sources: ['exploration'] },
      ],
      { id: 'exp', variant: 'b' },
    );
    const variant = { name: 'b', share: 1, recallVersion: null, rankingVersion: null, strategy: {}, online: 'follow' as const };
    const events = exposureEvents(request, response, { experiment: 'exp', variant });
    const validated = events.map((event) => validateEvent(event));
    expect(validated.map((v) => v.ok)).toEqual([true, true]);
    expect(events.map((e) => [e.event_id, e.item_id, e.context.position, e.context.recall_source])).toEqual([
      ['req-1:0', 'i1', 0, 'ann'],
      ['req-1:1', 'i2', 1, 'exploration'],
    ]);
    expect(events[0]).toMatchObject({ type: 'exposure', user_id: 'u1', request_id: 'req-1', experiment: 'exp', variant: 'b', context: { surface: 'home', device: 'tv' } });
    expect(events[0]!.context).not.toHaveProperty('time');
  });

  it('leaves room in the context for the keys exposures add, so a full request context still makes valid exposures', () => {
    const parse = parseRequestFactory({ defaultK: 2, maxK: 10 });
    const custom = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`c${i}`, i]));
    const request = parse({ user_id: 'u1', context: { ...custom(30), time: 1_795_000_000_000, position: 3 } });
    const response = servedResponse('req-2', [{ item_id: 'i1', score: 0.9, position: 0, source: 'ann', sources: ['ann'] }]);
    expect(exposureEvents(request, response, undefined).map((event) => validateEvent(event).ok)).toEqual([true]);
    expect(() => parse({ user_id: 'u1', context: custom(31) })).toThrow(/context must have at most 30 keys besides time, position and recall_source/);
  });
});
