// The page's Web Worker: keys, encryption and decryption off the main thread (RemoteContext).
import { serveContext } from "../../engine/index.js";

serveContext(self as unknown as Parameters<typeof serveContext>[0]);
