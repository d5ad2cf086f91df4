/**
 * A dense layer's forward pass (`output = relu(input) · weight + bias`,
 * row-major float64) in WebAssembly SIMD, for the scorers' narrow layers:
 * two outputs per instruction, where the typed-array loops do one. Each
 * output still starts from its bias and adds `x * w` in input order, one
 * multiply and one add each, so results are bitwise those of the plain loop
 * (simd-dense.spec.ts). The module is assembled here, byte by byte: it
 * is one small function, and a toolchain for it would outweigh it.
 */

/** Output columns one pass of the kernel covers: layers whose width is a multiple of this can use it. */
export const SIMD_DENSE_BLOCK = 8;

const PAGE_BYTES = 65_536;
const F64 = 8;

/** An unsigned LEB128 number, as the wasm binary format writes indices, sizes and offsets. */
function leb(value: number): number[] {
  const bytes: number[] = [];
  do {
    let byte = value & 0x7f;
    value >>>= 7;
    if (value !== 0) byte |= 0x80;
    bytes.push(byte);
  } while (value !== 0);
  return bytes;
}

const section = (id: number, body: number[]) => [id, ...leb(body.length), ...body];
const name = (text: string) => [...leb(text.length), ...Array.from(text, (c) => c.charCodeAt(0))];

// Opcodes (WebAssembly core spec and its fixed-width SIMD proposal).
const BLOCK = 0x02;
const LOOP = 0x03;
const VOID = 0x40;
const END = 0x0b;
const BR = 0x0c;
const BR_IF = 0x0d;
const SELECT = 0x1b;
const GET = 0x20;
const SET = 0x21;
const F64_LOAD = 0x2b;
const I32_CONST = 0x41;
const F64_CONST = 0x44;
const I32_GE_U = 0x4f;
const F64_LT = 0x63;
const I32_ADD = 0x6a;
const I32_MUL = 0x6c;
const SIMD = 0xfd;
const V128_LOAD = [SIMD, 0x00];
const V128_STORE = [SIMD, 0x0b];
const F64X2_SPLAT = [SIMD, 0x14];
const F64X2_ADD = [SIMD, ...leb(0xf0)];
const F64X2_MUL = [SIMD, ...leb(0xf2)];
const I32 = 0x7f;
const F64_TYPE = 0x7c;
const V128 = 0x7b;

// dense(input, rows, weight, bias, inputs, outputs, output): byte offsets and counts, all i32.
const [INPUT, ROWS, WEIGHT, BIAS, INPUTS, OUTPUTS, OUTPUT] = [0, 1, 2, 3, 4, 5, 6];
const [R, J, K, X_AT, W_AT, AT] = [7, 8, 9, 10, 11, 12];
const X = 13;
const [ACC0, XS] = [14, 18];

const get = (local: number) => [GET, local];
const set = (local: number, ...value: number[]) => [...value, SET, local];
const i32 = (value: number) => [I32_CONST, ...leb(value)];
const add = (...operands: number[][]) => operands.reduce((sum, operand) => [...sum, ...operand, I32_ADD]);
const times = (a: number[], b: number[]) => [...a, ...b, I32_MUL];
const memarg = (offset: number) => [3, ...leb(offset)];
/** `while (counter < limit) { body; counter += 1 }`, with `counter` set to 0 first. */
const loopUpTo = (counter: number, limit: number, step: number, body: number[]) => [
  ...set(counter, ...i32(0)),
  BLOCK, VOID, LOOP, VOID,
  ...get(counter), ...get(limit), I32_GE_U, BR_IF, 1,
  ...body,
  ...set(counter, ...add(get(counter), i32(step))),
  BR, 0, END, END,
];
const lanes = [0, 1, 2, 3];

