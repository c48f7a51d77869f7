// Comparison with node-seal 6.0.3 (Microsoft SEAL 4.1.2 in WebAssembly) in the same process:
// the same ring degree N, 128-bit security for both, medians of every basic CKKS operation,
// precision after one multiplication, and serialized sizes.
//   npm run bench:compare [-- --logn 13|14|15|16] [-- --json FILE] [-- --quick]
//
// Parameters (logN 14 shown; the others follow the same rules):
// - ours: presets.standard14 (scale 2^50, depth 6; SEAL's precision or better) and
//   presets.inference14Fast (scale 2^29, depth 6, fast key switching) as a second column.
//   logN 13 / 15 / 16 use standard13/15/16 and inference13/15/16.
// - node-seal: CKKS with coeff modulus CoeffModulus.Create(N, [60, 40 x k, 60]) and scale 2^40,
//   k the largest count within the 128-bit bound (SEAL's CoeffModulus.MaxBitCount(N, tc128):
//   218 / 438 / 881 bits for logN 13 / 14 / 15, giving k = 2 / 7 / 19). SEAL has no tc128 bound
//   for N = 2^16: there the context is created with SecurityLevel.none and keeps the logN 15
//   chain, k = 19 (880 bits, well within our 1747-bit bound). Larger k does not fit: one SEAL
//   switching key is 16 N (k + 1)(k + 2) bytes (0.74 GB at k = 25, 1.8 GB at k = 40), and
//   key generation and saving abort in node-seal's 4 GiB wasm32 memory from k = 25 on.
//   SEAL's depth is k; its last 60-bit prime is the special prime of key switching.
//
// Every timed call builds its result and frees it (ours: dispose(); node-seal: delete()), and
// uses each library's out-of-place call, so both allocate a fresh result. Precision is in the
// style of Lattigo: -log2(mean |error|) and -log2(max |error|) over all N/2 slots of
// decrypt(rescale(relinearize(Enc(a) * Enc(b)))) against a*b, a, b uniform in [-1, 1].
// Sizes are serialized bytes: ours from serializeCiphertext / serializePublicKey /
// serializeSwitchingKey; node-seal from saveArray(ComprModeType.none) (raw 64-bit words; the
// zstd default is listed separately), seeded forms from its *Serializable calls.
import {
  Decryptor, Encoder, Encryptor, Evaluator, KeyGenerator, Parameters, defaultHeap, maxLogQP128, presets,
  serializeCiphertext, serializePublicKey, serializeSwitchingKey,
  type Ciphertext, type GaloisKeys, type ParametersLiteral, type PresetName, type PublicKey, type SecretKey,
  type SwitchingKey,
} from "../engine/index.js";
import { medianMicroseconds, parseFlags, printTable, writeJson, type BenchCase } from "./harness.js";
import {
  loadNodeSeal, result, type CipherText, type ComprModeType, type Context, type PlainText, type SEALLibrary,
} from "./node-seal.js";

const flags = parseFlags(process.argv.slice(2));
const quick = flags.has("quick");
const logN = Number(flags.get("logn") ?? 14);
// benny samples at least 10 cycles of minTime each: about 36 cases x 10 x minTime in all.
const timing = quick ? { minTime: 0.05, maxTime: 0.25 } : { minTime: 0.25, maxTime: 1 };

const presetsByLogN: Record<number, { standard: PresetName; inference: PresetName }> = {
  13: { standard: "standard13", inference: "inference13" },
  14: { standard: "standard14", inference: "inference14Fast" },
  15: { standard: "standard15", inference: "inference15" },
  16: { standard: "standard16", inference: "inference16" },
};
const chosen = presetsByLogN[logN];
if (chosen === undefined) {
  console.error(`--logn must be one of ${Object.keys(presetsByLogN).join(", ")}, got ${String(flags.get("logn"))}`);
  process.exit(2);
}

const n = 2 ** logN;
const slots = n / 2;

// ------------------------------------------------------------------ inputs

function randomVector(): Float64Array {
  return Float64Array.from({ length: slots }, () => 2 * Math.random() - 1);
}

