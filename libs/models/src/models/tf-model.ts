import * as tf from '@tensorflow/tfjs-core';
import { NonRetriableError } from '@recstream/platform';
import { assertKernels } from '../backend.js';
import { historyOf, type Batch, type FeatureSpec } from '../batch.js';
import { DenseParams, type ParamShape } from '../dense/dense-params.js';
import { GRADIENT_KERNELS, registerModelGradients } from '../dense/gradients.js';
import { DEFAULT_TRAIN_STEP_OPTIONS, isFieldTable, type CommonConfig, type DenseWeights, type ModelArtifact, type ModelKind, type RecModel, type TrainStepOptions } from '../model.js';
import { EmbeddingTable, type EmbeddingTableData } from '../sparse/embedding-table.js';

/** Ids to gather from one table; the model receives them as a `[ids.length, dim]` tensor. */
export interface Lookup {
  table: string;
  ids: Int32Array;
}

export interface TableShape {
  name: string;
  dim: number;
}

/** What a model's forward pass returns: logits per sample and an optional extra loss (DIEN's auxiliary loss). */
export interface ForwardResult {
  logits: tf.Tensor1D;
  extraLoss?: tf.Scalar;
}

/** Kernels every tfjs model runs (forward, loss, gradients and the Adam update). */
export const BASE_KERNELS = [
  'Add', 'BatchMatMul', 'Concat', 'Identity', 'Mean', 'Multiply', 'Neg', 'RealDiv', 'Relu', 'Reshape', 'Sigmoid',
  'Softplus', 'Sqrt', 'Square', 'Sub', 'Sum', 'ZerosLike', '_FusedMatMul',
];

/**
 * Shared machinery of the tfjs models: embedding rows are gathered from
 * sparse tables into plain input tensors, tfjs differentiates the loss with
 * respect to those inputs and the dense variables, dense variables step with
 * Adam and row gradients are scattered back through the sparse optimizer.
 */
export abstract class TfModel<Config extends CommonConfig> implements RecModel {
  /** Every kernel training and scoring run, checked against the backend before anything runs. */
  readonly kernels: readonly string[];
  protected readonly params: DenseParams;
  private readonly sparse = new Map<string, EmbeddingTable>();
  private readonly denseOptimizer: tf.Optimizer;
  private denseEdits = 0;

  protected constructor(
    readonly kind: ModelKind,
    readonly config: Config,
    readonly spec: FeatureSpec,
    shapes: { tables: TableShape[]; dense: ParamShape[]; kernels: readonly string[] },
    artifact?: ModelArtifact,
  ) {
    registerModelGradients();
    this.kernels = [...BASE_KERNELS, ...GRADIENT_KERNELS, ...shapes.kernels];
    assertKernels(this.kernels, kind);
    shapes.tables.forEach((table, i) => {
      const data: EmbeddingTableData | undefined = artifact?.tables[table.name];
      if (artifact && !data) throw new NonRetriableError(`artifact of ${kind} lacks table ${table.name}`);
      this.sparse.set(
        table.name,
        new EmbeddingTable(
          {
            dim: table.dim,
            minCount: config.minIdCount,
            seed: config.seed + i + 1,
            optimizer: { type: config.sparseOptimizer, learningRate: config.sparseLearningRate, l2: config.l2 },
          },
          data,
        ),
      );
    });
    this.params = new DenseParams(shapes.dense, config.seed, artifact?.dense);
    this.denseOptimizer = tf.train.adam(config.denseLearningRate);
  }

  /** Which ids to gather for this batch; `forward` receives them in this order. */
  protected abstract lookups(batch: Batch, training: boolean): Lookup[];

  /** Logits from the gathered embeddings; runs inside a tidy and, in training, a gradient tape. */
  protected abstract forward(embedded: tf.Tensor2D[], batch: Batch, training: boolean): ForwardResult;

  trainStep(batch: Batch, options: Partial<TrainStepOptions> = {}): number {
    const { dense, sgdLearningRate, sparse } = { ...DEFAULT_TRAIN_STEP_OPTIONS, ...options };
    const { loss, gathered, grads } = this.differentiate(batch, dense !== 'frozen');
    // Rows step on the gradient of the summed loss, so their step size does
    // not shrink with the batch size (per-row Adagrad/Adam state then scales it).
    gathered.forEach((g, i) => {
      if (sparse === 'ids' && isFieldTable(g.name)) return;
      g.table.applyGradients(g.rows, grads[i]!.dataSync() as Float32Array, batch.size);
    });
    const denseGrads = grads.slice(gathered.length);
    if (dense !== 'frozen') this.denseEdits++;
    if (dense === 'optimizer') {
      this.denseOptimizer.applyGradients(this.params.list().map((variable, i) => ({ name: variable.name, tensor: denseGrads[i]! })));
    } else if (dense === 'sgd') this.sgdStep(denseGrads, sgdLearningRate);
    tf.dispose(grads);
    return loss;
  }

  assignDense(weights: DenseWeights): void {
    this.denseEdits++;
    for (const [name, { values }] of Object.entries(weights)) this.params.assign(name, values);
  }

