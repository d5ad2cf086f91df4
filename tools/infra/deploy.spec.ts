/**
 * The deployment files (infra/k8s, infra/prometheus, infra/grafana) against
 * the code they deploy, so neither can drift silently: every app in apps/
 * has a Deployment and Service whose port and probes are the port its
 * env.ts defaults to, a Prometheus job scraping that port, and credentials
 * from the Secret only; the dashboard reads only metrics the code defines.
 * docker-compose.yml brings up Prometheus (scraping every app) and Grafana
 * (provisioned), and the Dockerfiles compile native modules in a build stage
 * and keep tfjs-node-gpu through the prune. No Docker engine runs in CI, so
 * these are read, not built.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { consoleConfig } from '@recstream/console-app/env';
import { MetricsTargetList } from '@recstream/console';
import { featureBuilderConfig } from '@recstream/feature-builder/env';
import { ingesterConfig } from '@recstream/ingester/env';
import { onlineUpdaterConfig } from '@recstream/online-updater/env';
import { sampleGeneratorConfig } from '@recstream/sample-generator/env';
import { servingConfig } from '@recstream/serving-app/env';
import { trainerConfig } from '@recstream/trainer/env';
import { SERVING_NODE_OPTIONS } from '@recstream/serving';
import { FEATURE_BUILDER_NODE_OPTIONS } from '@recstream/features';

const ROOT = resolve(import.meta.dirname, '../..');
const read = (path: string) => readFileSync(resolve(ROOT, path), 'utf8');
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- manifests are checked field by field below.
type Manifest = any;
const yamlDocs = (path: string): Manifest[] => parseAllDocuments(read(path)).map((doc) => doc.toJS());

/** Each app's HTTP port when its environment sets nothing: what its env.ts defaults to. */
const DEFAULT_PORTS: Record<string, () => number | undefined> = {
  ingester: () => ingesterConfig({}).options.port,
  'feature-builder': () => featureBuilderConfig({}).options.port,
  'sample-generator': () => sampleGeneratorConfig({}).http.port,
  serving: () => servingConfig({}).options.port,
  trainer: () => trainerConfig({}).http.port,
  console: () => consoleConfig({}).options.port,
  'online-updater': () => onlineUpdaterConfig({}).options.port,
};

