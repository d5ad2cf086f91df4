export { FeatureBuilder, DEFAULT_FEATURE_BUILDER_OPTIONS, type FeatureBuilderOptions, type FeatureBuilderDeps } from './builder.js';
export type { AppliedBatch } from './interactions.js';
export { OnlineFeatureReader, DEFAULT_ONLINE_READER_OPTIONS, type OnlineFeatures, type UserFeatures, type ItemFeatures, type OnlineReaderOptions } from './online-reader.js';
export { OnlineStore, DEFAULT_ONLINE_STORE_OPTIONS, type OnlineStoreOptions, type ApplyOutcome } from './online-store.js';
export { OfflineStore, DEFAULT_OFFLINE_STORE_OPTIONS, pointInTimeSql, type HistoryRow, type OfflineStoreOptions } from './offline-store.js';
export { rebuildFromOffline, rebuildFromKafka, type RebuildReport } from './rebuild.js';
export { KEY_LAYOUT_VERSION, KeyLayout } from './keys.js';
export * from './views.js';
export { WINDOWS, WINDOW_NAMES, type WindowName, type WindowSums } from './windows.js';
