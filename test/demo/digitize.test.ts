// The page's drawing-to-MNIST conversion: the ink's box scaled to 20 pixels on its long side,
// centred by mass in 28 x 28, grey levels in [0, 1]; an empty drawing is all zeros.

import { describe, expect, it } from "vitest";
import { digitize } from "../../demo/client/digitize.js";

function drawing(width: number, height: number, ink: (x: number, y: number) => number): Float64Array {
  return Float64Array.from({ length: width * height }, (_, i) => ink(i % width, Math.floor(i / width)));
}

function massCentre(image: Float64Array): [number, number] {
  let [m, x, y] = [0, 0, 0];
  image.forEach((v, i) => {
    m += v;
    x += v * (i % 28);
    y += v * Math.floor(i / 28);
  });
  return [x / m, y / m];
}

describe("digitize", () => {
  it("a vertical bar in a corner of a 280 x 280 pad: 20 pixels tall, centred, grey levels in [0, 1]", () => {
    const image = digitize(drawing(280, 280, (x, y) => (x >= 10 && x < 50 && y >= 20 && y < 220 ? 1 : 0)), 280, 280);
    expect(image.length).toBe(784);
    expect(Math.min(...image)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...image)).toBeLessThanOrEqual(1);
    const rows = new Set([...image.keys()].filter((i) => image[i]! > 0).map((i) => Math.floor(i / 28)));
    expect(rows.size).toBe(20);
    const [cx, cy] = massCentre(image);
    expect(Math.abs(cx - 13.5)).toBeLessThanOrEqual(1);
    expect(Math.abs(cy - 13.5)).toBeLessThanOrEqual(1);
  });

  it("an empty drawing is all zeros; a half-inked pixel block averages to 0.5", () => {
    expect(digitize(new Float64Array(100), 10, 10).every((v) => v === 0)).toBe(true);
    const image = digitize(drawing(40, 40, (x, y) => (x < 20 && y < 20 ? 0.5 : 0)), 40, 40);
    expect(Math.max(...image)).toBeCloseTo(0.5, 10);
  });
});
