export { DeltaChannel, DEFAULT_DELTA_CHANNEL_OPTIONS, deltaStreamKey, type DeltaChannelOptions, type DeltaEntry } from './delta-channel.js';
export { lineageKey, deltaStartId, onlineLineage, type OnlineLineage, type Offsets } from './lineage.js';
