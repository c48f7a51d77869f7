// Runs an ES module file in a fresh V8 realm (node:vm) where Symbol.dispose and
// Symbol.asyncDispose do not exist, as on engines without explicit resource management
// (Safari, Chrome before 134, Firefox before 141). Node defines both symbols, non-configurable,
// in its own realms, so they cannot be deleted there; a new vm context is a realm V8 built
// without them. The realm gets only the web-platform globals a page or worker has
// (crypto, atob, btoa, TextEncoder, TextDecoder, performance, console); no process, no Buffer.
//
// Usage: node --experimental-vm-modules test/helpers/bare-realm.mjs <module.mjs>
// Every module of the graph is loaded from disk (relative specifiers only); the module's
// default export (a function, possibly async) is called and its JSON result printed on stdout.

import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import vm from "node:vm";

const context = vm.createContext({ console, crypto, atob, btoa, TextDecoder, performance });
// Typed arrays made by this realm's TextEncoder would fail the library's instanceof checks in
// the bare realm: its TextEncoder copies into the bare realm's own Uint8Array.
const outerEncoder = new TextEncoder();
vm.runInContext(`(encode) => {
  globalThis.TextEncoder = class TextEncoder {
    get encoding() { return "utf-8"; }
    encode(text = "") { return new Uint8Array(encode(String(text))); }
  };
}`, context)((text) => outerEncoder.encode(text));
const missing = vm.runInContext("[typeof Symbol.dispose, typeof Symbol.asyncDispose]", context);
if (missing[0] !== "undefined" || missing[1] !== "undefined") {
  throw new Error(`the bare realm unexpectedly has Symbol.dispose (${missing.join(", ")})`);
}
vm.runInContext("globalThis.globalThis = globalThis", context);

const modules = new Map();

function load(path) {
  let module = modules.get(path);
  if (module === undefined) {
    module = new vm.SourceTextModule(readFileSync(path, "utf8"), { context, identifier: path });
    modules.set(path, module);
  }
  return module;
}

async function link(specifier, referencing) {
  if (!specifier.startsWith(".")) throw new Error(`bare realm: only relative imports are loaded, not ${specifier}`);
  return load(resolve(dirname(referencing.identifier), specifier));
}

const entry = load(resolve(process.argv[2]));
await entry.link(link);
await entry.evaluate();
const result = await entry.namespace.default();
const dispose = vm.runInContext("typeof Symbol.dispose", context);
console.log(JSON.stringify({ result, symbolDispose: dispose }));
