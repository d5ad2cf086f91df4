export * from './events.js';
export { validateEvent, validateMessage, MAX_EVENTS_PER_MESSAGE, type Validation, type MessageValidation } from './validate.js';
export { TOPICS, DEFAULT_TOPIC_NAMES, topicNamesEnv, topicNamesFromEnv, topicSpecs, routeEvent, deadLetterFor, MAX_DEAD_LETTER_RAW_CHARS, type TopicNames, type TopicSpec, type DeadLetter } from './topics.js';
export { MAX_JSON_DEPTH } from './json-depth.js';
export { DEFAULT_MAX_FUTURE_SKEW_MS, futureTimeReason, type ArrivalBound } from './future-skew.js';
export { CLUSTER_QUEUE_PREFIX, DEFAULT_QUEUE_PREFIX, QUEUES, queuePrefix, TrainJob, TrainTuning, TrialJob, TRIAL_JOB_NAME, SamplesJob, MAX_TUNE_TRIALS } from './jobs.js';
export { MODEL_KINDS, MODEL_ROLES, ModelKindSchema, ModelRoleSchema, isModelKind, type ModelKind, type ModelRole } from './models.js';
export * from './model-features.js';
