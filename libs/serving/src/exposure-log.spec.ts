import type { Producer, ProducerRecord } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { createLogger } from '@recstream/platform';
import { ExposureLog } from './exposure-log.js';
import { exposureEvents, type RecommendationResponse } from './recommender.js';
import { parseRequestFactory } from './request.js';

describe('ExposureLog', () => {
  it('sends each exposure, keyed by user, to the topic it is given', async () => {
    const sent: ProducerRecord[] = [];
    const producer = { connect: async () => {}, disconnect: async () => {}, send: async (record: ProducerRecord) => void sent.push(record) } as unknown as Producer;
    const log = new ExposureLog(producer, createLogger('exposure-log-spec', 'silent'), () => {}, { topic: 'bench.serve.events' });
    await log.start();
    const request = parseRequestFactory({ defaultK: 1, maxK: 10 })({ user_id: 'u1' });
    const response: RecommendationResponse = {
      request_id: 'req-1',
      user_id: 'u1',
      items: [{ item_id: 'i1', score: 0.9, position: 0, source: 'ann', sources: ['ann'] }],
      model_versions: { recall: 1, ranking: 2 },
      experiment: null,
      degraded: false,
      degraded_reasons: [],
      timings_ms: {},
    };
    log.log(exposureEvents(request, response, undefined));
    await log.close();
    expect(sent.map((record) => record.topic)).toEqual(['bench.serve.events']);
    expect(sent[0]!.messages.map((m) => m.key)).toEqual(['u1']);
  });
});
