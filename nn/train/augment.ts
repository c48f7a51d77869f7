// Data augmentation: every training image moved by a random whole number of pixels (up to
// `maxShift` each way, zeros shifted in), drawn from the run's seeded generator.

import type { SeededRandom } from "../random.js";

/** Per item two shifts (rows, columns), each uniform in [-maxShift, maxShift]. */
export function randomShifts(random: SeededRandom, count: number, maxShift: number): Int8Array {
  const shifts = new Int8Array(2 * count);
  for (let i = 0; i < shifts.length; i++) shifts[i] = Math.floor(random.next() * (2 * maxShift + 1)) - maxShift;
  return shifts;
}

/**
 * Writes `image` (rows x columns, row-major) moved down by `dy` and right by `dx` pixels into
 * `out` at `offset`; pixels moved in from outside are 0.
 */
export function shiftImage(image: Float32Array, rows: number, columns: number, dy: number, dx: number, out: Float32Array, offset: number): void {
  out.fill(0, offset, offset + rows * columns);
  for (let r = Math.max(0, dy); r < Math.min(rows, rows + dy); r++) {
    const from = (r - dy) * columns;
    const c0 = Math.max(0, dx);
    const c1 = Math.min(columns, columns + dx);
    out.set(image.subarray(from + c0 - dx, from + c1 - dx), offset + r * columns + c0);
  }
}
