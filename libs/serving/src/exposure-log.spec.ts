import type { Producer, ProducerRecord } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { createLogger } from '@recstream/platform';
import { ExposureLog } from './exposure-log.js';
import { exposureEvents } from './recommender.js';
import { parseRequestFactory } from './request.js';
import { servedResponse } from './testing/responses.js';

describe('ExposureLog', () => {
  it('sends each exposure, keyed by user, to the topic it is given', async () => {
    const sent: ProducerRecord[] = [];
    const producer = { connect: async () => {}, disconnect: async () => {}, send: async (record: ProducerRecord) => void sent.push(record) } as unknown as Producer;
    const log = new ExposureLog(producer, createLogger('exposure-log-spec', 'silent'), () => {}, { topic: 'bench.serve.events' });
    await log.start();
    const request = parseRequestFactory({ defaultK: 1, maxK: 10 })({ user_id: 'u1' });
    const response = servedResponse('req-1', [{ item_id: 'i1', score: 0.9, position: 0, source: 'ann', sources: ['ann'] }]);
    log.log(exposureEvents(request, response, undefined));
    await log.close();
    expect(sent.map((record) => record.topic)).toEqual(['bench.serve.events']);
    expect(sent[0]!.messages.map((m) => m.key)).toEqual(['u1']);
  });
});
