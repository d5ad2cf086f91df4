export { ServingService, DEFAULT_SERVING_OPTIONS, type ServingOptions, type ServingDeps } from './service.js';
export { DEFAULT_RECOMMENDER_OPTIONS, type RecommendationResponse, type RecommendedItem, type DegradedReason, type TruncatedReason, type RecommenderOptions } from './recommender.js';
export { createServingRedis } from './redis.js';
export { HnswIndex, DEFAULT_HNSW_OPTIONS, type HnswOptions } from './ann/hnsw-index.js';
export { exactTopK, recallAt } from './ann/exact.js';
export { recallEmbedder, type RecallEmbedder } from './models/recall-embedder.js';
export { bucket, type Experiment, type Variant } from './experiments/experiment.js';
export { SERVING_NODE_OPTIONS, SERVING_V8_FLAGS, applyServingV8Flags } from './node-options.js';
