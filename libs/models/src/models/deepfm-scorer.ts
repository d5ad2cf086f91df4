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
    const fields = this.weights.fields;
    const first = layers[0]!;
    const width = first.outputs;
    const sum = new Float64Array(dim);
    const activations = layers.map((layer) => new Float64Array(layer.outputs));
    const lastRows = fields.map(() => ({ id: -2, row: -1, weightRow: -1 }));
    const out = new Float32Array(size);
    for (let i = 0; i < size; i++) {
      const hidden = activations[0]!;
      if (first.bias) for (let j = 0; j < width; j++) hidden[j] = first.bias[j]!;
      else hidden.fill(0);
      sum.fill(0);
      let squares = 0;
      let linear = this.bias;
      for (let f = 0; f < fields.length; f++) {
        const id = ids[f]![i]!;
        const { embedding, firstOrder } = fields[f]!;
        // Serving's candidates share the user and context ids: look each up once.
        const last = lastRows[f]!;
        if (last.id !== id) {
          last.id = id;
          last.row = embedding.row(id, false);
          last.weightRow = firstOrder.row(id, false);
        }
        if (last.weightRow >= 0) linear += firstOrder.vectors()[last.weightRow]!;
        const row = last.row;
        if (row < 0) continue;
        const vectors = embedding.vectors();
        for (let k = 0, at = row * dim; k < dim; k++, at++) {
          const value = vectors[at]!;
          sum[k]! += value;
          squares += value * value;
        }
        const projection = this.projection(f, row);
        const values = this.projections[f]!.values;
        for (let j = 0, at = projection; j < width; j++, at++) hidden[j]! += values[at]!;
      }
      let sumSquared = 0;
      for (let k = 0; k < dim; k++) sumSquared += sum[k]! * sum[k]!;
      let logit = linear + 0.5 * (sumSquared - squares);
      logit += this.deep(activations);
      out[i] = 1 / (1 + Math.exp(-logit));
    }
    return out;
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
