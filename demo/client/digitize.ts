// A drawing as an MNIST digit: the ink's bounding box scaled (aspect kept) to fit 20 x 20 by
// area averaging, then placed in 28 x 28 with its centre of mass at the centre, grey levels in
// [0, 1] (as MNIST was made). Pure: the page passes the canvas's alpha channel.

const side = 28;
const box = 20;

/**
 * `ink[y * width + x]` in [0, 1] (the canvas's alpha / 255) -> 784 grey levels, row-major.
 * An empty drawing gives all zeros. Preconditions: width, height >= 1, ink.length = width · height.
 */
export function digitize(ink: ArrayLike<number>, width: number, height: number): Float64Array {
  let [x0, y0, x1, y1] = [width, height, -1, -1];
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (ink[y * width + x]! > 0) [x0, y0, x1, y1] = [Math.min(x0, x), Math.min(y0, y), Math.max(x1, x), Math.max(y1, y)];
    }
  }
  const out = new Float64Array(side * side);
  if (x1 < 0) return out;
  const [w, h] = [x1 - x0 + 1, y1 - y0 + 1];
  const factor = box / Math.max(w, h);
  const [bw, bh] = [Math.max(1, Math.round(w * factor)), Math.max(1, Math.round(h * factor))];
  // Area average of the source pixels falling in each target pixel.
  const small = new Float64Array(bw * bh);
  const counts = new Float64Array(bw * bh);
  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) {
      const t = Math.min(bh - 1, Math.floor((y - y0) * bh / h)) * bw + Math.min(bw - 1, Math.floor((x - x0) * bw / w));
      small[t] = small[t]! + ink[y * width + x]!;
      counts[t] = counts[t]! + 1;
    }
  }
  let [mass, mx, my] = [0, 0, 0];
  for (let t = 0; t < small.length; t++) {
    small[t] = counts[t]! > 0 ? small[t]! / counts[t]! : 0;
    mass += small[t]!;
    mx += small[t]! * (t % bw);
    my += small[t]! * Math.floor(t / bw);
  }
  const clamp = (v: number, size: number): number => Math.max(0, Math.min(side - size, v));
  const ox = clamp(Math.round(side / 2 - 0.5 - mx / mass), bw);
  const oy = clamp(Math.round(side / 2 - 0.5 - my / mass), bh);
  for (let t = 0; t < small.length; t++) out[(oy + Math.floor(t / bw)) * side + ox + (t % bw)] = Math.min(1, small[t]!);
  return out;
}
