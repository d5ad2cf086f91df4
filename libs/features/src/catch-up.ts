import type { Admin } from 'kafkajs';

export type EndOffsets = { topic: string; partitions: { partition: number; offset: string }[] }[];

export interface CatchUpOptions {
  /** How often the group's committed offsets are read. */
  pollMs?: number;
  /** Rejects, naming the partitions still behind, when the group has not caught up by then. */
  timeoutMs?: number;
  /** Rejects with what it resolves to: a consumer that stopped for good (FeatureBuilder.failed) never catches up. */
  failed?: Promise<Error>;
}

/** A partition the group has not committed up to its end offset. */
interface LaggingPartition {
  topic: string;
  partition: number;
  /** '-1' when the group has committed nothing there. */
  committed: string;
  end: string;
}

/** The end offset of every partition of `topics` now: what a consumer must reach to have caught up. */
export async function endOffsets(admin: Admin, topics: readonly string[]): Promise<EndOffsets> {
  return Promise.all(topics.map(async (topic) => ({ topic, partitions: await admin.fetchTopicOffsets(topic) })));
}

/** Polls until `groupId` has committed at least `ends` on every partition. */
export async function waitForGroupCatchUp(admin: Admin, groupId: string, ends: EndOffsets, options: CatchUpOptions = {}): Promise<void> {
  const { pollMs = 200, timeoutMs = Number.POSITIVE_INFINITY, failed } = options;
  const deadline = Date.now() + timeoutMs;
  let failure: Error | undefined;
  void failed?.then((error) => (failure = error));
  for (;;) {
    if (failure) throw new Error(`consumer group ${groupId} stopped consuming before it caught up: ${failure.message}`, { cause: failure });
    const behind = laggingPartitions(ends, await admin.fetchOffsets({ groupId, topics: ends.map((end) => end.topic) }));
    if (behind.length === 0) return;
    if (Date.now() > deadline) {
      const partitions = behind.map(({ topic, partition, committed, end }) => `${topic}[${partition}] at ${committed} of ${end}`).join(', ');
      throw new Error(`consumer group ${groupId} had not caught up after ${timeoutMs / 1000} s: ${partitions}`);
    }
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}

/** The partitions of `ends` (those holding messages) where `committed` falls short. */
function laggingPartitions(ends: EndOffsets, committed: Awaited<ReturnType<Admin['fetchOffsets']>>): LaggingPartition[] {
  return ends.flatMap(({ topic, partitions }) =>
    partitions.flatMap(({ partition, offset }) => {
      const done = committed.find((c) => c.topic === topic)?.partitions.find((p) => p.partition === partition)?.offset ?? '-1';
      return BigInt(offset) > 0n && BigInt(done) < BigInt(offset) ? [{ topic, partition, committed: done, end: offset }] : [];
    }),
  );
}
