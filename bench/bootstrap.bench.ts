// Bootstrapping end to end at a named configuration (bootstrapPresets, engine/circuits/bootstrapping/presets.ts): key sizes
// reported before generation, then one (or --runs) bootstrap(s) of random complex slots in
// [-1, 1], with each stage's time, the precision against the input (mean and worst slot,
// bits), the levels left and the heap peak.
//   npm run bench:bootstrap [-- --preset bootstrap16|bootstrap15|bootstrap16-h192|n14-insecure] [-- --runs 1]
//     [-- --iterations 1|2] [-- --residual-bits 8] [-- --off-heap] [-- --json FILE]
// --iterations 2 also measures two-pass (META-BTS) bootstrapping after each single pass.
import {
  Bootstrapper, bootstrapPresets, Decryptor, EncapsulationKeys, Encoder, Encryptor, Evaluator, KeyGenerator, OffHeapGaloisKeys, Parameters, type BootstrappingStage,
} from "../engine/index.js";
import { galoisKeyBytes } from "../engine/circuits/bsgs.js";
import { parseFlags, printTable, writeJson } from "./harness.js";

const flags = parseFlags(process.argv.slice(2));
const presetName = flags.get("preset") ?? "bootstrap16";
const runs = Number(flags.get("runs") ?? 1);
const iterations = Number(flags.get("iterations") ?? 1);
if (iterations !== 1 && iterations !== 2) throw new Error("--iterations must be 1 or 2");
const residualBits = Number(flags.get("residual-bits") ?? 8);
const preset = bootstrapPresets[presetName];
if (preset === undefined) throw new Error(`unknown preset ${presetName}; choose one of ${Object.keys(bootstrapPresets).join(", ")}`);
if (!Number.isInteger(runs) || runs < 1) throw new Error("--runs must be a positive integer");

/** The wasm32 heap's ceiling. */
const heapLimit = 2 ** 32;
const gib = (bytes: number): string => (bytes / 2 ** 30).toFixed(2);
const seconds = (ms: number): number => Math.round(ms) / 1000;
const log = (line: string): void => console.log(`[bootstrap ${presetName}] ${line}`);

const params = Parameters.create(preset.parameters);
if (!preset.secure) log(`NOT 128-bit secure (log QP ${params.logQP.toFixed(0)}): measures the circuit at this ring size only`);
const steps = Bootstrapper.rotationSteps(params, preset.bootstrapping);
const keyCount = steps.length + 2; // rotations, conjugation, relinearization
const keyBytes = galoisKeyBytes(params, keyCount, {});
const expandedKeyBytes = galoisKeyBytes(params, keyCount, { seeded: false });
log(`N = 2^${params.logN}, log QP ${params.logQP.toFixed(1)}, ${params.digits} digits; ${steps.length} rotation keys + conjugation + relinearization: ` +
  `${gib(keyBytes)} GiB seeded, ${gib(expandedKeyBytes)} GiB in memory`);
// Keys that would take more than a third of the heap stay outside it (OffHeapGaloisKeys).
const offHeap = flags.get("off-heap") === "true" || expandedKeyBytes > heapLimit / 3;
if (offHeap) log("keys kept outside the heap: one key at a time streams in for its key switch, and encoded diagonals move out between uses");

let started = performance.now();
const keygen = new KeyGenerator(params);
const onKey = (done: number, total: number): void => {
  if (done % 8 === 0 || done === total) log(`keys ${done}/${total} (${seconds(performance.now() - started)} s)`);
};
const offHeapKeys = offHeap ? OffHeapGaloisKeys.generate(keygen, steps, { onKey }) : undefined;
const galoisKeys = offHeap ? undefined : keygen.createGaloisKeys({ steps });
const relinearizationKey = keygen.createRelinearizationKey();
const evaluator = new Evaluator(params, galoisKeys === undefined ? { relinearizationKey } : { relinearizationKey, galoisKeys });
const encryptor = new Encryptor(params, keygen.secretKey);
const decryptor = new Decryptor(params, keygen.secretKey);
const encoder = new Encoder(params);
const keySeconds = seconds(performance.now() - started);
log(`keys generated in ${keySeconds} s`);
started = performance.now();
const ephemeralWeight = preset.bootstrapping.ephemeralHammingWeight;
const encapsulation = ephemeralWeight === undefined ? undefined : EncapsulationKeys.generate(keygen, ephemeralWeight);
const bootstrapper = new Bootstrapper(evaluator, preset.bootstrapping, {
  ...(offHeapKeys === undefined ? {} : { keys: offHeapKeys }),
  ...(encapsulation === undefined ? {} : { encapsulation }),
});
const { plan } = bootstrapper;
log(`plan: levels ${plan.inputLevel} -> ${plan.afterCoeffsToSlots} (CoeffsToSlots) -> ${plan.afterEvalMod} (EvalMod) -> ${plan.outputLevel} (SlotsToCoeffs); ` +
  `K = ${plan.shape.k}, failure 2^${plan.log2FailureProbability.toFixed(1)}, EvalMod error 2^${Math.log2(plan.evalModError).toFixed(1)}, ${plan.keySwitches} key switches`);

