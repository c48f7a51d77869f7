// Public entry point of the library.
export * from "./ring/index.js";
