import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { TOPICS, topicNamesEnv, topicNamesFromEnv, topicSpecs } from './topics.js';

describe('topicSpecs', () => {
  it('names the topics as EVENTS_TOPIC, ITEMS_TOPIC, USERS_TOPIC and DEAD_LETTER_TOPIC say, keeping partitions and retention', () => {
    const env = z.object(topicNamesEnv).parse({ EVENTS_TOPIC: 'acme.events', DEAD_LETTER_TOPIC: 'acme.dlq' });
    const specs = topicSpecs(topicNamesFromEnv(env));
    expect(specs.map((spec) => spec.name)).toEqual(['acme.events', TOPICS.items.name, TOPICS.users.name, 'acme.dlq']);
    expect(specs[0]).toMatchObject({ partitions: TOPICS.events.partitions, retentionMs: TOPICS.events.retentionMs });
    expect(specs[3]).toMatchObject({ partitions: TOPICS.deadLetter.partitions, retentionMs: TOPICS.deadLetter.retentionMs });
  });

  it('gives the default names without settings', () => {
    expect(topicSpecs()).toEqual(Object.values(TOPICS));
  });
});
