// Ring arithmetic over every limb of a polynomial. Operands must share ring and basis and
// (where it matters) representation; `out` may be one of the inputs.

import { describe, FheError } from "./errors.js";
import { bigMod, shoupCompanion } from "./modular.js";
import { checkOperands } from "./operands.js";
import { type RnsPoly, setNttForm } from "./poly.js";

/** out = a + b. */
export function add(out: RnsPoly, a: RnsPoly, b: RnsPoly): void {
  limbwise("add polynomials", "addMod", out, a, b);
}

/** out = a - b. */
export function sub(out: RnsPoly, a: RnsPoly, b: RnsPoly): void {
  limbwise("subtract polynomials", "subMod", out, a, b);
}

/** Applies a (out, a, b, n, q) kernel to every limb; a and b must be in the same form. */
function limbwise(operation: string, kernel: "addMod" | "subMod", out: RnsPoly, a: RnsPoly, b: RnsPoly): void {
  checkOperands(operation, [out, a, b], "any");
  requireSameForm(operation, a, b);
  const run = a.ring.heap.kernels[kernel];
  a.basis.moduli.forEach((m, i) => run(out.limbAddress(i), a.limbAddress(i), b.limbAddress(i), a.n, m.q));
  setNttForm(out, a.isNtt);
}

/** out = -a. */
export function neg(out: RnsPoly, a: RnsPoly): void {
  checkOperands("negate polynomial", [out, a], "any");
  const { kernels } = a.ring.heap;
  a.basis.moduli.forEach((m, i) => kernels.negMod(out.limbAddress(i), a.limbAddress(i), a.n, m.q));
  setNttForm(out, a.isNtt);
}

/** out = a * b slot by slot (the ring product when both are in NTT form). */
export function mulCoeffs(out: RnsPoly, a: RnsPoly, b: RnsPoly): void {
  checkOperands("multiply polynomials", [a, b], "ntt");
  checkOperands("multiply polynomials", [out, a], "any");
  const { kernels } = a.ring.heap;
  a.basis.moduli.forEach((m, i) => kernels.mulBarrett(
    out.limbAddress(i), a.limbAddress(i), b.limbAddress(i), a.n, m.q, m.barrettMu, m.barrettShift));
  setNttForm(out, true);
}

/**
 * The tensor product of two degree-1 ciphertext parts, slot by slot in one pass:
 * d0 = x0 y0, d1 = x0 y1 + x1 y0, d2 = x1 y1 (all in NTT form, one basis).
 */
export function tensorCoeffs(d: readonly [RnsPoly, RnsPoly, RnsPoly], x: readonly [RnsPoly, RnsPoly], y: readonly [RnsPoly, RnsPoly]): void {
  const operation = "multiply ciphertext parts";
  checkOperands(operation, [...x, ...y], "ntt");
  checkOperands(operation, [x[0], ...d], "any");
  const { kernels } = x[0].ring.heap;
  x[0].basis.moduli.forEach((m, i) => kernels.tensorBarrett(
    d[0].limbAddress(i), d[1].limbAddress(i), d[2].limbAddress(i), x[0].limbAddress(i), x[1].limbAddress(i),
    y[0].limbAddress(i), y[1].limbAddress(i), m.n, m.q, m.barrettMu, m.barrettShift));
  for (const part of d) setNttForm(part, true);
}

/** The square of a degree-1 ciphertext's parts in one pass: d0 = x0^2, d1 = 2 x0 x1, d2 = x1^2 (NTT form). */
export function squareCoeffs(d: readonly [RnsPoly, RnsPoly, RnsPoly], x: readonly [RnsPoly, RnsPoly]): void {
  const operation = "square ciphertext parts";
  checkOperands(operation, [...x], "ntt");
  checkOperands(operation, [x[0], ...d], "any");
  const { kernels } = x[0].ring.heap;
  x[0].basis.moduli.forEach((m, i) => kernels.squareBarrett(
    d[0].limbAddress(i), d[1].limbAddress(i), d[2].limbAddress(i), x[0].limbAddress(i), x[1].limbAddress(i),
    m.n, m.q, m.barrettMu, m.barrettShift));
  for (const part of d) setNttForm(part, true);
}

