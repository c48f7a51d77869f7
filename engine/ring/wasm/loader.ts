import { describe, FheError } from "../errors.js";
import { scalarKernelsBase64, simdKernelsBase64 } from "./kernels.generated.js";

/** Which compiled body of the kernels runs: WebAssembly SIMD (i32x4) or plain scalar code. */
export type KernelBuild = "simd" | "scalar";

/**
 * `"auto"` (the default) picks SIMD when the engine validates it. The environment variable
 * `WASM_CKKS_KERNELS=scalar` forces the scalar build whenever the option is `"auto"`.
 */
export type KernelBuildOption = KernelBuild | "auto";

/** Environment variable that forces a kernel build when the option is "auto". */
export const kernelBuildEnvVariable = "WASM_CKKS_KERNELS";

function decodeBase64(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** The WebAssembly bytes of a build (decoded from the generated module at each call). */
export function kernelBytes(build: KernelBuild): Uint8Array<ArrayBuffer> {
  return decodeBase64(build === "simd" ? simdKernelsBase64 : scalarKernelsBase64);
}

function environmentChoice(): string | undefined {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  return env?.[kernelBuildEnvVariable];
}

/** True when this WebAssembly engine accepts the SIMD build. */
export function simdSupported(): boolean {
  return WebAssembly.validate(kernelBytes("simd"));
}

/**
 * Resolves a build option to a concrete build. Explicit "simd" on an engine without SIMD is an
 * error; "auto" honours the environment variable, then falls back to scalar without SIMD.
 */
export function resolveKernelBuild(option: KernelBuildOption = "auto"): KernelBuild {
  if (option !== "auto" && option !== "simd" && option !== "scalar") {
    throw new FheError("INVALID_ARGUMENT", "load kernels", `unknown kernel build ${describe(option)}`);
  }
  let choice: string = option;
  if (choice === "auto") {
    const fromEnv = environmentChoice();
    if (fromEnv !== undefined && fromEnv !== "" && fromEnv !== "auto") {
      if (fromEnv !== "simd" && fromEnv !== "scalar") {
        throw new FheError("INVALID_ARGUMENT", "load kernels",
          `${kernelBuildEnvVariable} must be "simd", "scalar" or "auto", not "${fromEnv}"`);
      }
      choice = fromEnv;
    }
  }
  if (choice === "scalar") return "scalar";
  if (simdSupported()) return "simd";
  if (choice === "simd") {
    throw new FheError("WASM_UNAVAILABLE", "load kernels", "this WebAssembly engine does not support SIMD");
  }
  return "scalar";
}
