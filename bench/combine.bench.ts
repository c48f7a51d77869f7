// linearCombine (the combine kernel, asm/combine.ts) against the per-term loop it replaced (one
// mulScalarShoup / mulAddScalarShoup call per term: a full reduction and a read-modify-write of
// the output per term), on the shapes of batch-packed networks at N = 2^13: a dense layer
// 845 -> 100 and a convolution (29 x 29 input, 5 x 5 kernel, stride 2, 5 filters: 845 rows of 25
// terms). One polynomial per call; medians; ns per coefficient-term = time / (entries N limbs).
//   npm run bench:combine [-- --json FILE] [-- --quick] [-- --limbs 5,7] [-- --scalar]
import { WasmHeap, type KernelBuild } from "../engine/index.js";
import {
  EncodedMatrix, Ring, fillUniform, generateNttPrimes, linearCombine, type RnsPoly, type SparseMatrix,
} from "../engine/ring/index.js";
import { shoupCompanion } from "../engine/ring/modular.js";
import { medianMicroseconds, parseFlags, printTable, writeJson } from "./harness.js";

interface CombineRow {
  shape: string; build: KernelBuild; limbs: number; rows: number; cols: number; entries: number;
  newMs: number; oldMs: number; newNsPerTerm: number; oldNsPerTerm: number; speedUp: number;
}

const flags = parseFlags(process.argv.slice(2));
const quick = flags.has("quick");
const limbCounts = (flags.get("limbs") ?? (quick ? "5" : "5,7")).split(",").map(Number);
const builds: KernelBuild[] = flags.has("scalar") ? ["simd", "scalar"] : ["simd"];
const timing = quick ? { minTime: 0.1, maxTime: 1 } : { minTime: 1, maxTime: 5 };
const logN = 13;

/** Deterministic weights in (-1, 1) (a 32-bit xorshift). */
function weights(count: number, seed: number): Float64Array {
  let state = seed;
  return Float64Array.from({ length: count }, () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 2 ** 31 - 1;
  });
}

function matrixFromRows(cols: number, rowColumns: readonly (readonly number[])[]): SparseMatrix {
  const rowStart = new Int32Array(rowColumns.length + 1);
  rowColumns.forEach((row, j) => { rowStart[j + 1] = rowStart[j]! + row.length; });
  const columns = Int32Array.from(rowColumns.flat());
  return { rows: rowColumns.length, cols, rowStart, columns, values: weights(columns.length, 0x9e3779b9) };
}

function dense(rows: number, cols: number): SparseMatrix {
  return matrixFromRows(cols, Array.from({ length: rows }, () => Array.from({ length: cols }, (_, c) => c)));
}

/** Output (y, x, filter) of a single-channel convolution: rows in that order, 25 terms each. */
function convolution(side: number, kernel: number, stride: number, filters: number): SparseMatrix {
  const out = Math.floor((side - kernel) / stride) + 1;
  const rows: number[][] = [];
  for (let y = 0; y < out; y++) {
    for (let x = 0; x < out; x++) {
      for (let f = 0; f < filters; f++) {
        const row: number[] = [];
        for (let dy = 0; dy < kernel; dy++) for (let dx = 0; dx < kernel; dx++) row.push((y * stride + dy) * side + x * stride + dx);
        rows.push(row);
      }
    }
  }
  return matrixFromRows(side * side, rows);
}

/** The per-term loop linearCombine ran before the combine kernel. */
function perTermCombine(outputs: readonly RnsPoly[], inputs: readonly RnsPoly[], encoded: EncodedMatrix, companions: readonly Uint32Array[]): void {
  const { rowStart, columns } = encoded.matrix;
  const { heap, n } = outputs[0]!.ring;
  const k = heap.kernels;
  encoded.basis.moduli.forEach((m, limb) => {
    const residues = encoded.residues[limb]!;
    const shoup = companions[limb]!;
    outputs.forEach((output, j) => {
      const out = output.limbAddress(limb);
      const start = rowStart[j]!;
      k.mulScalarShoup(out, inputs[columns[start]!]!.limbAddress(limb), n, m.q, residues[start]!, shoup[start]!);
      for (let t = start + 1; t < rowStart[j + 1]!; t++) {
        k.mulAddScalarShoup(out, inputs[columns[t]!]!.limbAddress(limb), n, m.q, residues[t]!, shoup[t]!);
      }
    });
  });
}

async function benchShape(shape: string, matrix: SparseMatrix, build: KernelBuild, limbs: number): Promise<CombineRow> {
  const heap = WasmHeap.create({ build });
  const ring = new Ring({ logN, heap });
  const basis = ring.basis(generateNttPrimes({ logN, bits: 30, count: limbs }));
  const encoded = new EncodedMatrix(basis, matrix, 2n ** 29n);
  const companions = encoded.residues.map((residues, limb) => residues.map((c) => shoupCompanion(c, basis.primes[limb]!)));
  const inputs = Array.from({ length: matrix.cols }, () => {
    const p = ring.allocate(basis, { ntt: true });
    fillUniform(p);
    return p;
  });
  const outputs = Array.from({ length: matrix.rows }, () => ring.allocate(basis, { ntt: true }));
  try {
    const medians = await medianMicroseconds(`${shape}, ${build}, ${limbs} limbs`, [
      { name: "new", run: () => linearCombine(outputs, inputs, encoded) },
      { name: "old", run: () => perTermCombine(outputs, inputs, encoded, companions) },
    ], timing);
    const terms = matrix.values.length * ring.n * limbs;
    const newMs = medians.get("new")! / 1000;
    const oldMs = medians.get("old")! / 1000;
    return {
      shape, build, limbs, rows: matrix.rows, cols: matrix.cols, entries: matrix.values.length, newMs, oldMs,
      newNsPerTerm: (newMs * 1e6) / terms, oldNsPerTerm: (oldMs * 1e6) / terms, speedUp: oldMs / newMs,
    };
  } finally {
    for (const p of [...inputs, ...outputs]) p.dispose();
    encoded.dispose();
  }
}

const shapes: [string, SparseMatrix][] = [["dense 845 -> 100", dense(100, 845)], ["conv 5x5/2, 5 filters", convolution(29, 5, 2, 5)]];
const rows: CombineRow[] = [];
for (const build of builds) {
  for (const limbs of limbCounts) {
    for (const [shape, matrix] of shapes) rows.push(await benchShape(shape, matrix, build, limbs));
  }
}
console.log(`\nlinearCombine at N = 2^${logN}, one polynomial per call (medians; ns per coefficient-term)`);
printTable(
  ["shape", "build", "limbs", "rows x cols", "entries", "new ms", "new ns/term", "per-term ms", "per-term ns/term", "speed-up"],
  rows.map((r) => [
    r.shape, r.build, String(r.limbs), `${r.rows} x ${r.cols}`, String(r.entries), r.newMs.toFixed(1), r.newNsPerTerm.toFixed(3),
    r.oldMs.toFixed(1), r.oldNsPerTerm.toFixed(3), `${r.speedUp.toFixed(2)}x`,
  ]),
);
writeJson(flags.get("json"), { combine: rows });
