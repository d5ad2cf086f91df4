import type { Interaction } from '@recstream/models';
import { readMovieLens } from '@recstream/synth';

/** A MovieLens-format file's ratings as implicit interactions, each with its UTC hour and weekday as context. */
export async function readInteractions(path: string): Promise<Interaction[]> {
  const interactions: Interaction[] = [];
  for await (const rating of readMovieLens(path)) {
    const date = new Date(rating.timestamp);
    interactions.push({ ...rating, context: [date.getUTCHours(), date.getUTCDay()] });
  }
  return interactions;
}
