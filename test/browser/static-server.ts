// A static file server for the browser tests: the repository root (dist/, test/) on
// 127.0.0.1 at a free port, GET only, paths confined to the root.

import { createReadStream, statSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { extname, join, normalize, sep } from "node:path";

const types: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".json": "application/json",
  ".wasm": "application/wasm",
};

export interface StaticServer {
  /** Base URL, without a trailing slash. */
  readonly url: string;
  close(): Promise<void>;
}

/** Serves `root` until close(). */
export async function serveStatic(root: string): Promise<StaticServer> {
  const server = createServer((request, response) => {
    const path = normalize(join(root, decodeURIComponent(new URL(request.url ?? "/", "http://x").pathname)));
    const file = path.startsWith(root + sep) && statSync(path, { throwIfNoEntry: false })?.isFile() === true ? path : undefined;
    if (request.method !== "GET" || file === undefined) {
      response.writeHead(request.method !== "GET" ? 405 : 404).end();
      return;
    }
    response.writeHead(200, { "content-type": types[extname(file)] ?? "application/octet-stream", "cache-control": "no-store" });
    createReadStream(file).pipe(response);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
