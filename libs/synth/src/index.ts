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
export { readMovieLens, type MovieLensRating } from './movielens.js';
