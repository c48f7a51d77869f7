// Entry point `wasm-ckks/worker`: the calling side of CKKS off the main thread (browser Web
// Workers and Node worker_threads alike). It loads no WebAssembly and none of the engine; the
// worker script imports serveContext from the main entry point.
export { RemoteContext, type RemoteContextOptions, type TransferOption } from "./remote-context.js";
export {
  remoteOperations, type RemoteOperation, type RemoteOperand, type EvaluationKeyBytes, type RemoteParametersInfo,
  type WorkerEndpoint,
} from "./protocol.js";
export { FheError, type FheErrorCode } from "../ring/errors.js";
