// Engines without Symbol.dispose (Safari, Chrome before 134, Firefox before 141): the built
// package's smoke path in a fresh child process, inside a V8 realm that has neither
// Symbol.dispose nor Symbol.asyncDispose (test/helpers/bare-realm.mjs; Node's own realms
// define both, non-configurable). Needs the build (npm test runs it first).

import { execFileSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { Ciphertext } from "../../engine/index.js";

const helpers = join(dirname(fileURLToPath(import.meta.url)), "..", "helpers");

interface BareRealmRun {
  readonly symbolDispose: string;
  readonly result: {
    readonly smoke: {
      readonly mulRelinError: number;
      readonly rotateError: number;
      readonly disposeIsSymbol: boolean;
      readonly liveAtStart: number;
      readonly liveBefore: number;
      readonly liveAfterSymbolDispose: number;
      readonly liveAtEnd: number;
    };
    readonly registeredSymbol: boolean;
    readonly disposableClasses: readonly string[];
    readonly withoutSymbolDispose: readonly string[];
    readonly withUndefinedMethod: readonly string[];
  };
}

function runInBareRealm(entry: string): BareRealmRun {
  const output = execFileSync(
    process.execPath,
    ["--no-warnings", "--experimental-vm-modules", join(helpers, "bare-realm.mjs"), join(helpers, entry)],
    { encoding: "utf8" },
  );
  return JSON.parse(output.trim().split("\n").at(-1)!) as BareRealmRun;
}

describe("an engine without Symbol.dispose", () => {
  let run: BareRealmRun;
  beforeAll(() => {
    run = runInBareRealm("smoke-entry.mjs");
  });

  it("runs keys, encrypt, mulRelin, rotate, decrypt and dispose with the shimmed symbols", () => {
    const { symbolDispose, result } = run;
    expect(symbolDispose).toBe("symbol");
    expect(result.registeredSymbol).toBe(true);
    const smoke = result.smoke;
    expect(smoke.mulRelinError).toBeLessThan(1e-3);
    expect(smoke.rotateError).toBeLessThan(1e-3);
    expect(smoke.disposeIsSymbol).toBe(true);
    expect(smoke.liveAfterSymbolDispose).toBe(smoke.liveBefore - 1);
    expect(smoke.liveAtEnd).toBe(smoke.liveAtStart);
  });

  it("gives every disposable class of both entry points a [Symbol.dispose] method (none named \"undefined\")", () => {
    const { result } = run;
    expect(result.disposableClasses).toEqual(expect.arrayContaining(["Ciphertext", "Plaintext", "SecretKey", "EncryptedTensor", "CompiledModel"]));
    expect(result.withoutSymbolDispose).toEqual([]);
    expect(result.withUndefinedMethod).toEqual([]);
  });

  it("leaves an engine's own Symbol.dispose alone", () => {
    expect(Symbol.dispose).not.toBe(Symbol.for("Symbol.dispose"));
    expect(Ciphertext.prototype[Symbol.dispose]).toBeTypeOf("function");
  });
});
