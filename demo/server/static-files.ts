// The page's files: demo/public (HTML, CSS) and the compiled modules it imports from dist/
// (the library and the page's scripts), GET only, paths confined to those folders.

import { createReadStream, statSync } from "node:fs";
import type { ServerResponse } from "node:http";
import { extname, join, normalize, sep } from "node:path";

const types: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".png": "image/png",
};

/** The folders served, below the repository root: URL /dist/engine/... is dist/engine/.... */
const roots = ["dist/engine", "dist/nn", "dist/demo/client", "dist/demo/server"] as const;

/** The file of a URL path under `root` (the repository), or undefined. "/" is the page. */
export function staticFile(root: string, pathname: string): string | undefined {
  const relative = pathname === "/" ? "/demo/public/index.html" : pathname;
  const path = normalize(join(root, relative));
  const allowed = [join(root, "demo", "public"), ...roots.map((r) => join(root, r))].some((dir) => path.startsWith(dir + sep));
  if (!allowed || !(extname(path) in types)) return undefined;
  return statSync(path, { throwIfNoEntry: false })?.isFile() === true ? path : undefined;
}

export function sendFile(response: ServerResponse, file: string): void {
  response.writeHead(200, { "content-type": types[extname(file)]!, "cache-control": "no-store" });
  createReadStream(file).pipe(response);
}
