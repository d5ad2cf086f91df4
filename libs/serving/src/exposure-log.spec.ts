import { describe, expect, it } from 'vitest';
import { createLogger } from '@recstream/platform';
import type { OutgoingTopicMessages, RecordProducer } from '@recstream/streams';
import { MAX_EVENTS_PER_MESSAGE, validateMessage } from '@recstream/schemas';
import { ExposureLog, type DroppedVariant } from './exposure-log.js';
import { exposureEvents } from './recommender.js';
import { parseRequestFactory } from './request.js';
import { servedResponse } from '../testing/responses.js';

describe('ExposureLog', () => {
  const request = parseRequestFactory({ defaultK: 2, maxK: 10 })({ user_id: 'u1' });
  const served = (requestId: string) =>
    servedResponse(requestId, [
      { item_id: 'i1', score: 0.9, position: 0, source: 'ann', sources: ['ann'] },
      { item_id: 'i2', score: 0.5, position: 1, source: 'popular', sources: ['popular'] },
    ]);
  const recordingProducer = (sent: OutgoingTopicMessages[], fail = false): RecordProducer => ({
    connected: true,
    connect: async () => {},
    disconnect: async () => {},
    send: async (topicMessages) => {
      if (fail) throw new Error('broker unavailable');
      sent.push(...topicMessages);
    },
  });

  it("sends each response's exposures as one message, keyed by user, to the topic it is given", async () => {
    const sent: OutgoingTopicMessages[] = [];
    const log = new ExposureLog(recordingProducer(sent), createLogger('exposure-log-spec', 'silent'), () => {}, { topic: 'bench.serve.events' });
    await log.start();
    log.log(exposureEvents(request, served('req-1'), undefined));
    log.log(exposureEvents(request, served('req-2'), undefined));
    await log.close();
    expect(sent.map((record) => record.topic)).toEqual(['bench.serve.events']);
    const messages = sent[0]!.messages;
    expect(messages.map((m) => m.key)).toEqual(['u1', 'u1']);
    const decoded = messages.map((m) => validateMessage(JSON.parse(String(m.value))));
    expect(decoded.map((d) => (d.ok ? d.events.map((e) => e.event_id) : d.reasons))).toEqual([
      ['req-1:0', 'req-1:1'],
      ['req-2:0', 'req-2:1'],
    ]);
  });

  it('splits a list longer than consumers take in one message, so none of it is dead-lettered', async () => {
    const sent: OutgoingTopicMessages[] = [];
    const log = new ExposureLog(recordingProducer(sent), createLogger('exposure-log-spec', 'silent'), () => {});
    await log.start();
    const items = Array.from({ length: MAX_EVENTS_PER_MESSAGE + 1 }, (_, position) => ({ item_id: `i${position}`, score: 0.5, position, source: 'ann' as const, sources: ['ann' as const] }));
    log.log(exposureEvents(request, servedResponse('req-long', items), undefined));
    await log.close();
    const decoded = sent.flatMap((record) => record.messages).map((m) => validateMessage(JSON.parse(String(m.value))));
    expect(decoded.map((d) => (d.ok ? d.events.length : d.reasons))).toEqual([MAX_EVENTS_PER_MESSAGE, 1]);
  });

  it('counts every exposure of a message it could not deliver, and of one past the buffer limit', async () => {
    const dropped: number[] = [];
    const log = new ExposureLog(recordingProducer([], true), createLogger('exposure-log-spec', 'silent'), (n) => dropped.push(n), { maxBuffered: 3 });
    await log.start();
    log.log(exposureEvents(request, served('req-1'), undefined));
    log.log(exposureEvents(request, served('req-2'), undefined));
    await log.close();
    expect(dropped).toEqual([2, 2]);
  });

  it('counts lost exposures per experiment variant, so the experiment read-out can show them', async () => {
    const dropped: [number, readonly DroppedVariant[]][] = [];
    const log = new ExposureLog(recordingProducer([], true), createLogger('exposure-log-spec', 'silent'), (n, variants) => dropped.push([n, variants]), { maxBuffered: 4 });
    await log.start();
    const inVariant = (requestId: string, variant: string | undefined) => exposureEvents(request, served(requestId), undefined).map((e) => ({ ...e, experiment: 'exp-a', variant }));
    log.log(inVariant('req-1', 'control'));
    log.log(inVariant('req-2', 'treatment'));
    log.log(inVariant('req-3', 'treatment')); // past maxBuffered: dropped at once
    log.log(exposureEvents(request, served('req-4'), undefined)); // no experiment: counted in the total only
    await log.close();
    expect(dropped).toEqual([
      [2, [{ experiment: 'exp-a', variant: 'treatment', count: 2 }]],
      [2, []],
      [4, [{ experiment: 'exp-a', variant: 'control', count: 2 }, { experiment: 'exp-a', variant: 'treatment', count: 2 }]],
    ]);
  });
});
