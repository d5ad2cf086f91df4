import { deserializeModel, serializeModel, type RecModel } from '@recstream/models';
import { NonRetriableError } from '@recstream/platform';
import { SampleEncoder, type EncodableRow, type EncoderState } from './encoder.js';

/**
 * A model with the encoder it was trained with: the unit the registry stores
 * and serving, the online updater and evaluation load, so every host maps
 * ids and context exactly as training did.
 */
export class ModelBundle {
  constructor(
    readonly model: RecModel,
    readonly encoder: SampleEncoder,
  ) {}

  /** Probability of a positive for each row; unknown users/items score from zero vectors. */
  score(rows: readonly EncodableRow[]): Float32Array {
    return this.model.score(this.encoder.encode(rows, { grow: false }));
  }

  dispose(): void {
    this.model.dispose();
  }
}

const MAGIC = 'RSB1';

/** Layout: 'RSB1', u32 header length, JSON encoder state, then the model artifact bytes. */
export function encodeBundle(bundle: ModelBundle): Uint8Array {
  const header = Buffer.from(JSON.stringify(bundle.encoder.state()));
  const model = serializeModel(bundle.model);
  const out = Buffer.alloc(8 + header.length + model.byteLength);
  out.write(MAGIC, 0, 'ascii');
  out.writeUInt32LE(header.length, 4);
  header.copy(out, 8);
  out.set(model, 8 + header.length);
  return out;
}

export function decodeBundle(bytes: Uint8Array): ModelBundle {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buffer.toString('ascii', 0, 4) !== MAGIC) {
    throw new NonRetriableError('not a recstream model bundle (bad magic); was it registered by the trainer?');
  }
  const headerLength = buffer.readUInt32LE(4);
  const state = JSON.parse(buffer.toString('utf8', 8, 8 + headerLength)) as EncoderState;
  const model = deserializeModel(buffer.subarray(8 + headerLength));
  return new ModelBundle(model, new SampleEncoder(state.spec, state));
}
