import { hash32 } from '@recstream/models';

/** A uniform number in [0, 1) from a string, for deterministic bucketing. */
export function unitHash(value: string): number {
  return hash32(value) / 2 ** 32;
}
