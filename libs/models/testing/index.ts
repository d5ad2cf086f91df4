export { plantedSequences, plantedClicks, DEFAULT_PLANTED_OPTIONS, DEFAULT_CONTEXT_OPTIONS } from './planted-data.js';
export { coldStartData, trainOnRows, DEFAULT_COLD_START_OPTIONS, type ColdStartData, type ColdCase } from './cold-start.js';
