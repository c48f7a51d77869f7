// `npm start`: the end-to-end encrypted-inference demo. The client encrypts MNIST test digits
// (complex batch packing: two digits per slot, 8192 per ciphertext; `-- --mode batch` for one
// per slot), the server runs the shipped CryptoNets model on the
// ciphertexts with every core, the client decrypts; accuracies, agreement with the plaintext
// model, timings, sizes and parameters are printed. Options as `npm run mnist`.

import { runMnist } from "../nn/node/mnist-cli.js";

console.log("Encrypted MNIST inference (CryptoNets model, complex batch packing): client encrypts, server computes on ciphertexts, client decrypts.\n");
runMnist(["--model", "cryptonets", "--mode", "complex", ...process.argv.slice(2)]).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
