import type { Admin } from 'kafkajs';

export type EndOffsets = { topic: string; partitions: { partition: number; offset: string }[] }[];

/** The end offset of every partition of `topics` now: what a consumer must reach to have caught up. */
export async function endOffsets(admin: Admin, topics: readonly string[]): Promise<EndOffsets> {
  return Promise.all(topics.map(async (topic) => ({ topic, partitions: await admin.fetchTopicOffsets(topic) })));
}

/** Polls until `groupId` has committed at least `ends` on every partition. */
export async function waitForGroupCatchUp(admin: Admin, groupId: string, ends: EndOffsets, pollMs = 200): Promise<void> {
  const topics = ends.map((end) => end.topic);
  for (;;) {
    const committed = await admin.fetchOffsets({ groupId, topics });
    const behind = ends.some(({ topic, partitions }) =>
      partitions.some(({ partition, offset }) => {
        const done = committed.find((c) => c.topic === topic)?.partitions.find((p) => p.partition === partition)?.offset ?? '-1';
        return BigInt(offset) > 0n && BigInt(done) < BigInt(offset);
      }),
    );
    if (!behind) return;
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}
