export {
  UserEraser,
  DEFAULT_USER_ERASER_OPTIONS,
  erasedUsers,
  ERASED_PLACES,
  type UserEraserOptions,
  type ErasureRequest,
  type ErasureCounts,
  type ErasureRecord,
  type ErasedUsers,
} from './erasure.js';
export {
  ErasureWatcher,
  DEFAULT_ERASURE_WATCHER_OPTIONS,
  ERASURE_CHANNEL,
  erasuresAfter,
  type Erasure,
  type ErasureWatcherOptions,
} from './erasure-watcher.js';
