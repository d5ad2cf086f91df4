import { mulberry32 } from '@recstream/platform';

/** A seeded pseudo-random source, so data, initialisation and sampling are reproducible. */
export interface Random {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
  /** Standard normal. */
  normal(): number;
}

/** A Random over mulberry32 (see libs/platform). */
export function createRandom(seed: number): Random {
  const next = mulberry32(seed);
  return {
    next,
    int: (n) => Math.floor(next() * n),
    normal: () => {
      // Box-Muller; 1 - u keeps log away from zero.
      const u = 1 - next();
      return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * next());
    },
  };
}
