import { z } from 'zod';

/** The model kinds the models lib builds; jobs, settings and the registry name a model by one of these. */
export const MODEL_KINDS = ['mf', 'neumf', 'twotower', 'deepfm', 'din', 'dien'] as const;
export type ModelKind = (typeof MODEL_KINDS)[number];

/** What a model version serves: candidate retrieval or the ranking of candidates. */
export const MODEL_ROLES = ['recall', 'ranking'] as const;
export type ModelRole = (typeof MODEL_ROLES)[number];

/** A model kind, refusing any other with the list of valid ones. */
export const ModelKindSchema = z.enum(MODEL_KINDS, {
  error: (issue) => `unknown model kind ${JSON.stringify(issue.input)}; use one of ${MODEL_KINDS.join(', ')}`,
});

/** A model role, refusing any other with the list of valid ones. */
export const ModelRoleSchema = z.enum(MODEL_ROLES, {
  error: (issue) => `unknown model role ${JSON.stringify(issue.input)}; use one of ${MODEL_ROLES.join(', ')}`,
});

/** Whether `value` names a model kind, for checks outside a schema (command-line flags). */
export const isModelKind = (value: unknown): value is ModelKind => MODEL_KINDS.includes(value as ModelKind);
