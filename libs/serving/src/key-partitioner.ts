import { Partitioners, type ICustomPartitioner } from 'kafkajs';

/**
 * kafkajs's default (Java-compatible) partitioner that remembers the last
 * key's partition. A keyed message's partition depends only on its key and
 * the topic's partition count, and the exposures of one response all share
 * their user's key, so the key is hashed once per response rather than once
 * per exposure.
 */
export const lastKeyPartitioner: ICustomPartitioner = () => {
  const partitioner = Partitioners.DefaultPartitioner();
  let last: { topic: string; key: string | Buffer; partitions: number; partition: number } | undefined;
  return (args) => {
    const { topic, partitionMetadata, message } = args;
    const { key } = message;
    if (message.partition != null || key == null) return partitioner(args);
    if (last && last.key === key && last.topic === topic && last.partitions === partitionMetadata.length) return last.partition;
    const partition = partitioner(args);
    last = { topic, key, partitions: partitionMetadata.length, partition };
    return partition;
  };
};
