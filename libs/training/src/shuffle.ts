import type { Random } from '@recstream/models';

/**
 * Shuffles a stream through a bounded buffer (as tf.data does), so time-ordered
 * samples reach SGD mixed while memory holds at most `capacity` items.
 */
export async function* shuffled<T>(source: AsyncIterable<readonly T[]>, capacity: number, random: Random): AsyncGenerator<T> {
  const buffer: T[] = [];
  for await (const chunk of source) {
    for (const item of chunk) {
      if (buffer.length < capacity) {
        buffer.push(item);
        continue;
      }
      const j = random.int(capacity);
      yield buffer[j]!;
      buffer[j] = item;
    }
  }
  for (let i = buffer.length - 1; i > 0; i--) {
    const j = random.int(i + 1);
    [buffer[i], buffer[j]] = [buffer[j]!, buffer[i]!];
  }
  yield* buffer;
}

/** Groups a stream into arrays of `size` (the last may be shorter). */
export async function* chunked<T>(source: AsyncIterable<T>, size: number): AsyncGenerator<T[]> {
  let chunk: T[] = [];
  for await (const item of source) {
    chunk.push(item);
    if (chunk.length === size) {
      yield chunk;
      chunk = [];
    }
  }
  if (chunk.length > 0) yield chunk;
}
