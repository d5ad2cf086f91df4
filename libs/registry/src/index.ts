export { ModelRegistry, RegistryTransaction, PROMOTION_CHANNEL, type ModelVersion, type NewModelVersion, type PromotionResult } from './registry.js';
export { decidePromotion, DEFAULT_GATES, type PromotionGate, type GateDecision } from './gate.js';
