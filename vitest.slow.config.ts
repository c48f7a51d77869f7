import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.slow.test.ts"],
    pool: "forks",
    execArgv: ["--expose-gc"],
    testTimeout: 1_800_000,
  },
});
