import type { ModelKind } from '../model.js';
import { DEEPFM_SEARCH_SPACE } from '../models/deepfm.js';
import { DIEN_SEARCH_SPACE } from '../models/dien.js';
import { DIN_SEARCH_SPACE } from '../models/din.js';
import { MF_SEARCH_SPACE } from '../models/mf.js';
import { NEUMF_SEARCH_SPACE } from '../models/neumf.js';
import { TWO_TOWER_SEARCH_SPACE } from '../models/two-tower.js';
import type { SearchSpace } from './search-space.js';

/** Each model kind's search space, declared beside its defaults. */
export const SEARCH_SPACES: Record<ModelKind, SearchSpace> = {
  mf: MF_SEARCH_SPACE,
  neumf: NEUMF_SEARCH_SPACE,
  twotower: TWO_TOWER_SEARCH_SPACE,
  deepfm: DEEPFM_SEARCH_SPACE,
  din: DIN_SEARCH_SPACE,
  dien: DIEN_SEARCH_SPACE,
};
