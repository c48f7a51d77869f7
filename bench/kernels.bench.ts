// Kernel microbenchmarks: forward / inverse NTT of one 30-bit limb for N = 2^12 .. 2^16 and the
// element-wise products, for the SIMD and the scalar build in the same process.
//   npm run bench:kernels [-- --json FILE] [-- --quick]
import { WasmHeap, simdSupported, type KernelBuild } from "../engine/index.js";
import { Ring, fillUniform, generateNttPrimes, inverseNttLimb, nttLimb } from "../engine/ring/index.js";
import { medianMicroseconds, parseFlags, printTable, writeJson, type BenchCase } from "./harness.js";

interface NttRow { logN: number; simd: boolean; forwardUs: number; inverseUs: number; forwardNsPerButterfly: number; inverseNsPerButterfly: number }
interface MulRow { kernel: string; logN: number; simd: boolean; us: number; nsPerElement: number }

const flags = parseFlags(process.argv.slice(2));
const quick = flags.has("quick");
const timing = quick ? { minTime: 0.1, maxTime: 0.5 } : { minTime: 0.5, maxTime: 2 };
const builds: KernelBuild[] = simdSupported() ? ["simd", "scalar"] : ["scalar"];
const heaps = new Map(builds.map((build) => [build, WasmHeap.create({ build })]));

async function benchNtt(): Promise<NttRow[]> {
  const rows: NttRow[] = [];
  for (let logN = 12; logN <= 16; logN++) {
    const [q] = generateNttPrimes({ logN, bits: 30, count: 1 });
    const cases: BenchCase[] = [];
    for (const build of builds) {
      const ring = new Ring({ logN, heap: heaps.get(build)! });
      const m = ring.modulus(q!);
      const poly = ring.allocate(ring.basis([q!]));
      fillUniform(poly);
      const address = poly.limbAddress(0);
      cases.push({ name: `${build} forward`, run: () => nttLimb(m, address) });
      cases.push({ name: `${build} inverse`, run: () => inverseNttLimb(m, address) });
    }
    const medians = await medianMicroseconds(`NTT 2^${logN}`, cases, timing);
    const butterflies = (2 ** logN / 2) * logN;
    for (const build of builds) {
      const forwardUs = medians.get(`${build} forward`)!;
      const inverseUs = medians.get(`${build} inverse`)!;
      rows.push({
        logN, simd: build === "simd", forwardUs, inverseUs,
        forwardNsPerButterfly: (forwardUs * 1000) / butterflies,
        inverseNsPerButterfly: (inverseUs * 1000) / butterflies,
      });
    }
  }
  return rows;
}

async function benchProducts(): Promise<MulRow[]> {
  const rows: MulRow[] = [];
  for (const logN of [14, 16]) {
    const n = 2 ** logN;
    const [q] = generateNttPrimes({ logN, bits: 30, count: 1 });
    const cases: BenchCase[] = [];
    for (const build of builds) {
      const ring = new Ring({ logN, heap: heaps.get(build)! });
      const m = ring.modulus(q!);
      const basis = ring.basis([q!]);
      const [a, b, c, out] = [0, 1, 2, 3].map(() => {
        const p = ring.allocate(basis);
        fillUniform(p);
        return p.limbAddress(0);
      }) as [number, number, number, number];
      const k = ring.heap.kernels;
      cases.push({ name: `${build} mulBarrett`, run: () => k.mulBarrett(out, a, b, n, m.q, m.barrettMu, m.barrettShift) });
      cases.push({ name: `${build} mulAddBarrett`, run: () => k.mulAddBarrett(out, a, b, n, m.q, m.barrettMu, m.barrettShift) });
      cases.push({ name: `${build} mulShoup`, run: () => k.mulShoup(out, a, b, c, n, m.q) });
      cases.push({ name: `${build} mulScalarShoup`, run: () => k.mulScalarShoup(out, a, n, m.q, 12345, 49401) });
      cases.push({ name: `${build} addMod`, run: () => k.addMod(out, a, b, n, m.q) });
    }
    const medians = await medianMicroseconds(`element-wise 2^${logN}`, cases, timing);
    for (const build of builds) {
      for (const kernel of ["mulBarrett", "mulAddBarrett", "mulShoup", "mulScalarShoup", "addMod"]) {
        const us = medians.get(`${build} ${kernel}`)!;
        rows.push({ kernel, logN, simd: build === "simd", us, nsPerElement: (us * 1000) / n });
      }
    }
  }
  return rows;
}

const ntt = await benchNtt();
console.log("\nNTT of one 30-bit limb (median)");
printTable(
  ["logN", "build", "forward µs", "ns/butterfly", "inverse µs", "ns/butterfly", "SIMD speed-up"],
  ntt.map((r) => {
    const scalar = ntt.find((s) => s.logN === r.logN && !s.simd);
    return [
      String(r.logN), r.simd ? "simd" : "scalar", r.forwardUs.toFixed(1), r.forwardNsPerButterfly.toFixed(3),
      r.inverseUs.toFixed(1), r.inverseNsPerButterfly.toFixed(3),
      r.simd && scalar !== undefined ? `${(scalar.forwardUs / r.forwardUs).toFixed(2)}x fwd, ${(scalar.inverseUs / r.inverseUs).toFixed(2)}x inv` : "",
    ];
  }),
);
const mul = await benchProducts();
console.log("\nElement-wise kernels (median)");
printTable(
  ["kernel", "logN", "build", "µs", "ns/element"],
  mul.map((r) => [r.kernel, String(r.logN), r.simd ? "simd" : "scalar", r.us.toFixed(2), r.nsPerElement.toFixed(3)]),
);
writeJson(flags.get("json"), { ntt, mul });
