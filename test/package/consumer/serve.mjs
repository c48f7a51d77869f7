// The worker script a user writes: two lines.
import { parentPort } from "node:worker_threads";
import { serveContext } from "wasm-ckks";

serveContext(parentPort);
