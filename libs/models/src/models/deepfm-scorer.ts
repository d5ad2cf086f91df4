import type { EmbeddingTable } from '../sparse/embedding-table.js';

/** What the scorer reads from a DeepFM model: its field tables, its dense weights and when either last changed. */
export interface DeepFmWeights {
  /** Per field, the embedding table and the first-order (dim 1) table. */
  fields: readonly { embedding: EmbeddingTable; firstOrder: EmbeddingTable }[];
  /** Dense weights by name as row-major floats: `deep.${i}.w|b`, `deep_out.w`, `bias`. */
  dense(name: string): Float32Array;
  /** Increases whenever a table row or a dense weight may have changed. */
  edits(): number;
  hiddenLayers: number;
}

/** One row's running sums: the first layer's inputs, FM's vector sum and sum of squares, the first-order logit. */
interface Sums {
  hidden: Float64Array;
  sum: Float64Array;
  squares: number;
  linear: number;
}

interface Layer {
  weight: Float32Array;
  bias?: Float32Array;
  inputs: number;
  outputs: number;
}

/**
 * DeepFM's forward pass for scoring, in typed-array loops instead of tfjs
 * kernels: at serving's batch sizes the kernels' dispatch and copies cost
 * more than the arithmetic. The first layer after the embeddings is linear
 * in each field's vector, so every row's product with its field's block of
 * that layer is computed once and cached until the model changes; a
 * candidate then costs one vector sum per field plus the narrow layers.
 * Fields whose id every row of a batch shares (serving's user and request
 * context) are summed once per batch: float32 terms in float64 sums, so
 * the changed order leaves scores as they were (the spec checks each row
 * against the row scored alone).
 */
export class DeepFmScorer {
  private readonly dim: number;
  private readonly projections: { values: Float32Array; stamps: Uint32Array }[];
  private layers: Layer[] = [];
  private bias = 0;
  private seenEdits = -1;
  /** Cached projections are valid when stamped with this. */
  private stamp = 0;

  constructor(private readonly weights: DeepFmWeights) {
    this.dim = weights.fields[0]!.embedding.dim;
    this.projections = weights.fields.map(() => ({ values: new Float32Array(0), stamps: new Uint32Array(0) }));
  }

  /** Click probabilities for a batch whose field `f` holds the ids `ids[f]`. */
  score(size: number, ids: readonly Int32Array[]): Float32Array {
    this.refresh();
    const { dim, layers } = this;
    const first = layers[0]!;
    const activations = layers.map((layer) => new Float64Array(layer.outputs));
    // Serving's candidates share the user and the request's context: their fields' share of each sum is taken once per batch.
    const shared = { hidden: new Float64Array(first.outputs), sum: new Float64Array(dim), squares: 0, linear: this.bias };
    if (first.bias) shared.hidden.set(first.bias);
    const varying: number[] = [];
    ids.forEach((column, f) => {
      if (size > 0 && column.every((id) => id === column[0])) this.addField(f, column[0]!, shared);
      else varying.push(f);
    });
    const row = { hidden: activations[0]!, sum: new Float64Array(dim), squares: 0, linear: 0 };
    const out = new Float32Array(size);
    for (let i = 0; i < size; i++) {
      row.hidden.set(shared.hidden);
      row.sum.set(shared.sum);
      row.squares = shared.squares;
      row.linear = shared.linear;
      for (const f of varying) this.addField(f, ids[f]![i]!, row);
      let sumSquared = 0;
      for (let k = 0; k < dim; k++) sumSquared += row.sum[k]! * row.sum[k]!;
      const logit = row.linear + 0.5 * (sumSquared - row.squares) + this.deep(activations);
      out[i] = 1 / (1 + Math.exp(-logit));
    }
    return out;
  }

  /** Adds field `f`'s id `id` to the sums of a row: its first-order weight, its vector and its block of the first layer. */
  private addField(f: number, id: number, into: Sums): void {
    const { embedding, firstOrder } = this.weights.fields[f]!;
    const weightRow = firstOrder.row(id, false);
    if (weightRow >= 0) into.linear += firstOrder.vectors()[weightRow]!;
    const row = embedding.row(id, false);
    if (row < 0) return;
    const { dim } = this;
    const vectors = embedding.vectors();
    const { sum, hidden } = into;
    for (let k = 0, at = row * dim; k < dim; k++, at++) {
      const value = vectors[at]!;
      sum[k]! += value;
      into.squares += value * value;
    }
    const projection = this.projection(f, row);
    const values = this.projections[f]!.values;
    for (let j = 0, at = projection; j < hidden.length; j++, at++) hidden[j]! += values[at]!;
  }

  /** The MLP above the first layer's sums, ending in the single deep output. */
  private deep(activations: Float64Array[]): number {
    const { layers } = this;
    if (layers.length === 1) return activations[0]![0]!;
    for (let l = 1; l < layers.length; l++) {
      const input = activations[l - 1]!;
      for (let j = 0; j < input.length; j++) if (input[j]! < 0) input[j] = 0;
      const { weight, bias, outputs } = layers[l]!;
      const output = activations[l]!;
      for (let j = 0; j < outputs; j++) output[j] = bias ? bias[j]! : 0;
      for (let k = 0; k < input.length; k++) {
        const value = input[k]!;
        if (value === 0) continue;
        for (let j = 0, at = k * outputs; j < outputs; j++, at++) output[j]! += value * weight[at]!;
      }
    }
    return activations[layers.length - 1]![0]!;
  }

  /** Offset in field `f`'s cache of `row`'s product with the field's block of the first layer, computed if stale. */
  private projection(f: number, row: number): number {
    const cache = this.projections[f]!;
    const { weight, outputs } = this.layers[0]!;
    if (row >= cache.stamps.length) {
      const rows = Math.max(row + 1, cache.stamps.length * 2, 64);
      const values = new Float32Array(rows * outputs);
      values.set(cache.values);
      const stamps = new Uint32Array(rows);
      stamps.set(cache.stamps);
      cache.values = values;
      cache.stamps = stamps;
    }
    const offset = row * outputs;
    if (cache.stamps[row] === this.stamp) return offset;
    const vectors = this.weights.fields[f]!.embedding.vectors();
    const dim = this.dim;
    cache.values.fill(0, offset, offset + outputs);
    for (let k = 0; k < dim; k++) {
      const value = vectors[row * dim + k]!;
      for (let j = 0, at = (f * dim + k) * outputs; j < outputs; j++, at++) cache.values[offset + j]! += value * weight[at]!;
    }
    cache.stamps[row] = this.stamp;
    return offset;
  }

  /** Rereads the dense weights and invalidates every cached projection when the model has changed. */
  private refresh(): void {
    const edits = this.weights.edits();
    if (edits === this.seenEdits) return;
    this.seenEdits = edits;
    this.stamp++;
    const { dense, hiddenLayers, fields } = this.weights;
    const layers: Layer[] = [];
    let inputs = fields.length * this.dim;
    for (let i = 0; i < hiddenLayers; i++) {
      const bias = dense(`deep.${i}.b`);
      layers.push({ weight: dense(`deep.${i}.w`), bias, inputs, outputs: bias.length });
      inputs = bias.length;
    }
    layers.push({ weight: dense('deep_out.w'), inputs, outputs: 1 });
    this.layers = layers;
    this.bias = dense('bias')[0]!;
  }
}
