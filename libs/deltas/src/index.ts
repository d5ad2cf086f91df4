export { DeltaChannel, DEFAULT_DELTA_CHANNEL_OPTIONS, deltaStreamKey, appendEntry, readEntries, type DeltaChannelOptions, type DeltaEntry } from './delta-channel.js';
export { lineageKey, deltaStartId, onlineLineage, type OnlineLineage, type Offsets } from './lineage.js';