  /**
   * The batch's mean loss and its gradient for every gathered embedding
   * position, without updating anything: for gradient checks and diagnostics.
   */
  sparseGradients(batch: Batch): { loss: number; lookups: { table: string; rows: Int32Array; grads: Float32Array }[] } {
    const { loss, gathered, grads } = this.differentiate(batch);
    const lookups = gathered.map((g, i) => ({ table: g.name, rows: g.rows, grads: Float32Array.from(grads[i]!.dataSync()) }));
    tf.dispose(grads);
    return { loss, lookups };
  }

  /** The batch's mean training loss (including any auxiliary loss) at the current weights. */
  loss(batch: Batch): number {
    const labels = this.labelsOf(batch);
    const gathered = this.gather(this.lookups(batch, true), false);
    const value = tf.tidy(() => this.objective(gathered.map((g) => g.tensor), batch, labels));
    const loss = value.dataSync()[0]!;
    tf.dispose([value, ...gathered.map((g) => g.tensor)]);
    return loss;
  }

  score(batch: Batch): Float32Array {
    return this.inference(this.lookups(batch, false), (embedded) => tf.sigmoid(this.forward(embedded, batch, false).logits));
  }

  tables(): ReadonlyMap<string, EmbeddingTable> {
    return this.sparse;
  }

  toArtifact(): ModelArtifact {
    const tables: Record<string, EmbeddingTableData> = {};
    for (const [name, table] of this.sparse) tables[name] = table.export();
    return { kind: this.kind, config: { ...this.config } as Record<string, unknown>, spec: this.spec, dense: this.params.export(), tables };
  }

  dispose(): void {
    this.params.dispose();
    this.denseOptimizer.dispose();
  }

  /** Increases whenever a table row or a dense weight may have changed: lets a subclass cache what it derives from them. */
  protected edits(): number {
    let edits = this.denseEdits;
    for (const table of this.sparse.values()) edits += table.editCount;
    return edits;
  }

  protected table(name: string): EmbeddingTable {
    const table = this.sparse.get(name);
    if (!table) throw new NonRetriableError(`${this.kind} has no table ${name}`);
    return table;
  }

  /** Runs `compute` on gathered rows without creating any, and returns its values. */
  protected inference(lookups: Lookup[], compute: (embedded: tf.Tensor2D[]) => tf.Tensor): Float32Array {
    const gathered = this.gather(lookups, false);
    const result = tf.tidy(() => this.params.readOnly(() => compute(gathered.map((g) => g.tensor))));
    const out = Float32Array.from(result.dataSync());
    tf.dispose([result, ...gathered.map((g) => g.tensor)]);
    return out;
  }

  private gather(lookups: Lookup[], create: boolean) {
    return lookups.map(({ table: name, ids }) => {
      const table = this.table(name);
      const values = new Float32Array(ids.length * table.dim);
      const rows = new Int32Array(ids.length);
      table.gather(ids, create, values, rows);
      return { name, table, rows, tensor: tf.tensor2d(values, [ids.length, table.dim]) };
    });
  }

  private labelsOf(batch: Batch): Float32Array {
    if (!batch.labels) throw new NonRetriableError(`${this.kind} needs labels to train`);
    return batch.labels;
  }

  private objective(embedded: tf.Tensor2D[], batch: Batch, labels: Float32Array): tf.Scalar {
    const result = this.forward(embedded, batch, true);
    const loss = sigmoidCrossEntropy(result.logits, tf.tensor1d(labels));
    return result.extraLoss ? tf.add(loss, result.extraLoss) : loss;
  }

  /** Stateless gradient descent: each variable moves by `-rate * gradient`. */
  private sgdStep(grads: tf.Tensor[], rate: number): void {
    tf.tidy(() => {
      const variables = this.params.list();
      grads.forEach((grad, i) => variables[i]!.assign(tf.sub(variables[i]!, tf.mul(grad, tf.scalar(rate)))));
    });
  }

  /** Loss and gradients for the gathered inputs then (with `withDense`) the dense variables, in that order. */
  private differentiate(batch: Batch, withDense = true) {
    const labels = this.labelsOf(batch);
    const gathered = this.gather(this.lookups(batch, true), true);
    const inputs = gathered.map((g) => g.tensor);
    const { value, grads } = tf.tidy(() =>
      tf.valueAndGrads((...xs: tf.Tensor[]) => this.objective(xs.slice(0, inputs.length) as tf.Tensor2D[], batch, labels))([
        ...inputs,
        ...(withDense ? this.params.list() : []),
      ]),
    );
    const loss = value.dataSync()[0]!;
    tf.dispose([value, ...inputs]);
    return { loss, gathered, grads };
  }
}

/** Mean binary cross-entropy from logits: softplus(x) - x * y, which tfjs's softplus keeps stable. */
export function sigmoidCrossEntropy(logits: tf.Tensor1D, labels: tf.Tensor1D): tf.Scalar {
  return tf.mean(tf.sub(tf.softplus(logits), tf.mul(logits, labels)));
}

/** A `[batch, historyLength, 1]` float mask: 1 where the history position holds an item. */
export function historyMask(batch: Batch, length: number): tf.Tensor3D {
  const ids = historyOf(batch, length);
  return tf.tensor3d(Float32Array.from(ids, (id) => (id >= 0 ? 1 : 0)), [batch.size, length, 1]);
}
