import { FheError } from "./errors.js";
import { RnsPoly } from "./poly.js";

/**
 * Validates operands of a ring operation: every one a live RnsPoly of the same ring and basis,
 * and (unless `form` is "any") all in the same representation, or in the one `form` demands.
 * Returns the first operand for convenience.
 */
export function checkOperands(
  operation: string,
  operands: readonly unknown[],
  form: "same" | "ntt" | "coefficient" | "any" = "same",
): RnsPoly {
  const first = operands[0];
  for (const operand of operands) {
    if (!(operand instanceof RnsPoly)) {
      throw new FheError("INVALID_ARGUMENT", operation, "operands must be RnsPoly instances");
    }
    operand.assertLive(operation);
  }
  const reference = first as RnsPoly;
  for (const operand of operands as RnsPoly[]) {
    if (operand.ring !== reference.ring) {
      throw new FheError("MISMATCHED_OPERANDS", operation, "operands belong to different rings");
    }
    if (operand.basis !== reference.basis) {
      throw new FheError("MISMATCHED_OPERANDS", operation,
        `operands use different RNS bases (${operand.basis.size} and ${reference.basis.size} primes)`);
    }
    if (form === "same" && operand.isNtt !== reference.isNtt) {
      throw new FheError("MISMATCHED_OPERANDS", operation, "operands mix NTT and coefficient form");
    }
    if (form === "ntt" && !operand.isNtt) {
      throw new FheError("MISMATCHED_OPERANDS", operation, "operands must be in NTT form");
    }
    if (form === "coefficient" && operand.isNtt) {
      throw new FheError("MISMATCHED_OPERANDS", operation, "operands must be in coefficient form");
    }
  }
  return reference;
}
