export * from './events.js';
export { validateEvent, type Validation } from './validate.js';
export { TOPICS, routeEvent, deadLetterFor, MAX_DEAD_LETTER_RAW_CHARS, type TopicSpec, type DeadLetter } from './topics.js';
export { QUEUES, MODEL_ROLES, TrainJob, SamplesJob } from './jobs.js';
