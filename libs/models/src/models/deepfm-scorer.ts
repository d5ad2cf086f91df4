import { SIMD_DENSE_BLOCK, SimdDense } from '../dense/simd-dense.js';
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

/** The running sums of the fields a batch's rows share: the first layer's inputs, FM's vector sum and sum of squares, the first-order logit. */
interface Sums {
  hidden: Float64Array;
  sum: Float64Array;
  squares: number;
  linear: number;
}

interface Layer {
  weight: Float32Array;
  /** `weight` transposed (output-major), so an output's sum runs along one row in a local variable. */
  byOutput: Float32Array;
  bias?: Float32Array;
  inputs: number;
  outputs: number;
  /** Where the layer runs in the SIMD kernel: its weights and bias in the kernel's memory. */
  simd?: { weight: Float64Array; bias: Float64Array };
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
 * against the row scored alone). The hidden layers above the first run in
 * a WebAssembly SIMD kernel (SimdDense) where their width suits it, the
 * rest over four rows at once, each weight read once for the four; every
 * sum still adds its terms in the order a row alone would.
 */
export class DeepFmScorer {
  private readonly dim: number;
  private readonly projections: { values: Float32Array; stamps: Uint32Array }[];
  private layers: Layer[] = [];
  private bias = 0;
  private seenEdits = -1;
  /** Cached projections are valid when stamped with this. */
  private stamp = 0;
  /** Scratch kept between calls, sized for `capacity` rows: each layer's outputs row after row, and each row's first-order and FM logit. */
  private capacity = 0;
  private activations: Float64Array[] = [];
  /** The SIMD kernel and its memory, which holds the activations and the weights of the layers it runs. */
  private readonly simd = new SimdDense();
  private partial = new Float64Array(0);
  private readonly shared: Sums;
  /** Scratch for one row: FM's vector sum, the fields that vary across the batch, and the projections of that row's fields. */
  private readonly sum: Float64Array;
  private readonly varying: Int32Array;
  private readonly sources: Float32Array[];
  private readonly offsets: Int32Array;

  constructor(private readonly weights: DeepFmWeights) {
    this.dim = weights.fields[0]!.embedding.dim;
    this.projections = weights.fields.map(() => ({ values: new Float32Array(0), stamps: new Uint32Array(0) }));
    this.shared = { hidden: new Float64Array(0), sum: new Float64Array(this.dim), squares: 0, linear: 0 };
    this.sum = new Float64Array(this.dim);
    this.varying = new Int32Array(weights.fields.length);
    this.sources = weights.fields.map(() => new Float32Array(0));
    this.offsets = new Int32Array(weights.fields.length);
  }

  /** Click probabilities for a batch whose field `f` holds the ids `ids[f]`. */
  score(size: number, ids: readonly Int32Array[]): Float32Array {
    this.refresh();
    this.reserve(size);
    const { dim, layers, shared, sum, varying, sources, offsets, partial } = this;
    const width = layers[0]!.outputs;
    const hidden = this.activations[0]!;
    // Serving's candidates share the user and the request's context: their fields' share of each sum is taken once per batch.
    const firstBias = layers[0]!.bias;
    if (firstBias) shared.hidden.set(firstBias);
    else shared.hidden.fill(0);
    shared.sum.fill(0);
    shared.squares = 0;
    shared.linear = this.bias;
    let varyingCount = 0;
    for (let f = 0; f < ids.length; f++) {
      const column = ids[f]!;
      if (size > 0 && isConstant(column, size)) this.addField(f, column[0]!, shared);
      else varying[varyingCount++] = f;
    }
    for (let i = 0; i < size; i++) {
      sum.set(shared.sum);
      let squares = shared.squares;
      let linear = shared.linear;
      let projected = 0;
      for (let v = 0; v < varyingCount; v++) {
        const f = varying[v]!;
        const id = ids[f]![i]!;
        const { embedding, firstOrder } = this.weights.fields[f]!;
        const weightRow = firstOrder.row(id, false);
        if (weightRow >= 0) linear += firstOrder.vectors()[weightRow]!;
        const row = embedding.row(id, false);
        if (row < 0) continue;
        const vectors = embedding.vectors();
        for (let k = 0, at = row * dim; k < dim; k++, at++) {
          const value = vectors[at]!;
          sum[k]! += value;
          squares += value * value;
        }
        offsets[projected] = this.projection(f, row);
        sources[projected++] = this.projections[f]!.values;
      }
      // Each input of the first layer: the shared fields' sum, then this row's fields in field order.
      const start = i * width;
      hidden.set(shared.hidden, start);
      // Two fields per pass, added one after the other as a pass per field would: half the loads and stores of `hidden`.
      let p = 0;
      for (; p + 2 <= projected; p += 2) {
        const first = sources[p]!;
        const second = sources[p + 1]!;
        for (let j = start, at = offsets[p]!, bt = offsets[p + 1]!, end = start + width; j < end; j++, at++, bt++) hidden[j] = hidden[j]! + first[at]! + second[bt]!;
      }
      for (; p < projected; p++) {
        const values = sources[p]!;
        for (let j = start, at = offsets[p]!, end = start + width; j < end; j++, at++) hidden[j]! += values[at]!;
      }
      let sumSquared = 0;
      for (let k = 0; k < dim; k++) sumSquared += sum[k]! * sum[k]!;
      partial[i] = linear + 0.5 * (sumSquared - squares);
    }
    const deep = this.deep(size);
    const out = new Float32Array(size);
    for (let i = 0; i < size; i++) out[i] = 1 / (1 + Math.exp(-(partial[i]! + deep[i]!)));
    return out;
  }

