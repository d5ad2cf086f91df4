import { expect, it } from 'vitest';
import { messageArrival } from './arrival.js';

it('takes the message timestamp, or now when it is missing or ahead of now', () => {
  const now = 1_772_366_400_000;
  expect(messageArrival({ timestamp: String(now - 60_000) }, now)).toBe(now - 60_000);
  expect(messageArrival({ timestamp: String(now + 86_400_000) }, now)).toBe(now);
  expect(messageArrival({ timestamp: '-1' }, now)).toBe(now);
  expect(messageArrival({ timestamp: 'not a time' }, now)).toBe(now);
});
