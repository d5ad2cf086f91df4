import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readMovieLens, type MovieLensRating } from './movielens.js';

const dir = mkdtempSync(join(tmpdir(), 'movielens-'));

async function read(name: string, content: string): Promise<MovieLensRating[]> {
  const path = join(dir, name);
  writeFileSync(path, content);
  const out: MovieLensRating[] = [];
  for await (const rating of readMovieLens(path)) out.push(rating);
  return out;
}

const expected = [
  { userId: 196, itemId: 242, rating: 3, timestamp: 881250949000 },
  { userId: 186, itemId: 302, rating: 3.5, timestamp: 891717742000 },
];

describe('readMovieLens', () => {
  it('parses u.data (tab separated)', async () => {
    expect(await read('u.data', '196\t242\t3\t881250949\n186\t302\t3.5\t891717742\n')).toEqual(expected);
  });

  it('parses ratings.dat (:: separated)', async () => {
    expect(await read('ratings.dat', '196::242::3::881250949\r\n186::302::3.5::891717742\r\n')).toEqual(expected);
  });

  it('parses ratings.csv after its header', async () => {
    const csv = 'userId,movieId,rating,timestamp\n196,242,3,881250949\n186,302,3.5,891717742\n';
    expect(await read('ratings.csv', csv)).toEqual(expected);
  });

  it('names the file and line of a malformed record', async () => {
    await expect(read('bad.data', '196\t242\t3\t881250949\n196\tx\t3\t1\n')).rejects.toThrow(/bad\.data:2: expected/);
    await expect(read('other.csv', 'user,item\n')).rejects.toThrow(/other\.csv:1: expected header/);
  });
});
