import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts", "test/**/*.test.tsx"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Integration suites start brokers on loopback ports; keep files parallel
    // but let each file own its brokers.
    pool: "forks",
  },
});
