export { plantedSequences, plantedClicks, DEFAULT_PLANTED_OPTIONS, DEFAULT_CONTEXT_OPTIONS } from './planted-data.js';
