import { describe, expect, it } from 'vitest';
import { SLOT_COUNT, keySlot, slotTag } from './slots.js';

describe('keySlot', () => {
  it('matches what Redis Cluster answers to CLUSTER KEYSLOT', () => {
    // Replies of a Redis 7.0 cluster to CLUSTER KEYSLOT for each key.
    expect(['foo', 'bar', 'user1000', '{user1000}.following', 'a{}b', 'x{y}z'].map(keySlot)).toEqual([12182, 5061, 3443, 3443, 13694, 12222]);
  });

  it('hashes the UTF-8 bytes of keys beyond ASCII', () => {
    expect(['fs:v2:item:{café}', 'ключ', '{日本}x', 'a{é}'].map(keySlot)).toEqual([5735, 10303, 10949, 10180]);
  });
});

describe('slotTag', () => {
  it('gives every slot a tag that hashes to it', () => {
    const misplaced = Array.from({ length: SLOT_COUNT }, (_, slot) => slot).filter((slot) => keySlot(`wm:{${slotTag(slot)}}`) !== slot);
    expect(misplaced).toEqual([]);
  });

  it('refuses a slot outside the cluster', () => {
    expect(() => slotTag(SLOT_COUNT)).toThrow(/no slot 16384/);
  });
});