const kernelBody = [
  // Locals after the 7 parameters: r, j, k, x_at, w_at, at (i32); x (f64); acc0..3, xs (v128).
  3, 6, I32, 1, F64_TYPE, 5, V128,
  ...loopUpTo(R, ROWS, 1, [
    ...loopUpTo(J, OUTPUTS, SIMD_DENSE_BLOCK, [
      // Each pair of outputs starts from its biases.
      ...set(AT, ...add(get(BIAS), times(get(J), i32(F64)))),
      ...lanes.flatMap((lane) => set(ACC0 + lane, ...get(AT), ...V128_LOAD, ...memarg(16 * lane))),
      ...set(X_AT, ...add(get(INPUT), times(times(get(R), get(INPUTS)), i32(F64)))),
      ...set(W_AT, ...add(get(WEIGHT), times(get(J), i32(F64)))),
      ...loopUpTo(K, INPUTS, 1, [
        // x = input < 0 ? 0 : input (ReLU of the layer below, NaN kept), then the same x for every output.
        ...set(X, ...get(X_AT), F64_LOAD, ...memarg(0)),
        F64_CONST, 0, 0, 0, 0, 0, 0, 0, 0, ...get(X), ...get(X), F64_CONST, 0, 0, 0, 0, 0, 0, 0, 0, F64_LT, SELECT,
        ...set(XS, ...F64X2_SPLAT),
        ...lanes.flatMap((lane) => set(ACC0 + lane, ...get(ACC0 + lane), ...get(XS), ...get(W_AT), ...V128_LOAD, ...memarg(16 * lane), ...F64X2_MUL, ...F64X2_ADD)),
        ...set(X_AT, ...add(get(X_AT), i32(F64))),
        ...set(W_AT, ...add(get(W_AT), times(get(OUTPUTS), i32(F64)))),
      ]),
      ...set(AT, ...add(get(OUTPUT), times(add(times(get(R), get(OUTPUTS)), get(J)), i32(F64)))),
      ...lanes.flatMap((lane) => [...get(AT), ...get(ACC0 + lane), ...V128_STORE, ...memarg(16 * lane)]),
    ]),
  ]),
  END,
];

const MODULE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
  ...section(1, [1, 0x60, 7, ...Array<number>(7).fill(I32), 0]),
  ...section(2, [1, ...name('env'), ...name('memory'), 0x02, 0x00, 1]),
  ...section(3, [1, 0]),
  ...section(7, [1, ...name('dense'), 0x00, 0]),
  ...section(10, [1, ...leb(kernelBody.length), ...kernelBody]),
]);

/** The part of the WebAssembly JS API used here: the compiler's libs (ES2022, node) declare none of it. */
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: { env: { memory: WasmMemory } }) => { exports: Record<string, unknown> };
  Memory: new (descriptor: { initial: number }) => WasmMemory;
}
const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

let compiled: object | undefined;

/**
 * Float64 arrays in one WebAssembly memory and the kernel over them. The
 * arrays are laid out together (`allocate`), since growing the memory
 * detaches every view of it.
 */
export class SimdDense {
  private readonly memory = new wasm.Memory({ initial: 1 });
  private readonly kernel: (input: number, rows: number, weight: number, bias: number, inputs: number, outputs: number, output: number) => void;

  constructor() {
    compiled ??= new wasm.Module(MODULE);
    const instance = new wasm.Instance(compiled, { env: { memory: this.memory } });
    this.kernel = instance.exports.dense as SimdDense['kernel'];
  }

  /** Zeroed arrays of the given lengths in the kernel's memory; arrays from earlier calls may no longer be valid. */
  allocate(lengths: readonly number[]): Float64Array[] {
    const bytes = lengths.reduce((sum, length) => sum + length * F64, 0);
    const pages = Math.ceil(bytes / PAGE_BYTES) - this.memory.buffer.byteLength / PAGE_BYTES;
    if (pages > 0) this.memory.grow(pages);
    new Uint8Array(this.memory.buffer, 0, bytes).fill(0);
    let offset = 0;
    return lengths.map((length) => {
      const array = new Float64Array(this.memory.buffer, offset, length);
      offset += length * F64;
      return array;
    });
  }

  /**
   * `output` = relu(`input`) times `weight` (`inputs` x `outputs`, row-major)
   * plus `bias`, for `rows` rows; every array from `allocate`, `outputs` a
   * multiple of SIMD_DENSE_BLOCK.
   */
  multiply(input: Float64Array, rows: number, weight: Float64Array, bias: Float64Array, inputs: number, outputs: number, output: Float64Array): void {
    this.kernel(input.byteOffset, rows, weight.byteOffset, bias.byteOffset, inputs, outputs, output.byteOffset);
  }
}
