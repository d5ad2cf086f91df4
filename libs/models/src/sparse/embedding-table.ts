import { NonRetriableError } from '@recstream/platform';
import { createRandom } from '../random.js';
import { IdMap } from './id-map.js';
import { RowwiseAdagrad, createSparseOptimizer, type SparseOptimizer, type SparseOptimizerConfig } from './sparse-optimizer.js';

export interface EmbeddingTableOptions {
  dim: number;
  /** Standard deviation of the normal a new row is drawn from (0: zeros). */
  initScale: number;
  /** Sightings an id needs before it gets a row (1: every id). */
  minCount: number;
  optimizer: SparseOptimizerConfig;
  seed: number;
}

export const DEFAULT_EMBEDDING_TABLE_OPTIONS: Omit<EmbeddingTableOptions, 'dim'> = {
  initScale: 0.01,
  minCount: 1,
  optimizer: { type: 'adagrad', learningRate: 0.05, l2: 0 },
  seed: 1,
};

/** Serialized form of a table: ids per row, weights and optimizer state. */
export interface EmbeddingTableData {
  dim: number;
  ids: Int32Array;
  weights: Float32Array;
  state: Float32Array;
  rowSteps: Uint32Array;
  lastUpdated: Uint32Array;
  mark: number;
}

/** Rows updated after a mark, for publishing deltas to serving. */
export interface RowDelta {
  ids: Int32Array;
  /** `ids.length * dim` floats, row after row. */
  vectors: Float32Array;
}

const INITIAL_CAPACITY = 64;

/**
 * A sparse embedding table kept outside the autograd graph: a Float32Array of
 * rows, a collision-free id map and a per-row optimizer, so a step only reads
 * and writes the rows its batch touches (see DESIGN.md: tfjs embedding layers
 * do not train usefully without tfjs-node).
 */
export class EmbeddingTable {
  readonly dim: number;
  private readonly options: EmbeddingTableOptions;
  private readonly optimizer: SparseOptimizer;
  /** The optimizer again when it is row-wise Adagrad, for `rowwiseStep`. */
  private readonly rowwise?: RowwiseAdagrad;
  /** Optimizer state floats per row. */
  private readonly stateWidth: number;
  private ids: IdMap;
  private weights: Float32Array;
  private state: Float32Array;
  private rowSteps: Uint32Array;
  /** Per row: the mark of the step that last changed it. */
  private lastUpdated: Uint32Array;
  /** The table's mark: increases once per applied step. */
  private currentMark = 0;
  /** Scratch for summing gradients of rows that repeat within a batch. */
  private scratch = new Float32Array(0);
  /** Per row: its slot in `scratch` during the `applyGradients` call stamped `stamp`. */
  private slotOfRow = new Int32Array(0);
  private slotStamp = new Uint32Array(0);
  private stamp = 0;
  private edits = 0;

  constructor(options: Partial<EmbeddingTableOptions> & { dim: number }, data?: EmbeddingTableData) {
    this.options = { ...DEFAULT_EMBEDDING_TABLE_OPTIONS, ...options };
    if (!Number.isInteger(this.options.dim) || this.options.dim < 1) {
      throw new NonRetriableError(`embedding dim must be a positive integer, got ${this.options.dim}`);
    }
    this.dim = this.options.dim;
    this.optimizer = createSparseOptimizer(this.options.optimizer);
    if (this.optimizer instanceof RowwiseAdagrad) this.rowwise = this.optimizer;
    this.stateWidth = this.optimizer.stateWidth(this.dim);
    if (data) {
      if (data.dim !== this.dim) throw new NonRetriableError(`table data has dim ${data.dim}, expected ${this.dim}`);
      this.ids = IdMap.fromIds(data.ids, this.options.minCount);
      this.weights = data.weights;
      this.state = data.state;
      this.rowSteps = data.rowSteps;
      this.lastUpdated = data.lastUpdated;
      this.currentMark = data.mark;
    } else {
      this.ids = new IdMap(this.options.minCount);
      this.weights = new Float32Array(INITIAL_CAPACITY * this.dim);
      this.state = new Float32Array(INITIAL_CAPACITY * this.stateWidth);
      this.rowSteps = new Uint32Array(INITIAL_CAPACITY);
      this.lastUpdated = new Uint32Array(INITIAL_CAPACITY);
    }
  }

  /** Increases whenever any row's weights may have changed, so readers can cache what they derive from rows. */
  get editCount(): number {
    return this.edits;
  }

  /** Number of ids with a row. */
  get size(): number {
    return this.ids.size;
  }

  /** Row of `id`; with `create`, admits it (subject to `minCount`). -1: no row, reads as zeros. */
  row(id: number, create: boolean): number {
    if (id < 0) return -1;
    const existing = this.ids.rowOf(id);
    // The hot path (a known id) allocates nothing.
    if (existing >= 0 || !create) return existing;
    const { row, created } = this.ids.admit(id);
    if (created) this.initialiseRow(row);
    return row;
  }

