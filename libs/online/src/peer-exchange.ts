import { randomUUID } from 'node:crypto';
import { lineageKey, type DeltaChannelOptions } from '@recstream/deltas';
import { vocabularyId, withoutUsers } from '@recstream/models';
import { CoalescedRun, type Logger, type RedisClient } from '@recstream/platform';
import type { ModelRole } from '@recstream/schemas';
import type { OnlineLearner, Pending } from './learner.js';
import type { LineageTracker } from './lineage-tracker.js';
import type { UpdaterMetrics } from './metrics.js';
import { PeerLog, type PeerEntry } from './peer-log.js';
import type { StreamApplier } from './stream-applier.js';

/** What an exchange shares from and takes into, fixed for an updater's life. */
export interface PeerSource {
  /** Functions, as the updater creates them when it starts. */
  learner: () => OnlineLearner;
  applier: () => StreamApplier;
  lineages: LineageTracker;
}

/** Entries read from the log at once. */
const READ_COUNT = 200;

/**
 * How the online updater instances of one name share one model
 * (`followPeers`): each cut appends what this copy learned since the last
 * one (every role's increment, and the offsets it covers) to the name's
 * peer log, and every entry of the other instances is added to this copy,
 * so item rows and dense weights collect every instance's updates while
 * each trains on its own partitions. Entries name their publisher and the
 * offsets they cover: an instance never takes in its own, nor learning it
 * already has (see StreamApplier.cover).
 */
export class PeerExchange {
  /** Names this process's entries: a restarted instance is another publisher, whose old entries its positions tell apart. */
  readonly publisher = randomUUID();
  private readonly log: PeerLog;
  private readonly reads = new CoalescedRun(() => this.readAll());

  constructor(
    redis: RedisClient,
    options: DeltaChannelOptions,
    name: string,
    private readonly source: PeerSource,
    private readonly metrics: UpdaterMetrics,
    private readonly logger: Logger,
    /** The last entry this copy has taken in (or published); '0': none yet. */
    public cursor: string,
  ) {
    this.log = new PeerLog(redis, options, name);
  }

  /**
   * Cuts what this copy learned since the last confirmed cut, now, and
   * resolves once it is in the log; a failure rejects, and the next cut
   * carries it again.
   */
  share(): Promise<void> {
    const learner = this.source.learner();
    const cut = this.source.applier().cut();
    const pending = new Map<ModelRole, Pending>();
    for (const [role] of this.source.lineages.entries()) {
      const increment = learner.pendingIncrement(role);
      if (increment) pending.set(role, increment);
    }
    if (pending.size === 0 && Object.keys(cut.covers).length === 0) return Promise.resolve();
    const increments: PeerEntry['increments'] = {};
    for (const [role, lineage] of this.source.lineages.entries()) {
      const increment = pending.get(role);
      if (increment) increments[role] = { lineage: lineageKey(lineage.current), increment: increment.delta };
    }
    return this.log.append({ publisher: this.publisher, covers: cut.covers, increments }).then(() => {
      cut.confirm();
      for (const increment of pending.values()) increment.confirm();
    });
  }

  /** Takes in every entry published after the cursor; concurrent calls share one read. A failed read leaves the rest to the next call. */
  catchUp(): Promise<void> {
    return this.reads.run();
  }

  private async readAll(): Promise<void> {
    try {
      for (;;) {
        const entries = await this.log.read(this.cursor, READ_COUNT);
        const erased = new Set(Array.from(this.source.applier().erased, vocabularyId));
        // One synchronous pass: no chunk is applied between the entries and the cursor that records them.
        for (const entry of entries) this.take(entry, erased);
        this.cursor = entries.at(-1)?.id ?? this.cursor;
        if (entries.length < READ_COUNT) return;
      }
    } catch (error) {
      this.logger.warn({ err: error }, 'reading the peer log failed; the next read goes on from where it stopped');
    }
  }

  /** Adds an entry's increments to this copy, without the rows of users erased here (vocabulary ids). */
  private take(entry: PeerEntry, erased: ReadonlySet<number>): void {
    const outcome = this.outcomeOf(entry);
    this.metrics.peerEntries.inc({ outcome });
    if (outcome !== 'taken') return;
    const learner = this.source.learner();
    for (const [role, lineage] of this.source.lineages.entries()) {
      const shared = entry.increments[role];
      // An increment of another lineage (learned before a promotion this copy has rebased onto, or after) does not add up with this model.
      if (shared && shared.lineage === lineageKey(lineage.current)) learner.addPeerIncrement(role, withoutUsers(shared.increment, erased));
    }
  }

  private outcomeOf(entry: PeerEntry): 'taken' | 'own' | 'other_lineage' | 'covered' {
    if (entry.publisher === this.publisher) return 'own';
    const lineages = new Set([...this.source.lineages.entries()].map(([, lineage]) => lineageKey(lineage.current)));
    const shared = Object.values(entry.increments);
    // Learned on models this copy does not update (an earlier deployment's, say): its offsets say nothing of what this model holds.
    if (shared.length > 0 && !shared.some(({ lineage }) => lineages.has(lineage))) return 'other_lineage';
    return this.source.applier().cover(entry.covers) ? 'taken' : 'covered';
  }
}
