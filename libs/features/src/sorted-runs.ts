import { once } from 'node:events';
import { createReadStream, createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import type { InteractionEvent } from '@recstream/schemas';

interface Entry {
  time: number;
  id: string;
  json: string;
}

const byKey = (a: Entry, b: Entry) => a.time - b.time || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** Bytes of a run written to its file at once. */
const WRITE_BYTES = 1 << 20;

/**
 * An external sort of interactions by event time, then event id, in bounded
 * memory: up to `runLength` are held as JSON, then sorted and written to a
 * temporary file as one run of JSON lines; reading merges the runs and what
 * is left in memory. Of interactions with the same key the first added
 * comes out, and the others are counted as duplicates (the event log keeps
 * one row per event id and time, as the stream does).
 */
export class SortedRuns {
  private entries: Entry[] = [];
  private readonly files: string[] = [];
  private dir: string | undefined;
  /** Interactions dropped by `merged` as repeats of the one before. */
  duplicates = 0;

  constructor(private readonly runLength: number) {}

  /** Runs written to disk so far. */
  get spilled(): number {
    return this.files.length;
  }

  async add(event: InteractionEvent): Promise<void> {
    this.entries.push({ time: event.event_time, id: event.event_id, json: JSON.stringify(event) });
    if (this.entries.length >= this.runLength) await this.spill();
  }

  /** Every interaction added, in key order and each key once, in batches of up to `batchSize`. */
  async *merged(batchSize: number): AsyncGenerator<InteractionEvent[]> {
    const inMemory = this.entries.sort(byKey).map((entry) => entry.json);
    this.entries = [];
    // Ties go to the earlier run: runs are numbered in the order their input came.
    const readers = [...this.files.map((file, order) => new RunReader(order, lineBatches(file))), new RunReader(this.files.length, undefined, inMemory)];
    const heap = new ReaderHeap();
    for (const reader of readers) if (await reader.next()) heap.push(reader);
    let batch: InteractionEvent[] = [];
    let last: InteractionEvent | undefined;
    while (heap.size > 0) {
      const reader = heap.top;
      const current = reader.head!;
      if (last !== undefined && last.event_time === current.event_time && last.event_id === current.event_id) this.duplicates++;
      else {
        batch.push(current);
        last = current;
        if (batch.length >= batchSize) {
          yield batch;
          batch = [];
        }
      }
      if (await reader.next()) heap.replaceTop();
      else heap.pop();
    }
    if (batch.length > 0) yield batch;
  }

  /** Deletes the runs' files. */
  remove(): void {
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
    this.dir = undefined;
    this.files.length = 0;
  }

  private async spill(): Promise<void> {
    this.dir ??= mkdtempSync(join(tmpdir(), 'recstream-backfill-'));
    const file = join(this.dir, `run-${this.files.length}.ndjson`);
    const entries = this.entries.sort(byKey);
    this.entries = [];
    const out = createWriteStream(file);
    let text = '';
    for (const entry of entries) {
      text += `${entry.json}\n`;
      if (text.length >= WRITE_BYTES) {
        if (!out.write(text)) await once(out, 'drain');
        text = '';
      }
    }
    out.end(text);
    await finished(out);
    this.files.push(file);
  }
}

/** A run's lines in batches, as the file is read (JSON has no raw newline inside). */
async function* lineBatches(file: string): AsyncGenerator<string[]> {
  let rest = '';
  for await (const chunk of createReadStream(file, { encoding: 'utf8', highWaterMark: WRITE_BYTES })) {
    const lines = (rest + (chunk as string)).split('\n');
    rest = lines.pop()!;
    if (lines.length > 0) yield lines;
  }
  if (rest !== '') yield [rest];
}

/** The next interaction of one run. */
class RunReader {
  head: InteractionEvent | undefined;
  private pos = 0;

  constructor(
    readonly order: number,
    private readonly batches: AsyncGenerator<string[]> | undefined,
    private lines: string[] = [],
  ) {}

  /** Moves `head` to the run's next interaction; false at its end. Synchronous while the batch in hand lasts. */
  next(): boolean | Promise<boolean> {
    if (this.pos < this.lines.length) return this.take();
    return this.refill();
  }

  private async refill(): Promise<boolean> {
    while (this.pos >= this.lines.length) {
      const batch = this.batches ? await this.batches.next() : undefined;
      if (!batch || batch.done) {
        this.head = undefined;
        return false;
      }
      this.lines = batch.value;
      this.pos = 0;
    }
    return this.take();
  }

  private take(): boolean {
    this.head = JSON.parse(this.lines[this.pos]!) as InteractionEvent;
    this.lines[this.pos++] = '';
    return true;
  }
}

const before = (a: RunReader, b: RunReader) => {
  const x = a.head!;
  const y = b.head!;
  return x.event_time !== y.event_time ? x.event_time < y.event_time : x.event_id !== y.event_id ? x.event_id < y.event_id : a.order < b.order;
};

/** A binary min-heap of run readers by their heads. */
class ReaderHeap {
  private readonly items: RunReader[] = [];

  get size(): number {
    return this.items.length;
  }

  get top(): RunReader {
    return this.items[0]!;
  }

  push(reader: RunReader): void {
    const items = this.items;
    let i = items.push(reader) - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(items[i]!, items[parent]!)) break;
      [items[i], items[parent]] = [items[parent]!, items[i]!];
      i = parent;
    }
  }

  pop(): void {
    const last = this.items.pop()!;
    if (this.items.length === 0) return;
    this.items[0] = last;
    this.replaceTop();
  }

  /** Restores the order after the top's head moved on. */
  replaceTop(): void {
    const items = this.items;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let least = i;
      if (left < items.length && before(items[left]!, items[least]!)) least = left;
      if (right < items.length && before(items[right]!, items[least]!)) least = right;
      if (least === i) return;
      [items[i], items[least]] = [items[least]!, items[i]!];
      i = least;
    }
  }
}
