import type { ModelRegistry, ModelVersion } from '@recstream/registry';
import { MODEL_ROLES, type ModelRole } from '@recstream/schemas';

export interface ModelVersionSummary {
  versionId: number;
  role: ModelRole;
  modelType: string;
  datasetVersion: string | null;
  parentVersion: number | null;
  backend: string | null;
  metrics: Record<string, number>;
  createdAt: string;
  inProduction: boolean;
}

/** Per role, the latest `limit` versions oldest first (for metric-over-time charts), and which one is in production. */
export async function readModelVersions(registry: ModelRegistry, limit: number): Promise<Record<ModelRole, ModelVersionSummary[]>> {
  const entries = await Promise.all(
    MODEL_ROLES.map(async (role) => {
      const [versions, production] = await Promise.all([registry.list(role, limit), registry.production(role)]);
      return [role, versions.reverse().map((version) => summary(version, production?.versionId))] as const;
    }),
  );
  return Object.fromEntries(entries) as Record<ModelRole, ModelVersionSummary[]>;
}

function summary(version: ModelVersion, productionId: number | undefined): ModelVersionSummary {
  const { versionId, role, modelType, datasetVersion, parentVersion, backend, metrics, createdAt } = version;
  return { versionId, role, modelType, datasetVersion, parentVersion, backend, metrics, createdAt: createdAt.toISOString(), inProduction: versionId === productionId };
}
