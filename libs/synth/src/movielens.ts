import { createReadStream } from 'node:fs';
import { basename } from 'node:path';
import { createInterface } from 'node:readline';
import { NonRetriableError } from '@recstream/platform';

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

/**
 * Streams the ratings of a MovieLens file line by line (constant memory):
 * `u.data` (tab separated), `ratings.dat` (`::` separated) or `ratings.csv`
 * (header `userId,movieId,rating,timestamp`). A malformed line throws a
 * NonRetriableError naming the file and line.
 */
export async function* readMovieLens(path: string): AsyncGenerator<MovieLensRating> {
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
    yield parseLine(line, SEPARATORS[format], path, lineNumber);
  }
}

function parseLine(line: string, separator: string | RegExp, path: string, lineNumber: number): MovieLensRating {
  const fields = line.split(separator);
  const [userId, itemId, rating, seconds] = fields.map(Number);
  const valid =
    fields.length === 4 &&
    Number.isInteger(userId) &&
    Number.isInteger(itemId) &&
    Number.isFinite(rating) &&
    Number.isInteger(seconds);
  if (!valid) {
    throw new NonRetriableError(`${path}:${lineNumber}: expected user, item, rating, timestamp; got "${line}"`, {
      context: { path, line: lineNumber },
    });
  }
  return { userId: userId!, itemId: itemId!, rating: rating!, timestamp: seconds! * 1000 };
}