  /** Adds field `f`'s id `id` to the shared sums: its first-order weight, its vector and its block of the first layer. */
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

  /** The MLP above the first layer's sums of `size` rows, ending in each row's single deep output. */
  private deep(size: number): Float64Array {
    const { layers, activations } = this;
    for (let l = 1; l < layers.length; l++) {
      const input = activations[l - 1]!;
      const layer = layers[l]!;
      // The kernel takes the ReLU of its inputs as it reads them.
      if (layer.simd) {
        this.simd.multiply(input, size, layer.simd.weight, layer.simd.bias, layer.inputs, layer.outputs, activations[l]!);
        continue;
      }
      const end = size * layer.inputs;
      for (let j = 0; j < end; j++) if (input[j]! < 0) input[j] = 0;
      multiply(input, size, layer, activations[l]!);
    }
    return activations[layers.length - 1]!;
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
      const weight = dense(`deep.${i}.w`);
      layers.push({ weight, byOutput: transpose(weight, inputs, bias.length), bias, inputs, outputs: bias.length });
      inputs = bias.length;
    }
    const out = dense('deep_out.w');
    layers.push({ weight: out, byOutput: out, inputs, outputs: 1 });
    this.layers = layers;
    this.bias = dense('bias')[0]!;
    if (this.shared.hidden.length !== layers[0]!.outputs) this.shared.hidden = new Float64Array(layers[0]!.outputs);
    this.capacity = 0;
    this.reserve(1);
  }

  /** Grows the per-row scratch to hold `size` rows. */
  private reserve(size: number): void {
    if (size <= this.capacity) return;
    const capacity = Math.max(size, this.capacity * 2);
    this.layOut(capacity);
    this.partial = new Float64Array(capacity);
    this.capacity = capacity;
  }

  /** Places the activations for `capacity` rows, and the weights of the layers the kernel runs, in the kernel's memory. */
  private layOut(capacity: number): void {
    const { layers } = this;
    const kernelLayers = layers.filter((layer, l) => l > 0 && layer.bias && layer.outputs % SIMD_DENSE_BLOCK === 0);
    const arrays = this.simd.allocate([
      ...layers.map((layer) => capacity * layer.outputs),
      ...kernelLayers.flatMap((layer) => [layer.weight.length, layer.outputs]),
    ]);
    this.activations = arrays.slice(0, layers.length);
    kernelLayers.forEach((layer, i) => {
      const [weight, bias] = arrays.slice(layers.length + 2 * i);
      weight!.set(layer.weight);
      bias!.set(layer.bias!);
      layer.simd = { weight: weight!, bias: bias! };
    });
  }
}

/**
 * `output` = `input` times the layer's weights plus its bias, for `rows`
 * rows: four rows at a time, so each weight is read once per four rows, and
 * each output's terms are added in the order of its inputs.
 */
function multiply(input: Float64Array, rows: number, layer: Layer, output: Float64Array): void {
  const { byOutput, bias, inputs, outputs } = layer;
  let r = 0;
  for (; r + 4 <= rows; r += 4) {
    const a0 = r * inputs;
    const a1 = a0 + inputs;
    const a2 = a1 + inputs;
    const a3 = a2 + inputs;
    const o0 = r * outputs;
    for (let j = 0; j < outputs; j++) {
      const start = bias ? bias[j]! : 0;
      let s0 = start;
      let s1 = start;
      let s2 = start;
      let s3 = start;
      for (let k = 0, at = j * inputs; k < inputs; k++, at++) {
        const w = byOutput[at]!;
        s0 += input[a0 + k]! * w;
        s1 += input[a1 + k]! * w;
        s2 += input[a2 + k]! * w;
        s3 += input[a3 + k]! * w;
      }
      output[o0 + j] = s0;
      output[o0 + outputs + j] = s1;
      output[o0 + 2 * outputs + j] = s2;
      output[o0 + 3 * outputs + j] = s3;
    }
  }
  for (; r < rows; r++) {
    const a = r * inputs;
    for (let j = 0; j < outputs; j++) {
      let s = bias ? bias[j]! : 0;
      for (let k = 0, at = j * inputs; k < inputs; k++, at++) s += input[a + k]! * byOutput[at]!;
      output[r * outputs + j] = s;
    }
  }
}

/** A row-major `rows` x `columns` matrix as column-major. */
function transpose(matrix: Float32Array, rows: number, columns: number): Float32Array {
  const out = new Float32Array(matrix.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < columns; c++) out[c * rows + r] = matrix[r * columns + c]!;
  return out;
}

/** Whether the first `size` ids of `column` are all one id. */
function isConstant(column: Int32Array, size: number): boolean {
  const id = column[0];
  for (let i = 1; i < size; i++) if (column[i] !== id) return false;
  return true;
}
