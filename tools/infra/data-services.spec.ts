/**
 * infra/k8s/data (the data services, for Strimzi, CloudNativePG and the
 * redis-operator) against the code and the apps' manifests, so a renamed
 * topic, a changed partition count or a moved service cannot drift from what
 * the apps connect to. No cluster runs in CI, so these are read, not applied.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { clusterSeeds } from '@recstream/platform';
import { queuePrefix, topicSpecs } from '@recstream/schemas';
import { defaultReplication } from '@recstream/streams';

const ROOT = resolve(import.meta.dirname, '../..');
const DATA = 'infra/k8s/data';
const read = (path: string) => readFileSync(resolve(ROOT, path), 'utf8');
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- manifests are checked field by field below.
type Manifest = any;
const yamlDocs = (path: string): Manifest[] => parseAllDocuments(read(path)).map((doc) => doc.toJS());

const kustomizationText = read(`${DATA}/kustomization.yaml`);
const kustomization = yamlDocs(`${DATA}/kustomization.yaml`)[0];
const manifests: Manifest[] = kustomization.resources.flatMap((file: string) => yamlDocs(`${DATA}/${file}`));
const ofKind = (kind: string): Manifest[] => manifests.filter((m) => m.kind === kind);
const appConfig = yamlDocs('infra/k8s/config.yaml').find((m) => m.kind === 'ConfigMap').data;
const namespace = yamlDocs('infra/k8s/namespace.yaml')[0].metadata.name;

describe('data services for Kubernetes', () => {
  it('list every manifest in their kustomization, all in the apps\' namespace, with no Secret values', () => {
    const files = readdirSync(resolve(ROOT, DATA)).filter((file) => file.endsWith('.yaml') && file !== 'kustomization.yaml');
    expect([...kustomization.resources].sort()).toEqual(files.sort());
    for (const manifest of manifests) expect(manifest.metadata.namespace, `${manifest.kind} ${manifest.metadata.name}`).toBe(namespace);
    expect(ofKind('Secret')).toEqual([]);
  });

  describe('Kafka (Strimzi)', () => {
    const kafka = ofKind('Kafka')[0];
    const pools = ofKind('KafkaNodePool').filter((pool) => pool.metadata.labels['strimzi.io/cluster'] === kafka.metadata.name);
    const brokers = pools.filter((pool) => pool.spec.roles.includes('broker')).reduce((sum, pool) => sum + pool.spec.replicas, 0);
    const controllers = pools.filter((pool) => pool.spec.roles.includes('controller')).reduce((sum, pool) => sum + pool.spec.replicas, 0);
    const config = kafka.spec.kafka.config;

    it('runs in KRaft mode with a controller quorum that survives one loss', () => {
      expect(kafka.metadata.annotations).toMatchObject({ 'strimzi.io/kraft': 'enabled', 'strimzi.io/node-pools': 'enabled' });
      expect(controllers % 2).toBe(1);
      expect(controllers).toBeGreaterThanOrEqual(3);
    });

    it('replicates as the code chooses for its broker count, and never creates topics on first use', () => {
      const chosen = defaultReplication(brokers);
      expect(config['default.replication.factor']).toBe(chosen.replicationFactor);
      expect(config['min.insync.replicas']).toBe(chosen.minInsyncReplicas);
      expect(config['offsets.topic.replication.factor']).toBe(chosen.replicationFactor);
      expect(config['auto.create.topics.enable']).toBe(false);
    });

    it("is what the apps' KAFKA_BROKERS names: the bootstrap service on the plain listener", () => {
      const plain = kafka.spec.kafka.listeners.find((listener: Manifest) => listener.tls === false && listener.type === 'internal');
      expect(appConfig.KAFKA_BROKERS).toBe(`${kafka.metadata.name}-kafka-bootstrap.${namespace}.svc:${plain.port}`);
    });

    it("declares the platform's topics with the code's partitions and retention, replicated as the cluster is", () => {
      const topics = ofKind('KafkaTopic');
      expect(topics.map((t) => t.spec.topicName ?? t.metadata.name).sort()).toEqual(topicSpecs().map((spec) => spec.name).sort());
      for (const spec of topicSpecs()) {
        const topic = topics.find((t) => (t.spec.topicName ?? t.metadata.name) === spec.name);
        expect(topic.metadata.labels['strimzi.io/cluster'], spec.name).toBe(kafka.metadata.name);
        expect(topic.spec.partitions, spec.name).toBe(spec.partitions);
        expect(topic.spec.config['retention.ms'], spec.name).toBe(spec.retentionMs);
        expect(topic.spec.replicas, spec.name).toBe(config['default.replication.factor']);
        expect(topic.spec.config['min.insync.replicas'], spec.name).toBe(config['min.insync.replicas']);
      }
    });
  });

  describe('Postgres (CloudNativePG)', () => {
    const cluster = ofKind('Cluster').find((m) => m.apiVersion.startsWith('postgresql.cnpg.io/'));

    it('keeps a replica to fail over to', () => {
      expect(cluster.spec.instances).toBeGreaterThanOrEqual(2);
    });

    it("hands the apps the connection string of the operator's app secret", () => {
      const appSecret = `${cluster.metadata.name}-app`;
      expect(kustomizationText).toContain(`get secret ${appSecret} -o jsonpath='{.data.uri}'`);
      expect(kustomizationText).toContain('--from-literal=DATABASE_URL=');
      expect(cluster.spec.bootstrap.initdb.database).toBe('recstream');
    });
  });

  describe('Redis (redis-operator)', () => {
    const redis = ofKind('RedisCluster')[0];

    it('splits the slots over at least 3 masters, each with a replica', () => {
      expect(redis.spec.clusterSize).toBeGreaterThanOrEqual(3);
      expect(redis.spec.redisFollower.replicas).toBeGreaterThanOrEqual(redis.spec.clusterSize);
    });

    it('takes its password from the secret the instructions create, and the apps reach it at its leader service', () => {
      const auth = redis.spec.kubernetesConfig.redisSecret;
      expect(kustomizationText).toContain(`create secret generic ${auth.name} --from-literal=${auth.key}=`);
      expect(kustomizationText).toContain(`@${redis.metadata.name}-leader.${namespace}.svc:6379`);
    });

    it("is what the apps' REDIS_CLUSTER_NODES names, so every app uses the cluster client and a hash-tagged BullMQ prefix", () => {
      expect(appConfig.REDIS_CLUSTER_NODES).toBe(`${redis.metadata.name}-leader.${namespace}.svc:6379`);
      expect(clusterSeeds(appConfig.REDIS_CLUSTER_NODES)).toHaveLength(1);
      expect(queuePrefix(appConfig.BULLMQ_PREFIX, true)).toMatch(/\{.+\}/);
    });
  });
});
