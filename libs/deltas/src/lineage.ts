import type { ModelVersion } from '@recstream/registry';

/** Kafka positions: the next offset to consume, per partition. */
export type Offsets = Record<string, string>;

/** What an online snapshot's `lineage.online` records in the registry. */
export interface OnlineLineage {
  /** The updater that trained it. */
  updater: string;
  /** The offline-trained version the online lineage started from, and its artifact digest (the lineage's key). */
  root_version: number;
  root_sha256: string;
  topic: string;
  /** Offsets the parent covered, and offsets this version covers: it learned from everything in between. */
  offsets_from: Offsets;
  offsets: Offsets;
  /** Examples trained on since the lineage began. */
  examples: number;
  /** The last delta published before the snapshot; serving that loads this version applies the deltas after it. */
  delta_stream_id: string | null;
}

export function onlineLineage(version: ModelVersion): OnlineLineage | undefined {
  return version.lineage.online as OnlineLineage | undefined;
}

/**
 * The key of the online lineage a version belongs to: its root's artifact
 * digest (an offline version is its own root). Unique across databases, so
 * deltas of one deployment never reach another's models through a shared Redis.
 */
export function lineageKey(version: ModelVersion): string {
  return onlineLineage(version)?.root_sha256 ?? version.artifactSha256;
}

/** The delta stream entry after which deltas apply to `version` ('0': all of them, for an offline root). */
export function deltaStartId(version: ModelVersion): string {
  return onlineLineage(version)?.delta_stream_id ?? '0';
}