const inputA = randomVector();
const inputB = randomVector();
const expected = inputA.map((a, i) => a * inputB[i]!);

interface Precision {
  /** -log2(mean |error|) over all slots. */
  readonly mean: number;
  /** -log2(max |error|) over all slots. */
  readonly worst: number;
}

function precisionOf(decoded: ArrayLike<number>): Precision {
  let sum = 0;
  let max = 0;
  for (let i = 0; i < slots; i++) {
    const error = Math.abs(decoded[i]! - expected[i]!);
    sum += error;
    max = Math.max(max, error);
  }
  return { mean: -Math.log2(sum / slots), worst: -Math.log2(max) };
}

/** Each side's timed calls by operation name, plus its parameters, precision and sizes. */
interface Side {
  readonly label: string;
  readonly description: Record<string, unknown>;
  readonly cases: Map<string, () => void>;
  readonly precision: Precision;
  readonly sizes: Map<string, number>;
  /** node-seal only: the same objects saved with its default zstd compression. */
  readonly sizesZstd?: Map<string, number>;
}

const ops = [
  "keygenPublic", "keygenRelin", "keygenGalois", "encode", "encrypt", "add", "multiply", "relinearize", "rescale",
  "rotate", "decrypt", "decode",
] as const;
type Op = (typeof ops)[number];

const sizeRows = [
  ["ciphertextPublic", "ciphertext, public-key encryption"],
  ["ciphertextSecretSeeded", "ciphertext, secret-key encryption, seeded"],
  ["publicKeySeeded", "public key, seeded"],
  ["publicKey", "public key, full"],
  ["relinKeySeeded", "relinearization key, seeded"],
  ["relinKey", "relinearization key, full"],
  ["galoisKeySeeded", "one Galois key (rotation by 1), seeded"],
  ["galoisKey", "one Galois key (rotation by 1), full"],
] as const;

// ------------------------------------------------------------------ ours

function ourSide(label: string, preset: PresetName): Side {
  const literal: ParametersLiteral = presets[preset];
  const params = Parameters.create(literal);
  const keygen = new KeyGenerator(params);
  const publicKey: PublicKey = keygen.createPublicKey();
  const relinearizationKey: SwitchingKey = keygen.createRelinearizationKey();
  const galoisKeys: GaloisKeys = keygen.createGaloisKeys({ steps: [1], conjugate: false });
  const secretKey: SecretKey = keygen.secretKey;
  const encoder = new Encoder(params);
  const encryptor = new Encryptor(params, publicKey);
  const secretEncryptor = new Encryptor(params, secretKey);
  const decryptor = new Decryptor(params, secretKey);
  const evaluator = new Evaluator(params, { relinearizationKey, galoisKeys });

  const ptA = encoder.encode(inputA);
  const ptB = encoder.encode(inputB);
  const ctA = encryptor.encrypt(ptA);
  const ctB = encryptor.encrypt(ptB);
  const product: Ciphertext = evaluator.multiply(ctA, ctB);
  const relinearized = evaluator.relinearize(product);
  const fresh = decryptor.decrypt(ctA);

  // Precision: one multiply + relinearize + rescale.
  const rescaled = evaluator.rescale(relinearized);
  const decrypted = decryptor.decrypt(rescaled);
  const precision = precisionOf(encoder.decode(decrypted));
  rescaled.dispose();
  decrypted.dispose();

  const cases = new Map<Op, () => void>([
    ["keygenPublic", () => keygen.createPublicKey().dispose()],
    ["keygenRelin", () => keygen.createRelinearizationKey().dispose()],
    ["keygenGalois", () => keygen.createGaloisKeys({ steps: [1], conjugate: false }).dispose()],
    ["encode", () => encoder.encode(inputA).dispose()],
    ["encrypt", () => encryptor.encrypt(ptA).dispose()],
    ["add", () => evaluator.add(ctA, ctB).dispose()],
    ["multiply", () => evaluator.multiply(ctA, ctB).dispose()],
    ["relinearize", () => evaluator.relinearize(product).dispose()],
    ["rescale", () => evaluator.rescale(relinearized).dispose()],
    ["rotate", () => evaluator.rotate(ctA, 1).dispose()],
    ["decrypt", () => decryptor.decrypt(ctA).dispose()],
    ["decode", () => void encoder.decode(fresh)],
  ]);

  const galoisKey = [...galoisKeys.keys.values()][0]!;
  const secretCiphertext = secretEncryptor.encrypt(ptA);
  const sizes = new Map<string, number>([
    ["ciphertextPublic", serializeCiphertext(ctA).length],
    ["ciphertextSecretSeeded", serializeCiphertext(secretCiphertext).length],
    ["publicKeySeeded", serializePublicKey(publicKey).length],
    ["publicKey", serializePublicKey(publicKey, { seeded: false }).length],
    ["relinKeySeeded", serializeSwitchingKey(relinearizationKey).length],
    ["relinKey", serializeSwitchingKey(relinearizationKey, { seeded: false }).length],
    ["galoisKeySeeded", serializeSwitchingKey(galoisKey).length],
    ["galoisKey", serializeSwitchingKey(galoisKey, { seeded: false }).length],
  ]);
  secretCiphertext.dispose();

  return {
    label,
    description: {
      preset, logScale: params.logScale, depth: params.maxLevel, logQ: round(params.logQ), logQP: round(params.logQP),
      qPrimes: params.qPrimes.length, specialPrimes: params.pPrimes.length, digits: params.digits,
      kernels: defaultHeap().build,
    },
    cases,
    precision,
    sizes,
  };
}

