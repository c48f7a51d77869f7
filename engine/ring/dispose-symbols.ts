// Defines Symbol.dispose and Symbol.asyncDispose on engines that lack them (Safari and every
// iOS browser, Chrome before 134, Firefox before 141); a no-op where they exist.
//
// Why a module of its own, imported by every module that defines a [Symbol.dispose] method and
// by the entry points: a computed method name is evaluated when its class is defined, so on
// such an engine `[Symbol.dispose]() {}` would define a method named "undefined", and the
// downlevelled `using` (TypeScript's __addDisposableResource, which reads Symbol.dispose at
// each declaration) would throw "Symbol.dispose is not defined". This module imports nothing,
// so ES module evaluation order runs it before the body of any module that imports it, in
// whatever order the importer lists its imports.
//
// The symbols are registered ones (Symbol.for), as other polyfills commonly do, so that two
// copies of the library, or the library and another shimmed package, agree on them.

declare global {
  interface SymbolConstructor {
    /** The method `using` calls at the end of its scope (ECMAScript explicit resource management). */
    readonly dispose: unique symbol;
    /** The method `await using` calls at the end of its scope. */
    readonly asyncDispose: unique symbol;
  }
  /** An object `using` can dispose (declared here for users whose lib has no esnext.disposable). */
  interface Disposable {
    [Symbol.dispose](): void;
  }
}

function defineWhenMissing(name: "dispose" | "asyncDispose"): void {
  if (typeof (Symbol as unknown as Record<string, unknown>)[name] === "symbol") return;
  Object.defineProperty(Symbol, name, {
    value: Symbol.for(`Symbol.${name}`), writable: false, enumerable: false, configurable: true,
  });
}

defineWhenMissing("dispose");
defineWhenMissing("asyncDispose");

export {};
