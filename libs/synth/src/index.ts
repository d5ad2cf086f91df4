export { Random } from './random.js';
export {
  SyntheticWorld,
  DEFAULT_WORLD_OPTIONS,
  GROUND_TRUTH,
  WORLD_DEVICES,
  type WorldOptions,
  type SyntheticItem,
  type SyntheticUser,
  type ClickContext,
} from './world.js';
export { SimulatedAudience, type ShownList, type SimulatedClick } from './audience.js';
export { LoggedCounts } from './logged-counts.js';
export {
  ReferenceLists,
  REFERENCE_LISTS,
  DEFAULT_REFERENCE_LISTS_OPTIONS,
  expectedCtr,
  type ListRequest,
  type ReferenceList,
  type ReferenceListsOptions,
} from './reference-lists.js';
export { readMovieLens, readMovieLensLines, movieLensEvent, movieLensEvents, movieLensRecords, type MovieLensLine, type MovieLensRating } from './movielens.js';
export { writeMovieLensFile, type MovieLensShape } from './movielens-file.js';
