// Seeded randomness (training, data splits): one generator drives the weight initialisers and the shuffles,
// so a run is reproduced exactly by its seed.

/** A generator of uniform numbers in [0, 1) (mulberry32: 32-bit state, period 2^32). */
export class SeededRandom {
  private state: number;

  /** `seed`: any safe integer (its low 32 bits are used). */
  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** The next uniform number in [0, 1), a multiple of 2^-32. */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let z = this.state;
    z = Math.imul(z ^ (z >>> 15), z | 1);
    z ^= z + Math.imul(z ^ (z >>> 7), z | 61);
    return ((z ^ (z >>> 14)) >>> 0) / 2 ** 32;
  }

  /** A uniform number in [-limit, limit). */
  symmetric(limit: number): number {
    return (2 * this.next() - 1) * limit;
  }

  /** A uniformly random permutation of 0..n-1 (Fisher-Yates). */
  permutation(n: number): Uint32Array {
    const order = new Uint32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      const t = order[i]!;
      order[i] = order[j]!;
      order[j] = t;
    }
    return order;
  }
}
