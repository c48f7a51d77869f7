// `npm run demo:web`: the encrypted MNIST web demo on http://127.0.0.1:PORT (default 8080).

import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { startDemoServer } from "./server/app.js";
import { compileDemoModel, demoDigits, demoParameters } from "./server/model.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const compiled = compileDemoModel(root);
const server = await startDemoServer({ compiled, parameters: demoParameters, root, digits: demoDigits(), port: Number(process.env.PORT ?? 8080) });
console.log(`encrypted MNIST demo on ${server.url} (the server sees only ciphertexts and evaluation keys; Ctrl-C stops it)`);
process.on("SIGINT", () => void server.close().then(() => process.exit(0)));
