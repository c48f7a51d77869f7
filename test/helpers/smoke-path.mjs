// The library's smoke path, written against the public entry point only so that it runs
// unchanged wherever the library runs: a Node realm without Symbol.dispose, a page, a Web
// Worker. Key generation, public-key encryption, mulRelin + rescale, a rotation, decryption,
// and disposal (through the Symbol.dispose method every library object has, and dispose()).
// Returns plain JSON: the worst absolute error of each result and the disposal checks.

/** The smoke path's parameters: small and insecure on purpose (N = 2^11, fast everywhere). */
export const smokeLiteral = { logN: 11, logScale: 30, depth: 2, allowInsecureParametersForTesting: true };

function worstError(actual, expected) {
  let worst = 0;
  for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(actual[i] - expected[i]));
  return worst;
}

/**
 * Runs the smoke path with `lib`, the namespace of the library's entry point.
 * @returns {{ mulRelinError: number, rotateError: number, disposeIsSymbol: boolean, liveBefore: number,
 *   liveAfterSymbolDispose: number, liveAtEnd: number, liveAtStart: number }}
 */
export function runSmokePath(lib) {
  const liveAtStart = lib.memory().numObjects;
  const params = lib.Parameters.create(smokeLiteral);
  const keygen = new lib.KeyGenerator(params);
  const encoder = new lib.Encoder(params);
  const relinearizationKey = keygen.createRelinearizationKey();
  const galoisKeys = keygen.createGaloisKeys({ steps: [1] });
  const publicKey = keygen.createPublicKey();
  const evaluator = new lib.Evaluator(params, { relinearizationKey, galoisKeys });
  const encryptor = new lib.Encryptor(params, publicKey);
  const decryptor = new lib.Decryptor(params, keygen.secretKey);
  const x = [0.5, 0.25, -1, 2];
  const y = [2, 4, 8, -0.5];
  const px = encoder.encode(x);
  const py = encoder.encode(y);
  const cx = encryptor.encrypt(px);
  const cy = encryptor.encrypt(py);
  const unscaled = evaluator.mulRelin(cx, cy);
  const product = evaluator.rescale(unscaled);
  const rotated = evaluator.rotate(cx, 1);
  const decrypted = decryptor.decrypt(product);
  const decryptedRotation = decryptor.decrypt(rotated);
  const decoded = encoder.decode(decrypted).slice(0, x.length);
  const decodedRotation = encoder.decode(decryptedRotation).slice(0, x.length);
  const disposeIsSymbol = typeof Symbol.dispose === "symbol" && typeof product[Symbol.dispose] === "function";
  const liveBefore = lib.memory().numObjects;
  product[Symbol.dispose]();
  const liveAfterSymbolDispose = lib.memory().numObjects;
  lib.dispose([
    px, py, cx, cy, unscaled, rotated, decrypted, decryptedRotation,
    relinearizationKey, galoisKeys, publicKey, keygen.secretKey,
  ]);
  return {
    mulRelinError: worstError(decoded, x.map((v, i) => v * y[i])),
    rotateError: worstError(decodedRotation, [...x.slice(1), x[0]]),
    disposeIsSymbol,
    liveAtStart,
    liveBefore,
    liveAfterSymbolDispose,
    liveAtEnd: lib.memory().numObjects,
  };
}
