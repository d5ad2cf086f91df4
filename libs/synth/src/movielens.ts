import { createReadStream } from 'node:fs';
import { basename } from 'node:path';
import { createInterface } from 'node:readline';
import { NonRetriableError } from '@recstream/platform';
import type { InteractionEventInput } from '@recstream/schemas';

/** One rating from a MovieLens file. */
export interface MovieLensRating {
  userId: number;
  itemId: number;
  rating: number;
  /** Milliseconds since the epoch (the files store seconds). */
  timestamp: number;
}

type Format = 'tab' | 'double-colon' | 'csv';

/** The layout by file name: u.data (ML-100K), ratings.dat (ML-1M/10M), anything .csv (ML-latest, 20M, 25M). */
function formatOf(path: string): Format {
  const name = basename(path);
  if (name.endsWith('.csv')) return 'csv';
  if (name.endsWith('.dat')) return 'double-colon';
  return 'tab';
}

const SEPARATORS: Record<Format, string | RegExp> = { tab: /\t/, 'double-colon': '::', csv: ',' };

/** One line of a MovieLens file: the rating, or why the line is not one. */
export type MovieLensLine = { ok: true; rating: MovieLensRating } | { ok: false; reason: string; raw: string; line: number };

/**
 * Streams the lines of a MovieLens file (constant memory): `u.data` (tab
 * separated), `ratings.dat` (`::` separated) or `ratings.csv` (header
 * `userId,movieId,rating,timestamp`), each as its rating or the reason it
 * is not one. A CSV without that header throws a NonRetriableError.
 */
export async function* readMovieLensLines(path: string): AsyncGenerator<MovieLensLine> {
  const format = formatOf(path);
  const lines = createInterface({ input: createReadStream(path), crlfDelay: Infinity });
  let lineNumber = 0;
  for await (const line of lines) {
    lineNumber++;
    if (line.trim() === '') continue;
    if (format === 'csv' && lineNumber === 1) {
      if (!line.startsWith('userId,movieId,rating,timestamp')) {
        throw new NonRetriableError(`${path}:1: expected header userId,movieId,rating,timestamp, got "${line}"`, {
          context: { path, line: 1 },
        });
      }
      continue;
    }
    const rating = parseLine(line, SEPARATORS[format]);
    yield rating ? { ok: true, rating } : { ok: false, reason: `${path}:${lineNumber}: expected user, item, rating, timestamp; got "${line}"`, raw: line, line: lineNumber };
  }
}

/**
 * Streams the ratings of a MovieLens file line by line (constant memory). A
 * malformed line throws a NonRetriableError naming the file and line.
 */
export async function* readMovieLens(path: string): AsyncGenerator<MovieLensRating> {
  for await (const line of readMovieLensLines(path)) {
    if (!line.ok) throw new NonRetriableError(line.reason, { context: { path, line: line.line } });
    yield line.rating;
  }
}

function parseLine(line: string, separator: string | RegExp): MovieLensRating | undefined {
  const fields = line.split(separator);
  const [userId, itemId, rating, seconds] = fields.map(Number);
  const valid =
    fields.length === 4 &&
    Number.isInteger(userId) &&
    Number.isInteger(itemId) &&
    Number.isFinite(rating) &&
    Number.isInteger(seconds);
  return valid ? { userId: userId!, itemId: itemId!, rating: rating!, timestamp: seconds! * 1000 } : undefined;
}

/**
 * A MovieLens rating as a `rating` event for the ingester. Event ids derive
 * from the rating itself, so loading a file twice changes nothing downstream.
 */
export function movieLensEvent({ userId, itemId, rating, timestamp }: MovieLensRating, source = 'ml'): InteractionEventInput {
  return {
    event_id: `${source}-${userId}-${itemId}-${timestamp}`,
    type: 'rating',
    user_id: `${source}-u${userId}`,
    item_id: `${source}-i${itemId}`,
    event_time: timestamp,
    rating,
    context: { surface: 'movielens' },
  };
}

/** MovieLens ratings as `rating` events (`movieLensEvent`). */
export async function* movieLensEvents(ratings: AsyncIterable<MovieLensRating>, source = 'ml'): AsyncGenerator<InteractionEventInput> {
  for await (const rating of ratings) yield movieLensEvent(rating, source);
}

/**
 * A MovieLens file's lines as `rating` events, or as the reason a line is
 * not a rating, in the shape batch loaders validate (`{ ok, value }` or
 * `{ ok: false, reason, raw }`).
 */
export async function* movieLensRecords(path: string, source = 'ml'): AsyncGenerator<{ ok: true; value: InteractionEventInput } | { ok: false; reason: string; raw: string }> {
  for await (const line of readMovieLensLines(path)) yield line.ok ? { ok: true, value: movieLensEvent(line.rating, source) } : { ok: false, reason: line.reason, raw: line.raw };
}
