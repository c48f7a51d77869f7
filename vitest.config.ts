import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    exclude: ["test/**/*.slow.test.ts", "test/**/*.browser.test.ts"],
    pool: "forks",
    // The memory tests force garbage collection to check that forgotten handles are reclaimed.
    execArgv: ["--expose-gc"],
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
