import { describe, expect, it } from 'vitest';
import { PendingStates, SerialQueue } from './pending.js';

describe('PendingStates', () => {
  it('hands out states as they will be once applied, and forgets only the releasing chunk', () => {
    const pending = new PendingStates();
    const a = Symbol('a');
    const b = Symbol('b');
    pending.hold(a, 'va', [{ key: 'item:1', state: 's1', attributes: null }, { key: 'item:2', state: 's2', attributes: '{}' }]);
    pending.hold(b, 'vb', [{ key: 'item:2', state: 's2b', attributes: '{}' }]);
    expect(pending.get('item:1')).toMatchObject({ writeToken: 'va', state: 's1' });
    pending.release(a);
    expect(pending.get('item:1')).toBeUndefined();
    expect(pending.get('item:2')).toMatchObject({ writeToken: 'vb', state: 's2b' });
    pending.clear();
    expect(pending.get('item:2')).toBeUndefined();
  });
});

describe('SerialQueue', () => {
  it('runs reserved turns in reservation order whatever order they are called in', async () => {
    const queue = new SerialQueue();
    const order: string[] = [];
    const first = queue.reserve();
    const second = queue.reserve();
    const late = second(async () => void order.push('second'));
    await first(async () => void order.push('first'));
    await late;
    expect(order).toEqual(['first', 'second']);
  });

  it('keeps going after a task fails', async () => {
    const queue = new SerialQueue();
    await expect(queue.run(async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await queue.run(async () => 'next')).toBe('next');
  });
});