  /** Offset of `row` in `vectors()`. */
  offsetOf(row: number): number {
    return row * this.dim;
  }

  /** The live weights, `dim` floats per row; valid until rows are added. */
  vectors(): Float32Array {
    return this.weights;
  }

  /**
   * Writes the vectors of `ids` into `out` (zeros for ids without a row) and
   * their rows into `rows`. Negative ids are padding.
   */
  gather(ids: Int32Array, create: boolean, out: Float32Array, rows: Int32Array): void {
    const dim = this.dim;
    // Scoring repeats one user's id for every candidate: look it up once. (Not when creating: every sighting counts towards minCount.)
    let lastId = -1;
    let lastRow = -1;
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i]!;
      const row = !create && id === lastId ? lastRow : this.row(id, create);
      lastId = id;
      lastRow = row;
      rows[i] = row;
      // A plain loop: subarray views per row cost more than copying a short row.
      const from = row * dim;
      const to = i * dim;
      if (row < 0) for (let k = 0; k < dim; k++) out[to + k] = 0;
      else for (let k = 0; k < dim; k++) out[to + k] = this.weights[from + k]!;
    }
  }

  /**
   * Applies one step from `grads` (`rows.length * dim` floats, one gradient
   * per gathered position). Repeated rows are summed first so each row gets
   * exactly one optimizer update, as a dense gather gradient would give.
   * `scale` multiplies every gradient (e.g. the batch size, to undo a mean).
   */
  applyGradients(rows: Int32Array, grads: Float32Array, scale = 1): void {
    const dim = this.dim;
    if (this.scratch.length < rows.length * dim) this.scratch = new Float32Array(rows.length * dim);
    if (this.slotOfRow.length < this.rowSteps.length) {
      this.slotOfRow = new Int32Array(this.rowSteps.length);
      this.slotStamp = new Uint32Array(this.rowSteps.length);
    }
    // A row's slot is valid only if stamped in this call, so nothing needs clearing.
    const stamp = ++this.stamp;
    const unique: number[] = [];
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i]!;
      if (row < 0) continue;
      if (this.slotStamp[row] !== stamp) {
        this.slotStamp[row] = stamp;
        this.slotOfRow[row] = unique.length;
        const base = unique.length * dim;
        unique.push(row);
        for (let k = 0; k < dim; k++) this.scratch[base + k] = scale * grads[i * dim + k]!;
      } else {
        const base = this.slotOfRow[row]! * dim;
        for (let k = 0; k < dim; k++) this.scratch[base + k]! += scale * grads[i * dim + k]!;
      }
    }
    this.advance();
    for (let slot = 0; slot < unique.length; slot++) this.updateRow(unique[slot]!, this.scratch, slot * dim);
  }

  /** Starts a new mark; `updateRow` stamps rows with it. */
  advance(): void {
    this.currentMark++;
  }

  /** Applies the optimizer to one row from `grad[gradOffset .. gradOffset + dim)`. */
  updateRow(row: number, grad: ArrayLike<number>, gradOffset: number): void {
    this.edits++;
    const step = ++this.rowSteps[row]!;
    this.lastUpdated[row] = this.currentMark;
    this.optimizer.update(this.weights, row * this.dim, this.state, row * this.stateWidth, this.dim, grad, gradOffset, step);
  }

  /**
   * For a row-wise Adagrad table: counts an update of `row` whose gradient has
   * mean square `meanSquare` and returns the row's step size; the caller then
   * moves the row's weights by `-rate * gradient` itself (see MfModel).
   */
  rowwiseStep(row: number, meanSquare: number): number {
    const rowwise = this.rowwise;
    if (!rowwise) throw new Error(`rowwiseStep needs a rowwise-adagrad table, this one uses ${this.options.optimizer.type}`);
    this.edits++;
    this.rowSteps[row]!++;
    this.lastUpdated[row] = this.currentMark;
    return rowwise.rowRate(this.state, row * this.stateWidth, meanSquare);
  }

  /** The current mark, for `touchedSince` and `expire`. */
  mark(): number {
    return this.currentMark;
  }

  /** Ids and vectors of rows updated after `mark`, for publishing deltas. */
  touchedSince(mark: number): RowDelta {
    const rows: number[] = [];
    for (let row = 0; row < this.ids.capacity; row++) {
      if (this.lastUpdated[row]! > mark && this.ids.idOf(row) !== -1) rows.push(row);
    }
    const vectors = new Float32Array(rows.length * this.dim);
    rows.forEach((row, i) => vectors.set(this.weights.subarray(row * this.dim, (row + 1) * this.dim), i * this.dim));
    return { ids: Int32Array.from(rows, (row) => this.ids.idOf(row)), vectors };
  }

  /**
   * Overwrites the vectors of `ids` (`ids.length * dim` floats, row after
   * row), creating rows for ids it lacks: how serving applies the rows an
   * online updater published. Optimizer state is left alone (serving never trains).
   */
  upsertRows(ids: Int32Array, vectors: Float32Array): void {
    const dim = this.dim;
    if (vectors.length !== ids.length * dim) {
      throw new NonRetriableError(`upsertRows needs ${ids.length * dim} floats for ${ids.length} rows of dim ${dim}, got ${vectors.length}`);
    }
    this.advance();
    this.edits++;
    for (let i = 0; i < ids.length; i++) {
      const row = this.publishedRow(ids[i]!, true);
      this.weights.set(vectors.subarray(i * dim, (i + 1) * dim), row * dim);
      this.lastUpdated[row] = this.currentMark;
    }
  }

  /**
   * Adds `increments` (`ids.length * dim` floats) to the vectors of `ids`,
   * creating rows it lacks from their initial vector, without stamping them
   * as updated: how an online updater takes in what another copy learned,
   * which that copy publishes itself.
   */
  addToRows(ids: Int32Array, increments: Float32Array): void {
    const dim = this.dim;
    if (increments.length !== ids.length * dim) {
      throw new NonRetriableError(`addToRows needs ${ids.length * dim} floats for ${ids.length} rows of dim ${dim}, got ${increments.length}`);
    }
    this.edits++;
    for (let i = 0; i < ids.length; i++) {
      const offset = this.publishedRow(ids[i]!, false) * dim;
      for (let k = 0; k < dim; k++) this.weights[offset + k]! += increments[i * dim + k]!;
    }
  }

  /** The vectors of `ids`, row after row; an id without a row is given one (its initial vector), as `upsertRows` would. */
  rowsOf(ids: Int32Array): Float32Array {
    const dim = this.dim;
    const out = new Float32Array(ids.length * dim);
    for (let i = 0; i < ids.length; i++) {
      const row = this.publishedRow(ids[i]!, false);
      out.set(this.weights.subarray(row * dim, (row + 1) * dim), i * dim);
    }
    return out;
  }

  /** Frees rows not updated after `mark` (stale ids); returns how many. */
  expire(mark: number): number {
    let freed = 0;
    for (let row = 0; row < this.ids.capacity; row++) {
      if (this.ids.idOf(row) !== -1 && this.lastUpdated[row]! <= mark) {
        this.ids.release(row);
        freed++;
      }
    }
    return freed;
  }

  /**
   * Removes `id`'s row for good: the row is freed and its weights and
   * optimizer state zeroed, so neither the table nor its export holds
   * anything learned from that id (user erasure). Returns whether it had a row.
   */
  forget(id: number): boolean {
    const row = this.ids.forget(id);
    if (row < 0) return false;
    this.edits++;
    this.weights.fill(0, row * this.dim, (row + 1) * this.dim);
    this.state.fill(0, row * this.stateWidth, (row + 1) * this.stateWidth);
    this.rowSteps[row] = 0;
    this.lastUpdated[row] = 0;
    return true;
  }

  export(): EmbeddingTableData {
    const rows = this.ids.capacity;
    return {
      dim: this.dim,
      ids: this.ids.exportIds(),
      weights: this.weights.slice(0, rows * this.dim),
      state: this.state.slice(0, rows * this.stateWidth),
      rowSteps: this.rowSteps.slice(0, rows),
      lastUpdated: this.lastUpdated.slice(0, rows),
      mark: this.currentMark,
    };
  }

  /**
   * The row of an id another table published, created if missing (that
   * table admitted the id already, so minCount does not apply again);
   * `stamp`: a created row counts as updated at the current mark.
   */
  private publishedRow(id: number, stamp: boolean): number {
    const { row, created } = this.ids.admit(id, true);
    if (created) this.initialiseRow(row, stamp ? this.currentMark : 0);
    return row;
  }

  /**
   * A new row's vector depends only on the table's seed and the id, not on
   * the order ids arrive in: an online updater restarted from a snapshot
   * creates exactly the rows an uninterrupted one would have.
   */
  private initialiseRow(row: number, updatedAt = this.currentMark): void {
    this.edits++;
    this.ensureCapacity(row + 1);
    const { dim, initScale, seed } = this.options;
    const random = createRandom(Math.imul(seed, 0x9e3779b1) ^ this.ids.idOf(row));
    for (let k = 0; k < dim; k++) this.weights[row * dim + k] = initScale === 0 ? 0 : initScale * random.normal();
    this.state.fill(this.optimizer.initialState, row * this.stateWidth, (row + 1) * this.stateWidth);
    this.rowSteps[row] = 0;
    this.lastUpdated[row] = updatedAt;
  }

  private ensureCapacity(rows: number): void {
    if (rows <= this.rowSteps.length) return;
    const capacity = Math.max(rows, this.rowSteps.length * 2);
    this.weights = grow(this.weights, capacity * this.dim);
    this.state = grow(this.state, capacity * this.stateWidth);
    this.rowSteps = grow(this.rowSteps, capacity);
    this.lastUpdated = grow(this.lastUpdated, capacity);
  }
}

function grow<T extends Float32Array | Uint32Array>(array: T, length: number): T {
  const next = new (array.constructor as new (n: number) => T)(length);
  next.set(array);
  return next;
}