// ------------------------------------------------------------------ node-seal

/** Cap on SEAL's 40-bit primes: at N = 2^16 the full chain's keys would not fit the 4 GiB wasm32 memory. */
const sealMaxMiddlePrimes: Readonly<Record<number, number>> = { 16: 19 };

function sealChain(seal: SEALLibrary): { bits: number[]; bound: number; sealBound: boolean } {
  const sealBound = seal.CoeffModulus.MaxBitCount(n, seal.SecurityLevel.tc128);
  const bound = sealBound > 0 ? sealBound : maxLogQP128[logN]!;
  const middle = Math.min(Math.floor((bound - 120) / 40), sealMaxMiddlePrimes[logN] ?? Infinity);
  return { bits: [60, ...Array<number>(middle).fill(40), 60], bound, sealBound: sealBound > 0 };
}

function sealSide(seal: SEALLibrary): Side {
  const { bits, bound, sealBound } = sealChain(seal);
  const scale = 2 ** 40;
  const parms = seal.EncryptionParameters(seal.SchemeType.ckks);
  parms.setPolyModulusDegree(n);
  parms.setCoeffModulus(seal.CoeffModulus.Create(n, Int32Array.from(bits)));
  const context: Context = seal.Context(parms, true, sealBound ? seal.SecurityLevel.tc128 : seal.SecurityLevel.none);
  if (!context.parametersSet()) throw new Error(`node-seal rejected the parameters: ${context.toHuman()}`);
  const primes = [...context.keyContextData.parms.coeffModulus];
  const logQP = primes.reduce((sum, q) => sum + Math.log2(Number(q)), 0);
  if (logQP > maxLogQP128[logN]!) throw new Error(`node-seal chain exceeds the 128-bit bound (${logQP} bits)`);

  const keygen = seal.KeyGenerator(context);
  const secretKey = keygen.secretKey();
  const publicKey = keygen.createPublicKey();
  const steps = Int32Array.from([1]);
  const encoder = seal.CKKSEncoder(context);
  const encryptor = seal.Encryptor(context, publicKey, secretKey);
  const decryptor = seal.Decryptor(context, secretKey);
  const evaluator = seal.Evaluator(context);

  const encode = (values: Float64Array): PlainText => result(encoder.encode(values, scale), "encode");
  const encrypt = (pt: PlainText): CipherText => result(encryptor.encrypt(pt), "encrypt");
  const ptA = encode(inputA);

  // Sizes first, one object alive at a time: large keys at N = 2^16 strain the 4 GiB memory.
  const none = seal.ComprModeType.none;
  const zstd = seal.ComprModeType.zstd;
  const saved = (object: { saveArray: (mode?: ComprModeType) => Uint8Array; delete: () => void }): [number, number] => {
    const sizes: [number, number] = [object.saveArray(none).length, object.saveArray(zstd).length];
    object.delete();
    return sizes;
  };
  const measured: [string, [number, number]][] = [
    ["ciphertextPublic", saved(encrypt(ptA))],
    ["ciphertextSecretSeeded", saved(encryptor.encryptSymmetricSerializable(ptA))],
    ["publicKeySeeded", saved(keygen.createPublicKeySerializable())],
    ["publicKey", saved(keygen.createPublicKey())],
    ["relinKeySeeded", saved(keygen.createRelinKeysSerializable())],
    ["relinKey", saved(keygen.createRelinKeys())],
    ["galoisKeySeeded", saved(keygen.createGaloisKeysSerializable(steps))],
    ["galoisKey", saved(keygen.createGaloisKeys(steps))],
  ];
  const sizes = new Map(measured.map(([name, [raw]]) => [name, raw]));
  const sizesZstd = new Map(measured.map(([name, [, compressed]]) => [name, compressed]));

  const relinKeys = keygen.createRelinKeys();
  const galoisKeys = keygen.createGaloisKeys(steps);
  const ptB = encode(inputB);
  const ctA = encrypt(ptA);
  const ctB = encrypt(ptB);
  const product = result(evaluator.multiply(ctA, ctB), "multiply");
  const relinearized = result(evaluator.relinearize(product, relinKeys), "relinearize");
  const fresh = result(decryptor.decrypt(ctA), "decrypt");

  const rescaled = result(evaluator.rescaleToNext(relinearized), "rescale");
  const decrypted = result(decryptor.decrypt(rescaled), "decrypt");
  const precision = precisionOf(encoder.decode(decrypted));
  rescaled.delete();
  decrypted.delete();

  const cases = new Map<Op, () => void>([
    ["keygenPublic", () => keygen.createPublicKey().delete()],
    ["keygenRelin", () => keygen.createRelinKeys().delete()],
    ["keygenGalois", () => keygen.createGaloisKeys(steps).delete()],
    ["encode", () => encode(inputA).delete()],
    ["encrypt", () => encrypt(ptA).delete()],
    ["add", () => result(evaluator.add(ctA, ctB), "add").delete()],
    ["multiply", () => result(evaluator.multiply(ctA, ctB), "multiply").delete()],
    ["relinearize", () => result(evaluator.relinearize(product, relinKeys), "relinearize").delete()],
    ["rescale", () => result(evaluator.rescaleToNext(relinearized), "rescale").delete()],
    ["rotate", () => result(evaluator.rotateVector(ctA, 1, galoisKeys), "rotate").delete()],
    ["decrypt", () => result(decryptor.decrypt(ctA), "decrypt").delete()],
    ["decode", () => void encoder.decode(fresh)],
  ]);

  return {
    label: "node-seal",
    description: {
      version: seal.Version, seal: "4.1.2", coeffModulusBits: bits, logScale: 40, depth: bits.length - 2,
      logQ: round(logQP - Math.log2(Number(primes[primes.length - 1]!))), logQP: round(logQP),
      securityLevel: sealBound ? "tc128" : `none (SEAL has no tc128 bound for N = 2^${logN}; chain within ${bound} bits)`,
      serialization: "saveArray(ComprModeType.none); zstd (the default) in sizesZstd",
    },
    cases,
    precision,
    sizes,
    sizesZstd,
  };
}

