// Memory soak: repeated mulRelin + rescale whose results are dropped, and the WebAssembly heap
// along the way. `--mode forget` never disposes (finalizers reclaim the results, if they get to
// run); `--mode tidy` runs each iteration inside tidy(). The loop yields every `--yield-every`
// iterations, to the event loop with setImmediate (as a server or UI would) or only to an
// already-resolved promise (`--yield resolved`: finalizers then never run).
//   npm run bench:memory [-- --preset inference13] [-- --iterations 5000] [-- --mode forget|tidy]
//                        [-- --yield immediate|resolved] [-- --yield-every 50] [-- --json FILE]
import {
  Decryptor, Encoder, Encryptor, Evaluator, KeyGenerator, Parameters, memory, presets, tidy,
  type PresetName,
} from "../engine/index.js";
import { parseFlags, printTable, writeJson } from "./harness.js";

const flags = parseFlags(process.argv.slice(2));
const presetName = (flags.get("preset") ?? "standard13") as PresetName;
const iterations = Number(flags.get("iterations") ?? 100_000);
const mode = flags.get("mode") ?? "forget";
const yieldKind = flags.get("yield") ?? "immediate";
const yieldEvery = Number(flags.get("yield-every") ?? 1);
if (!(presetName in presets)) throw new Error(`unknown preset ${presetName}; choose one of ${Object.keys(presets).join(", ")}`);
if (!Number.isInteger(iterations) || iterations < 1) throw new Error("--iterations must be a positive integer");
if (mode !== "forget" && mode !== "tidy") throw new Error("--mode must be forget or tidy");
if (yieldKind !== "immediate" && yieldKind !== "resolved") throw new Error("--yield must be immediate or resolved");
if (!Number.isInteger(yieldEvery) || yieldEvery < 1) throw new Error("--yield-every must be a positive integer");

const params = Parameters.create(presets[presetName]);
const keygen = new KeyGenerator(params);
const encoder = new Encoder(params);
const encryptor = new Encryptor(params, keygen.createPublicKey());
const evaluator = new Evaluator(params, { relinearizationKey: keygen.createRelinearizationKey() });
const values = Array.from({ length: params.maxSlots }, (_, i) => Math.cos(i));
const a = encryptor.encrypt(encoder.encode(values));
const b = encryptor.encrypt(encoder.encode(values));
const mib = (bytes: number): number => Math.round((bytes / 2 ** 20) * 10) / 10;

const step = (): void => {
  evaluator.rescale(evaluator.mulRelin(a, b)); // results dropped on purpose: no dispose()
};
const pause = yieldKind === "immediate"
  ? () => new Promise<void>((resolve) => setImmediate(resolve))
  : () => Promise.resolve();

const samples: { iteration: number; reservedMiB: number; inUseMiB: number; rssMiB: number; objects: number }[] = [];
const started = performance.now();
const checkpoints = 10;
for (let i = 1; i <= iterations; i++) {
  if (mode === "tidy") tidy(step);
  else step();
  if (i % yieldEvery === 0) await pause();
  if (i % Math.max(1, Math.floor(iterations / checkpoints)) === 0 || i === iterations) {
    const stats = memory();
    samples.push({
      iteration: i, reservedMiB: mib(stats.numBytesReserved), inUseMiB: mib(stats.numBytes),
      rssMiB: mib(process.memoryUsage().rss), objects: stats.numObjects,
    });
    const last = samples[samples.length - 1]!;
    console.log(`${i}/${iterations}: heap ${last.reservedMiB} MiB reserved, ${last.inUseMiB} MiB in use, ${last.objects} objects, RSS ${last.rssMiB} MiB`);
  }
}
const seconds = (performance.now() - started) / 1000;
const check = new Decryptor(params, keygen.secretKey);
const result = evaluator.rescale(evaluator.mulRelin(a, b));
const decoded = encoder.decode(check.decrypt(result));
const error = Math.max(...values.slice(0, 64).map((v, i) => Math.abs(decoded[i]! - v * v)));

printTable(
  ["iteration", "reserved MiB", "in use MiB", "live objects", "RSS MiB"],
  samples.map((s) => [String(s.iteration), String(s.reservedMiB), String(s.inUseMiB), String(s.objects), String(s.rssMiB)]),
);
const firstReserved = samples[0]!.reservedMiB;
const lastReserved = samples[samples.length - 1]!.reservedMiB;
const maxInUse = Math.max(...samples.map((s) => s.inUseMiB));
console.log(
  `${iterations} mulRelin + rescale in ${seconds.toFixed(0)} s on ${presetName} (${mode}, ${yieldKind} every ${yieldEvery}); ` +
  `heap reserved ${firstReserved} -> ${lastReserved} MiB, at most ${maxInUse} MiB in use; result still correct (max error ${error.toExponential(1)})`,
);
writeJson(flags.get("json"), { preset: presetName, iterations, mode, yield: yieldKind, yieldEvery, seconds, samples });
