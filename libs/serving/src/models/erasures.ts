import type pg from 'pg';
import { forgetUsers, vocabularyId, withoutUsers, type ModelDelta } from '@recstream/models';
import type { Logger } from '@recstream/platform';
import { ErasureWatcher, type Erasure, type ErasureWatcherOptions } from '@recstream/privacy';
import type { ServedModel } from './served-model.js';

export interface ServedErasuresDeps {
  pool: pg.Pool;
  logger: Logger;
  /** Every model serving holds: production, pinned and frozen copies. */
  loaded: () => Iterable<ServedModel>;
}

/**
 * Keeps erased users out of every model serving holds: a new erasure
 * forgets the user's rows in all loaded models at once (the recommender
 * then takes the cold-start path for them), a version loaded later is
 * scrubbed before it serves (it may predate the erasure), and deltas are
 * stripped of the user's rows (one published before the updater learned of
 * the erasure would bring them back).
 */
export class ServedErasures {
  private readonly userIds = new Set<string>();
  private readonly vocabIds = new Set<number>();
  private readonly watcher: ErasureWatcher;

  constructor(
    private readonly deps: ServedErasuresDeps,
    options: Partial<ErasureWatcherOptions> = {},
  ) {
    this.watcher = new ErasureWatcher({ pool: deps.pool, logger: deps.logger, onErased: (erasures) => this.forget(erasures) }, options);
  }

  /** Learns every erasure recorded so far (scrubbing what is loaded), then watches for new ones. */
  start(): Promise<void> {
    return this.watcher.start(null);
  }

  close(): Promise<void> {
    return this.watcher.close();
  }

  /** Removes every erased user's rows from a model about to serve. */
  scrub(served: ServedModel): void {
    forgetUsers(served.model, this.userIds);
  }

  /** `delta` without erased users' rows. */
  filter(delta: ModelDelta): ModelDelta {
    return withoutUsers(delta, this.vocabIds);
  }

  private forget(erasures: Erasure[]): void {
    const userIds = new Set(erasures.map((erasure) => erasure.userId));
    for (const userId of userIds) {
      this.userIds.add(userId);
      this.vocabIds.add(vocabularyId(userId));
    }
    let rows = 0;
    for (const served of this.deps.loaded()) rows += forgetUsers(served.model, userIds);
    // Erasure ids only: the log must not carry the ids it was asked to forget.
    this.deps.logger.info({ erasures: erasures.map((erasure) => erasure.erasureId), rowsRemoved: rows }, 'erased users forgotten by the loaded models');
  }
}
