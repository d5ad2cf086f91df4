export * from './events.js';
export { validateEvent, type Validation } from './validate.js';
export { TOPICS, routeEvent, type TopicSpec, type DeadLetter } from './topics.js';
export { QUEUES, MODEL_ROLES, TrainJob, SamplesJob } from './jobs.js';
