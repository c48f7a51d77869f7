// Quick start for the ring layer (the CKKS API builds on it): an RLWE sample b = -a*s + e over
// a three-prime RNS basis at N = 2^14, checked by recovering e = b + a*s.
//   npm run build && node dist/examples/ring-rlwe.js
import { defaultHeap } from "../engine/index.js";
import {
  Ring, add, clone, fillUniform, generateNttPrimes, mulCoeffs, polyFromSmall, polyToBigInts, sampleGaussian,
  sampleTernary, sub, toCoefficients, toNtt,
} from "../engine/ring/index.js";

const logN = 14;
const heap = defaultHeap();
console.log(`kernels: ${heap.build} build`);

const ring = new Ring({ logN });
const primes = generateNttPrimes({ logN, bits: 30, count: 3 });
const basis = ring.basis(primes);
console.log(`ring: N = ${ring.n}, primes ${primes.join(", ")}`);

using secret = polyFromSmall(ring, basis, sampleTernary(ring.n), { ntt: true, secret: true });
using error = polyFromSmall(ring, basis, sampleGaussian(ring.n), { ntt: true });
using a = ring.allocate(basis, { ntt: true });
fillUniform(a);

// b = -a*s + e, all in NTT form: a product is one slot-wise multiplication per limb.
const started = performance.now();
using b = ring.allocate(basis);
mulCoeffs(b, a, secret);
sub(b, error, b);
using recovered = clone(b);
using product = ring.allocate(basis);
mulCoeffs(product, a, secret);
add(recovered, recovered, product);
toCoefficients(recovered);
const elapsed = performance.now() - started;

const q = basis.product();
const recoveredCoefficients = polyToBigInts(recovered);
const centered = recoveredCoefficients.map((c) => (c > q / 2n ? c - q : c));
const maxError = centered.reduce((m, c) => (c < 0n ? (-c > m ? -c : m) : c > m ? c : m), 0n);
toCoefficients(error);
const matches = polyToBigInts(error).every((c, i) => c === recoveredCoefficients[i]);
console.log(`b + a*s recovers e: ${matches ? "yes" : "NO"} (max |e| = ${maxError}), ${elapsed.toFixed(2)} ms`);

const reps = 200;
const t0 = performance.now();
for (let i = 0; i < reps; i++) {
  toCoefficients(a);
  toNtt(a);
}
const perLimb = ((performance.now() - t0) * 1000) / (reps * 2 * primes.length);
console.log(`NTT: ${perLimb.toFixed(1)} µs per 30-bit limb at N = 2^${logN}`);
if (!matches) process.exit(1);