const apps = readdirSync(resolve(ROOT, 'apps'), { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name);
const kustomization = yamlDocs('infra/k8s/kustomization.yaml')[0];
const manifests: Manifest[] = kustomization.resources.flatMap((file: string) => yamlDocs(`infra/k8s/${file}`));
const prometheus = yamlDocs('infra/prometheus/prometheus.yml')[0];
const compose = yamlDocs('docker-compose.yml')[0];

/** A Dockerfile's build stages in order: the FROM line's image and name, and the stage's instructions. */
function dockerStages(path: string): { from: string; name?: string; body: string }[] {
  const text = read(path).replace(/\\\n/g, ' ');
  return text
    .split(/^(?=FROM )/m)
    .filter((part) => part.startsWith('FROM '))
    .map((part) => {
      const [, from, name] = /^FROM (\S+)(?: AS (\S+))?/.exec(part)!;
      return { from: from!, name, body: part };
    });
}

/** Names of every Prometheus metric the libs define (`name: '...'` in a metric's options). */
function definedMetrics(): Set<string> {
  const names = new Set<string>();
  for (const lib of readdirSync(resolve(ROOT, 'libs'))) {
    const src = resolve(ROOT, 'libs', lib, 'src');
    if (!existsSync(src)) continue;
    for (const file of readdirSync(src, { recursive: true, encoding: 'utf8' })) {
      if (!file.endsWith('.ts') || file.endsWith('.spec.ts')) continue;
      const text = readFileSync(resolve(src, file), 'utf8');
      if (!/from 'prom-client'/.test(text)) continue;
      for (const match of text.matchAll(/name: '([a-z_]+)'/g)) names.add(match[1]!);
    }
  }
  return names;
}

describe('deployment files', () => {
  it('know every app', () => {
    expect(Object.keys(DEFAULT_PORTS).sort()).toEqual([...apps].sort());
  });

  it("give every app its own default port, and point the console's default SERVING_URL at serving's", () => {
    const ports = Object.values(DEFAULT_PORTS).map((port) => port());
    expect(new Set(ports).size).toBe(ports.length);
    expect(new URL(consoleConfig({}).options.servingUrl!).port).toBe(String(servingConfig({}).options.port));
  });

  it('list every manifest in the kustomization, and ship no Secret values', () => {
    const files = readdirSync(resolve(ROOT, 'infra/k8s')).filter((file) => file.endsWith('.yaml') && file !== 'kustomization.yaml');
    expect([...kustomization.resources].sort()).toEqual(files.sort());
    expect(manifests.filter((m) => m.kind === 'Secret')).toEqual([]);
  });

  describe.each(apps)('%s', (app) => {
    const port = DEFAULT_PORTS[app]?.();
    const deployment = manifests.find((m) => m.kind === 'Deployment' && m.metadata.name === app);
    const container = deployment?.spec.template.spec.containers[0];
    const portNamed = (name: unknown) => (typeof name === 'number' ? name : container.ports.find((p: Manifest) => p.name === name)?.containerPort);

    it('has a Deployment listening on the port its env.ts defaults to, with probes on it', () => {
      expect(port).toBeGreaterThan(0);
      expect(deployment, `Deployment ${app}`).toBeDefined();
      expect(deployment.spec.selector.matchLabels).toEqual({ 'app.kubernetes.io/name': app });
      expect(deployment.spec.template.metadata.labels).toMatchObject({ 'app.kubernetes.io/name': app });
      expect(container.ports.map((p: Manifest) => p.containerPort)).toEqual([port]);
      expect(container.readinessProbe.httpGet.path).toBe('/readyz');
      expect(portNamed(container.readinessProbe.httpGet.port)).toBe(port);
      expect(container.livenessProbe.httpGet.path).toBe('/healthz');
      expect(portNamed(container.livenessProbe.httpGet.port)).toBe(port);
      expect(existsSync(resolve(ROOT, deployment.metadata.annotations['recstream/dockerfile']))).toBe(true);
    });

    it('has a Service forwarding that port to its pods', () => {
      const service = manifests.find((m) => m.kind === 'Service' && m.metadata.name === app);
      expect(service, `Service ${app}`).toBeDefined();
      expect(service.spec.selector).toEqual({ 'app.kubernetes.io/name': app });
      expect(service.spec.ports).toHaveLength(1);
      expect(service.spec.ports[0].port).toBe(port);
      expect(portNamed(service.spec.ports[0].targetPort)).toBe(port);
    });

    it('takes credentials from the Secret, never as inline values', () => {
      const env: Manifest[] = container.env ?? [];
      for (const variable of env.filter((v) => /URL|PASSWORD|SECRET|TOKEN|KEY/.test(v.name))) {
        expect(variable.value, variable.name).toBeUndefined();
        expect(variable.valueFrom.secretKeyRef.name).toBe('recstream-secrets');
      }
      expect(env.map((v) => v.name)).toContain('DATABASE_URL');
      expect(container.envFrom).toEqual([{ configMapRef: { name: 'recstream-config' } }]);
    });

    it('is scraped by Prometheus on every replica at that port', () => {
      const job = prometheus.scrape_configs.find((c: Manifest) => c.job_name === app);
      expect(job, `scrape job ${app}`).toBeDefined();
      expect(job.metrics_path).toBe('/metrics');
      expect(job.relabel_configs).toEqual(
        expect.arrayContaining([
          { source_labels: ['__meta_kubernetes_service_name'], regex: app, action: 'keep' },
          { source_labels: ['__meta_kubernetes_pod_ip'], target_label: '__address__', replacement: `$1:${port}` },
        ]),
      );
    });
  });

  it('runs serving with its Node options in Kubernetes and in docker compose', () => {
    const serving = manifests.find((m) => m.kind === 'Deployment' && m.metadata.name === 'serving');
    const env: Manifest[] = serving.spec.template.spec.containers[0].env;
    expect(env.find((v) => v.name === 'NODE_OPTIONS')?.value).toBe(SERVING_NODE_OPTIONS);
    expect(yamlDocs('docker-compose.yml')[0].services.serving.environment.NODE_OPTIONS).toBe(SERVING_NODE_OPTIONS);
  });

  it('runs the feature builder with its Node options in Kubernetes and in docker compose', () => {
    const builder = manifests.find((m) => m.kind === 'Deployment' && m.metadata.name === 'feature-builder');
    const env: Manifest[] = builder.spec.template.spec.containers[0].env;
    expect(env.find((v) => v.name === 'NODE_OPTIONS')?.value).toBe(FEATURE_BUILDER_NODE_OPTIONS);
    expect(yamlDocs('docker-compose.yml')[0].services['feature-builder'].environment.NODE_OPTIONS).toBe(FEATURE_BUILDER_NODE_OPTIONS);
  });

  it("runs the backfill, which folds as the builder does, and its bench with the builder's Node options", () => {
    const scripts: Record<string, string> = JSON.parse(read('package.json')).scripts;
    expect(scripts.backfill).toContain(`tsx ${FEATURE_BUILDER_NODE_OPTIONS} `);
    expect(scripts['bench:backfill']).toContain(`tsx ${FEATURE_BUILDER_NODE_OPTIONS} `);
  });

  it('runs the trainer on a GPU from the GPU image', () => {
    const trainer = manifests.find((m) => m.kind === 'Deployment' && m.metadata.name === 'trainer');
    const container = trainer.spec.template.spec.containers[0];
    expect(container.resources.limits['nvidia.com/gpu']).toBeGreaterThanOrEqual(1);
    expect(trainer.metadata.annotations['recstream/dockerfile']).toBe('infra/docker/trainer-gpu.Dockerfile');
    expect(container.image).toMatch(/trainer-gpu/);
  });

  it('has a provisioned Grafana dashboard that reads only metrics the code defines', () => {
    const dashboard = JSON.parse(read('infra/grafana/dashboards/recstream.json'));
    const datasource = yamlDocs('infra/grafana/provisioning/datasources/prometheus.yml')[0].datasources[0];
    const provider = yamlDocs('infra/grafana/provisioning/dashboards/recstream.yml')[0].providers[0];
    expect(provider.type).toBe('file');
    const exprs: string[] = dashboard.panels.flatMap((panel: Manifest) => {
      expect(panel.datasource.uid).toBe(datasource.uid);
      return panel.targets.map((target: Manifest) => target.expr);
    });
    const defined = definedMetrics();
    const used = new Set(exprs.flatMap((expr) => [...expr.matchAll(/\b([a-z]+_[a-z_]+)\s*[{[)]/g)].map((m) => m[1]!.replace(/_(bucket|sum|count)$/, ''))));
    expect(used.size).toBeGreaterThan(8);
    for (const metric of used) expect(defined, metric).toContain(metric);
    // What an operator looks at first: throughput, lag, queues, latency and which models serve.
    for (const needed of ['ingest_events_accepted_total', 'feature_builder_consumer_lag', 'bullmq_queue_jobs', 'serving_model_version']) {
      expect(exprs.join('\n')).toContain(needed);
    }
    expect(exprs.join('\n')).toContain('histogram_quantile(0.99, sum by (le, stage) (rate(serving_stage_seconds_bucket');
  });

  it('bring up Prometheus in docker compose, scraping every app at its service name and default port', () => {
    const service = compose.services.prometheus;
    expect(service, 'compose service prometheus').toBeDefined();
    const mount = service.volumes.map((v: string) => v.split(':')).find(([, target]: string[]) => target === '/etc/prometheus/prometheus.yml');
    expect(mount, 'prometheus.yml mount').toBeDefined();
    const config = yamlDocs(mount[0])[0];
    for (const app of apps) {
      expect(compose.services[app], `compose service ${app}`).toBeDefined();
      const job = config.scrape_configs.find((c: Manifest) => c.job_name === app);
      expect(job, `compose scrape job ${app}`).toBeDefined();
      expect(job.metrics_path).toBe('/metrics');
      expect(job.static_configs).toEqual([{ targets: [`${app}:${DEFAULT_PORTS[app]!()}`] }]);
    }
    expect(service.ports).toContain('9090:9090');
  });

  it('bring up Grafana in docker compose with the provisioned datasource and dashboard', () => {
    const service = compose.services.grafana;
    expect(service, 'compose service grafana').toBeDefined();
    const mounts = new Map<string, string>(service.volumes.map((v: string) => v.split(':').slice(0, 2).reverse()));
    expect(mounts.get('/etc/grafana/provisioning')).toBe('./infra/grafana/provisioning');
    const provider = yamlDocs('infra/grafana/provisioning/dashboards/recstream.yml')[0].providers[0];
    expect(mounts.get(provider.options.path)).toBe('./infra/grafana/dashboards');
    const datasource = new URL(yamlDocs('infra/grafana/provisioning/datasources/prometheus.yml')[0].datasources[0].url);
    expect(compose.services[datasource.hostname], `compose service ${datasource.hostname}`).toBeDefined();
    expect(compose.services[datasource.hostname].ports).toContain(`${datasource.port}:${datasource.port}`);
    expect(service.depends_on).toContain('prometheus');
  });

  it("lists every app in the compose console's METRICS_TARGETS", () => {
    const targets = MetricsTargetList.parse(compose.services.console.environment.METRICS_TARGETS);
    expect(targets.map((t) => t.name).sort()).toEqual(apps.filter((app) => app !== 'console').sort());
    for (const { name, url } of targets) expect(new URL(url).port).toBe(String(DEFAULT_PORTS[name]!()));
  });

  it('build the app image with compilers for native modules in a build stage, and run it on a slim image without them', () => {
    const stages = dockerStages('infra/docker/Dockerfile');
    const build = stages.find((s) => s.name === 'build')!;
    expect(build.body).toMatch(/apt-get install[^\n]*build-essential/);
    expect(build.body).toMatch(/apt-get install[^\n]*python3/);
    expect(build.body).toContain('npm ci');
    expect(compose.services.setup.build.target).toBe('build');
    const runtime = stages.at(-1)!;
    expect(runtime.from).toMatch(/-slim$/);
    expect(runtime.body).not.toMatch(/build-essential|apt-get install/);
    expect(runtime.body).toMatch(/COPY --from=\S+ \/repo \/repo/);
    // Dev dependencies are pruned before the copy, in a stage the runtime copies from.
    const copiedFrom = /COPY --from=(\S+)/.exec(runtime.body)![1];
    expect(stages.find((s) => s.name === copiedFrom)!.body).toContain('npm prune --omit=dev');
  });

  it('keep tfjs-node-gpu in the GPU image: saved as a trainer dependency before the prune, and checked after it', () => {
    const stages = dockerStages('infra/docker/trainer-gpu.Dockerfile');
    const build = stages.find((s) => s.name === 'build')!;
    const install = build.body.indexOf('@tensorflow/tfjs-node-gpu@');
    const prune = build.body.indexOf('npm prune --omit=dev');
    expect(install).toBeGreaterThan(0);
    expect(prune).toBeGreaterThan(install);
    const installCommand = build.body.slice(build.body.lastIndexOf('npm install', install), install);
    expect(installCommand).not.toContain('--no-save');
    expect(installCommand).toContain('--workspace @recstream/trainer');
    expect(build.body).toMatch(/build-essential/);
    const runtime = stages.at(-1)!;
    expect(runtime.body).not.toMatch(/build-essential/);
    expect(runtime.body).toContain("require.resolve('@tensorflow/tfjs-node-gpu'");
  });
});