function round(x: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

// ------------------------------------------------------------------ run

const started = performance.now();
console.log(`logN ${logN}: setting up (ours: ${chosen.standard}, ${chosen.inference}; node-seal) ...`);
const seal = await loadNodeSeal();
const ours = ourSide("ours", chosen.standard);
const oursInference = ourSide("ours (inference)", chosen.inference);
const nodeSeal = sealSide(seal);
const sides = [ours, oursInference, nodeSeal];

interface OpRow { op: Op; oursUs: number; oursInferenceUs: number; nodeSealUs: number }
const opRows: OpRow[] = [];
for (const op of ops) {
  // One suite per operation with the three sides next to each other, so load changes on a
  // shared machine hit them alike.
  const cases: BenchCase[] = sides.map((side) => ({ name: side.label, run: side.cases.get(op)! }));
  const medians = await medianMicroseconds(`${op} (logN ${logN})`, cases, timing);
  opRows.push({
    op, oursUs: medians.get(ours.label)!, oursInferenceUs: medians.get(oursInference.label)!, nodeSealUs: medians.get(nodeSeal.label)!,
  });
}

// ------------------------------------------------------------------ report

const fmtUs = (us: number): string => (us >= 1e4 ? `${(us / 1000).toFixed(1)} ms` : `${us.toFixed(1)} µs`);
const ratio = (seal: number, ourValue: number): string => `${(seal / ourValue).toFixed(2)}x`;
const bytes = (b: number): string => (b >= 1e6 ? `${(b / 2 ** 20).toFixed(2)} MiB` : `${(b / 1024).toFixed(1)} KiB`);
const describe = (side: Side): string => {
  const d = side.description;
  const extra = side === nodeSeal
    ? `[60, 40 x ${(d.depth as number)}, 60], ${String(d.securityLevel)}`
    : `${String(d.preset)}, special primes ${String(d.specialPrimes)}, digits ${String(d.digits)}, ${String(d.kernels)} kernels`;
  return `${side.label.padEnd(17)} scale 2^${String(d.logScale)}, depth ${String(d.depth)}, log2 QP ${String(d.logQP)}, ` +
    `precision ${side.precision.mean.toFixed(1)} bits mean / ${side.precision.worst.toFixed(1)} worst (${extra})`;
};

console.log(`\nCKKS, N = 2^${logN} (${slots} slots), 128-bit security, medians${quick ? " (quick run)" : ""}`);
for (const side of sides) console.log(`  ${describe(side)}`);
console.log();
printTable(
  ["operation", "ours", "ours (inference)", "node-seal", "node-seal / ours", "node-seal / ours (inference)"],
  opRows.map((r) => [
    r.op, fmtUs(r.oursUs), fmtUs(r.oursInferenceUs), fmtUs(r.nodeSealUs), ratio(r.nodeSealUs, r.oursUs),
    ratio(r.nodeSealUs, r.oursInferenceUs),
  ]),
);

console.log("\nSerialized sizes (node-seal: ComprModeType.none; its zstd default in the last column)");
printTable(
  ["object", "ours", "ours (inference)", "node-seal", "node-seal / ours", "node-seal / ours (inference)", "node-seal zstd"],
  sizeRows.map(([key, name]) => {
    const o = ours.sizes.get(key)!;
    const i = oursInference.sizes.get(key)!;
    const s = nodeSeal.sizes.get(key)!;
    return [name, bytes(o), bytes(i), bytes(s), ratio(s, o), ratio(s, i), bytes(nodeSeal.sizesZstd!.get(key)!)];
  }),
);
console.log(`\ntotal ${((performance.now() - started) / 1000).toFixed(0)} s`);

const sizesJson = Object.fromEntries(sizeRows.map(([key]) => [key, {
  ours: ours.sizes.get(key)!, oursInference: oursInference.sizes.get(key)!, nodeSeal: nodeSeal.sizes.get(key)!,
  nodeSealZstd: nodeSeal.sizesZstd!.get(key)!,
}]));
const precisionJson = (p: Precision): Precision => ({ mean: round(p.mean, 2), worst: round(p.worst, 2) });
writeJson(flags.get("json"), {
  logN,
  quick,
  ops: opRows.map((r) => ({ op: r.op, oursUs: round(r.oursUs), oursInferenceUs: round(r.oursInferenceUs), nodeSealUs: round(r.nodeSealUs) })),
  precisionBits: { ours: precisionJson(ours.precision), oursInference: precisionJson(oursInference.precision), nodeSeal: precisionJson(nodeSeal.precision) },
  sizes: sizesJson,
  parameters: { ours: ours.description, oursInference: oursInference.description, nodeSeal: nodeSeal.description },
  node: process.version,
});
