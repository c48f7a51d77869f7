// `npm start`: the end-to-end encrypted-inference demo. The client encrypts MNIST test digits
// (one digit per slot, 4096 per ciphertext), the server runs the shipped CryptoNets model on the
// ciphertexts with every core, the client decrypts; accuracies, agreement with the plaintext
// model, timings, sizes and parameters are printed. Options as `npm run mnist`.

import { runMnist } from "../nn/node/mnist-cli.js";

console.log("Encrypted MNIST inference (CryptoNets model, batch packing): client encrypts, server computes on ciphertexts, client decrypts.\n");
runMnist(["--model", "cryptonets", ...process.argv.slice(2)]).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