/** out = out + a * b slot by slot (fused multiply-add; all in NTT form). */
export function mulCoeffsAdd(out: RnsPoly, a: RnsPoly, b: RnsPoly): void {
  checkOperands("multiply-add polynomials", [out, a, b], "ntt");
  const { kernels } = a.ring.heap;
  a.basis.moduli.forEach((m, i) => kernels.mulAddBarrett(
    out.limbAddress(i), a.limbAddress(i), b.limbAddress(i), a.n, m.q, m.barrettMu, m.barrettShift));
}

/** out = c * a for an integer constant c (any sign, any size). */
export function mulScalar(out: RnsPoly, a: RnsPoly, c: bigint | number): void {
  checkOperands("multiply polynomial by scalar", [out, a], "any");
  const constant = toBigInt(c, "multiply polynomial by scalar");
  const { kernels } = a.ring.heap;
  a.basis.moduli.forEach((m, i) => {
    const residue = bigMod(constant, m.q);
    kernels.mulScalarShoup(out.limbAddress(i), a.limbAddress(i), a.n, m.q, residue, shoupCompanion(residue, m.q));
  });
  setNttForm(out, a.isNtt);
}

/** out = out + c * a for an integer constant c (any sign, any size); out and a in the same form. */
export function mulScalarAdd(out: RnsPoly, a: RnsPoly, c: bigint | number): void {
  checkOperands("multiply-add polynomial by scalar", [out, a], "any");
  requireSameForm("multiply-add polynomial by scalar", out, a);
  const constant = toBigInt(c, "multiply-add polynomial by scalar");
  const { kernels } = a.ring.heap;
  a.basis.moduli.forEach((m, i) => {
    const residue = bigMod(constant, m.q);
    kernels.mulAddScalarShoup(out.limbAddress(i), a.limbAddress(i), a.n, m.q, residue, shoupCompanion(residue, m.q));
  });
}

/**
 * out = a + c for an integer constant c: added to the constant coefficient in coefficient
 * form, or to every slot in NTT form (the NTT of a constant is that constant everywhere).
 */
export function addScalar(out: RnsPoly, a: RnsPoly, c: bigint | number): void {
  checkOperands("add scalar to polynomial", [out, a], "any");
  const constant = toBigInt(c, "add scalar to polynomial");
  const { kernels } = a.ring.heap;
  const words = a.ring.heap.u32();
  a.basis.moduli.forEach((m, i) => {
    const residue = bigMod(constant, m.q);
    if (a.isNtt) {
      kernels.addScalarMod(out.limbAddress(i), a.limbAddress(i), a.n, m.q, residue);
    } else {
      if (out !== a) kernels.copyWords(out.limbAddress(i), a.limbAddress(i), a.n);
      const index = out.limbAddress(i) >>> 2;
      words[index] = (words[index]! + residue) % m.q;
    }
  });
  setNttForm(out, a.isNtt);
}

/** out = a (contents and representation). */
export function copy(out: RnsPoly, a: RnsPoly): void {
  checkOperands("copy polynomial", [out, a], "any");
  if (out !== a) a.ring.heap.kernels.copyWords(out.limbAddress(0), a.limbAddress(0), a.n * a.basis.size);
  setNttForm(out, a.isNtt);
}

/** A fresh polynomial equal to a (`scoped`: see AllocateOptions). */
export function clone(a: RnsPoly, options: { scoped?: boolean } = {}): RnsPoly {
  checkOperands("clone polynomial", [a], "any");
  const out = a.ring.allocate(a.basis, { ntt: a.isNtt, secret: a.secret, scoped: options?.scoped === true });
  copy(out, a);
  return out;
}

function requireSameForm(operation: string, a: RnsPoly, b: RnsPoly): void {
  if (a.isNtt !== b.isNtt) throw new FheError("MISMATCHED_OPERANDS", operation, "operands mix NTT and coefficient form");
}

function toBigInt(c: bigint | number, operation: string): bigint {
  if (typeof c === "bigint") return c;
  if (typeof c === "number" && Number.isSafeInteger(c)) return BigInt(c);
  throw new FheError("INVALID_ARGUMENT", operation, `the constant must be a safe integer or a BigInt, got ${describe(c)}`);
}
