/**
 * The data sets bench:tune searches on: planted sequences in memory, and
 * MovieLens-format files read back through the ncf CLI's reader, either
 * generated here in two shapes or given with `--data` (real files).
 */
import { writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Interaction } from '@recstream/models';
import { plantedSequences } from '@recstream/models/testing';
import { readInteractions } from '../ncf/data.js';
import { writeMovieLensFile } from '@recstream/synth';

export interface BenchDataset {
  /** Prefix of the figures' names. */
  label: string;
  interactions: Interaction[];
  /** One line for the benchmark's notes. */
  description: string;
}

export interface DatasetSizes {
  users: number;
  items: number;
  seed: number;
}

/** Planted sequences in memory: the shape the tuning targets are stated on. */
export function plantedDataset({ users, items, seed }: DatasetSizes): BenchDataset {
  return {
    label: 'planted',
    interactions: plantedSequences({ users, items, seed: seed + 10 }),
    description: `planted: planted sequences (libs/models/testing), ${users} users x 30 interactions over ${items} items, in memory.`,
  };
}

/** First second of the generated files' histories, so their timestamps read like MovieLens's. */
const EPOCH_S = Date.UTC(2000, 0, 1) / 1000;

/**
 * Two MovieLens-format shapes written to `dir` and read back: `ml_zipf`, a
 * u.data with ML-100K's layout (heavy-tailed ratings per user, Zipf item
 * popularity, sessions over years, no taste structure beyond popularity);
 * `ml_planted`, a ratings.dat of planted sequences with twice the users, two
 * thirds of the history each and items across many more categories.
 */
export async function generatedMovieLens(dir: string, { users, items, seed }: DatasetSizes): Promise<BenchDataset[]> {
  const zipf = join(dir, 'u.data');
  const ratings = writeMovieLensFile(zipf, { ratings: users * 40, users, items: items * 2, from: Date.UTC(1997, 0, 1), to: Date.UTC(2003, 0, 1), seed });
  const planted = join(dir, 'ratings.dat');
  const sequences = plantedSequences({ users: users * 2, items, interactionsPerUser: 20, categories: 40, seed: seed + 20 });
  writeFileSync(planted, sequences.map((i) => `${i.userId + 1}::${i.itemId + 1}::4::${EPOCH_S + i.timestamp / 1000}`).join('\n') + '\n');
  return [
    {
      label: 'ml_zipf',
      interactions: await readInteractions(zipf),
      description: `ml_zipf: generated u.data (tools/bench/backfill-data.ts), ${ratings} ratings by ${users} users over ${items * 2} items, popularity only.`,
    },
    {
      label: 'ml_planted',
      interactions: await readInteractions(planted),
      description: `ml_planted: generated ratings.dat of planted sequences, ${users * 2} users x 20 interactions over ${items} items in 40 categories.`,
    },
  ];
}

/** MovieLens-format files given on the command line, labelled by file name. */
export async function movieLensFiles(paths: string[]): Promise<BenchDataset[]> {
  return Promise.all(
    paths.map(async (path) => {
      const interactions = await readInteractions(path);
      const label = basename(path).replace(/\W+/g, '_');
      return { label, interactions, description: `${label}: ${path}, ${interactions.length} ratings.` };
    }),
  );
}
