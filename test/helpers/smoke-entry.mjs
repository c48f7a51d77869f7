// Entry module for bare-realm.mjs: the smoke path against the built package (dist/), and the
// disposer of every exported class of both entry points.
import * as lib from "../../dist/engine/index.js";
import * as nn from "../../dist/nn/index.js";
import { runSmokePath } from "./smoke-path.mjs";

/** Exported classes whose prototype has a dispose() method, by name. */
function disposableClasses(namespace) {
  return Object.entries(namespace).filter(([, value]) => typeof value === "function" && typeof value.prototype?.dispose === "function");
}

export default () => {
  const classes = [...disposableClasses(lib), ...disposableClasses(nn)];
  return {
    smoke: runSmokePath(lib),
    registeredSymbol: Symbol.dispose === Symbol.for("Symbol.dispose") && Symbol.asyncDispose === Symbol.for("Symbol.asyncDispose"),
    disposableClasses: classes.map(([name]) => name).sort(),
    withoutSymbolDispose: classes.filter(([, c]) => typeof c.prototype[Symbol.dispose] !== "function").map(([name]) => name),
    withUndefinedMethod: classes.filter(([, c]) => Object.hasOwn(c.prototype, "undefined")).map(([name]) => name),
  };
};
