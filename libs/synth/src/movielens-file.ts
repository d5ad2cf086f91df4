/**
 * A MovieLens-format rating file (u.data: user, item, rating, seconds, tab
 * separated) shaped like the public ones: a heavy-tailed number of ratings
 * per user given in sessions of a few seconds between ratings, spread over
 * years, items drawn by a Zipf law, each user rating an item at most once
 * (as in MovieLens). Lines are shuffled, so the file is in no
 * time order, as a merged export would be.
 */
import { writeFileSync } from 'node:fs';
import { Random } from './random.js';

export interface MovieLensShape {
  ratings: number;
  users: number;
  items: number;
  /** First and last instant of the history, epoch ms. */
  from: number;
  to: number;
  seed: number;
}

/** Writes the file; returns how many ratings it holds (at most `shape.ratings`). */
export function writeMovieLensFile(path: string, shape: MovieLensShape): number {
  const draw = new Random(shape.seed);
  const random = draw.next;
  const popularity = new Float64Array(shape.items);
  for (let i = 0, sum = 0; i < shape.items; i++) popularity[i] = sum += 1 / (i + 1);
  const weights = Array.from({ length: shape.users }, () => 1 / (0.02 + random()));
  const total = weights.reduce((sum, w) => sum + w, 0);
  const lines: string[] = [];
  for (let u = 0; u < shape.users && lines.length < shape.ratings; u++) {
    const count = Math.max(20, Math.round((weights[u]! / total) * shape.ratings));
    const start = shape.from + random() * (shape.to - shape.from) * 0.9;
    const span = Math.min(shape.to - start, random() * 3 * 365 * 86_400_000);
    let at = start;
    const rated = new Set<number>();
    for (let n = 0; n < count && lines.length < shape.ratings; n++) {
      const item = unratedItem(draw, popularity, rated);
      if (item === undefined) break;
      // A new session now and then, else the next rating a few seconds on.
      at = random() < 0.05 ? Math.min(shape.to, at + random() * (span / 20)) : at + 2_000 + random() * 30_000;
      lines.push(`${u + 1}\t${item + 1}\t${1 + Math.floor(random() * 5)}\t${Math.floor(Math.min(at, shape.to) / 1000)}`);
    }
  }
  for (let i = lines.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [lines[i], lines[j]] = [lines[j]!, lines[i]!];
  }
  writeFileSync(path, `${lines.join('\n')}\n`);
  return lines.length;
}

/** An item by the Zipf law that the user has not rated, marked rated; undefined when draws keep hitting rated ones. */
function unratedItem(draw: Random, popularity: Float64Array, rated: Set<number>): number | undefined {
  for (let attempt = 0; attempt < 1_000; attempt++) {
    const item = draw.weighted(popularity);
    if (rated.has(item)) continue;
    rated.add(item);
    return item;
  }
  return undefined;
}