const n = params.maxSlots;
let seed = 12345;
const random = (): number => {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return (2 * seed) / 2147483648 - 1;
};
interface RunResult {
  readonly seconds: number;
  readonly stages: Partial<Record<BootstrappingStage, number>>;
  readonly mean: number;
  readonly worst: number;
}

/** Bootstraps fresh random slots with `passes` iterations and measures time and precision. */
function measure(run: number, passes: number): RunResult {
  const re = Array.from({ length: n }, random);
  const im = Array.from({ length: n }, random);
  const plaintext = encoder.encodeComplex({ re, im }, { level: 0 });
  const ct = encryptor.encrypt(plaintext);
  plaintext.dispose();
  const stages: Partial<Record<BootstrappingStage, number>> = {};
  const label = `run ${run + 1}/${runs}, ${passes} pass${passes > 1 ? "es" : ""}`;
  const t = performance.now();
  const out = bootstrapper.bootstrap(ct, {
    iterations: passes,
    residualBits,
    onStage: (stage, s) => {
      stages[stage] = Math.round(((stages[stage] ?? 0) + s) * 1000) / 1000;
      log(`${label}: ${stage} ${s.toFixed(2)} s`);
    },
  });
  const total = seconds(performance.now() - t);
  const decrypted = decryptor.decrypt(out);
  const slots = encoder.decodeComplex(decrypted);
  decrypted.dispose();
  let worst = 0;
  let sumBits = 0;
  for (let i = 0; i < n; i++) {
    const error = Math.max(Math.hypot(slots.re[i]! - re[i]!, slots.im[i]! - im[i]!), 2 ** -60);
    worst = Math.max(worst, error);
    sumBits += -Math.log2(error);
  }
  log(`${label}: ${total} s, precision ${(sumBits / n).toFixed(1)} bits mean, ${(-Math.log2(worst)).toFixed(1)} worst, level ${out.level}`);
  ct.dispose();
  out.dispose();
  return { seconds: total, stages, mean: sumBits / n, worst: -Math.log2(worst) };
}

/**
 * The run of median time (the lower median: the first run also encodes the diagonals), with
 * the worst precision over all runs.
 */
function summary(results: readonly RunResult[]): RunResult {
  const sorted = [...results].sort((a, b) => a.seconds - b.seconds);
  return { ...sorted[Math.floor((sorted.length - 1) / 2)]!, worst: Math.min(...results.map((r) => r.worst)) };
}

const single: RunResult[] = [];
const iterated: RunResult[] = [];
for (let run = 0; run < runs; run++) {
  single.push(measure(run, 1));
  if (iterations === 2) iterated.push(measure(run, 2));
}
const median = summary(single);
const twoPasses = iterated.length > 0 ? summary(iterated) : undefined;
printTable(["preset", "slots", "passes", "levels left", "mean bits", "worst bits", "seconds", "keys GiB", "heap GiB"], [median, twoPasses].flatMap((r, i) => r === undefined ? [] : [[
  presetName, String(n), String(i + 1), String(plan.outputLevel), r.mean.toFixed(1), r.worst.toFixed(1), String(r.seconds), gib(keyBytes), gib(params.heap.bytesReserved),
]]));
writeJson(flags.get("json"), {
  preset: presetName,
  secure: preset.secure,
  logQP: params.logQP,
  logN: params.logN,
  slots: n,
  levelsLeft: plan.outputLevel,
  scale: params.scale,
  precisionBits: { mean: median.mean, worst: median.worst },
  seconds: median.seconds,
  stageSeconds: median.stages,
  keyGenerationSeconds: keySeconds,
  keyBytes,
  expandedKeyBytes,
  peakHeapBytes: params.heap.bytesReserved,
  rotationKeys: steps.length,
  keysOutsideHeap: offHeap,
  offHeapKeyBytes: offHeapKeys?.bytes ?? 0,
  residualBits,
  twoPasses: twoPasses === undefined ? null : { precisionBits: { mean: twoPasses.mean, worst: twoPasses.worst }, seconds: twoPasses.seconds },
  keySwitches: plan.keySwitches,
  k: plan.shape.k,
  log2FailureProbability: plan.log2FailureProbability,
  runs: { single, twoPasses: iterated },
});
bootstrapper.dispose();
