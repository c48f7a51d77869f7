// Memory soak: repeated mulRelin + rescale WITHOUT dispose calls, yielding to the event loop
// between iterations (as a server or UI would), and the WebAssembly heap size along the way.
//   npm run bench:memory [-- --preset standard14] [-- --iterations 100000] [-- --json FILE]
import {
  Decryptor, Encoder, Encryptor, Evaluator, KeyGenerator, Parameters, defaultHeap, presets,
  type PresetName,
} from "../engine/index.js";
import { parseFlags, printTable, writeJson } from "./harness.js";

const flags = parseFlags(process.argv.slice(2));
const presetName = (flags.get("preset") ?? "standard13") as PresetName;
const iterations = Number(flags.get("iterations") ?? 100_000);
if (!(presetName in presets)) throw new Error(`unknown preset ${presetName}; choose one of ${Object.keys(presets).join(", ")}`);
if (!Number.isInteger(iterations) || iterations < 1) throw new Error("--iterations must be a positive integer");

const params = Parameters.create(presets[presetName]);
const keygen = new KeyGenerator(params);
const encoder = new Encoder(params);
const encryptor = new Encryptor(params, keygen.createPublicKey());
const evaluator = new Evaluator(params, { relinearizationKey: keygen.createRelinearizationKey() });
const values = Array.from({ length: params.maxSlots }, (_, i) => Math.cos(i));
const a = encryptor.encrypt(encoder.encode(values));
const b = encryptor.encrypt(encoder.encode(values));
const heap = defaultHeap();
const mib = (bytes: number): number => Math.round((bytes / 2 ** 20) * 10) / 10;

const samples: { iteration: number; reservedMiB: number; inUseMiB: number; rssMiB: number }[] = [];
const started = performance.now();
const checkpoints = 10;
for (let i = 1; i <= iterations; i++) {
  evaluator.rescale(evaluator.mulRelin(a, b)); // result dropped on purpose: no dispose()
  await new Promise((resolve) => setImmediate(resolve));
  if (i % Math.max(1, Math.floor(iterations / checkpoints)) === 0 || i === iterations) {
    samples.push({ iteration: i, reservedMiB: mib(heap.bytesReserved), inUseMiB: mib(heap.bytesInUse), rssMiB: mib(process.memoryUsage().rss) });
    const last = samples[samples.length - 1]!;
    console.log(`${i}/${iterations}: heap ${last.reservedMiB} MiB reserved, ${last.inUseMiB} MiB in use, RSS ${last.rssMiB} MiB`);
  }
}
const seconds = (performance.now() - started) / 1000;
const check = new Decryptor(params, keygen.secretKey);
const result = evaluator.rescale(evaluator.mulRelin(a, b));
const decoded = encoder.decode(check.decrypt(result));
const error = Math.max(...values.slice(0, 64).map((v, i) => Math.abs(decoded[i]! - v * v)));

printTable(["iteration", "reserved MiB", "in use MiB", "RSS MiB"], samples.map((s) => [String(s.iteration), String(s.reservedMiB), String(s.inUseMiB), String(s.rssMiB)]));
const firstReserved = samples[0]!.reservedMiB;
const lastReserved = samples[samples.length - 1]!.reservedMiB;
console.log(`${iterations} mulRelin + rescale in ${seconds.toFixed(0)} s on ${presetName}; heap reserved ${firstReserved} -> ${lastReserved} MiB; result still correct (max error ${error.toExponential(1)})`);
writeJson(flags.get("json"), { preset: presetName, iterations, seconds, samples });
