// A worker thread serving a RemoteContext from the built package, as a user's worker script would.
import { parentPort } from "node:worker_threads";
import { serveContext } from "../../dist/engine/index.js";

serveContext(parentPort);
