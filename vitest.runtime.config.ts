import { defineConfig } from "vitest/config";

/** The suites that run again under Bun and Deno: core logic and storage, on each runtime's own adapter. */
export default defineConfig({
  test: {
    include: ["test/core/**/*.test.ts", "test/storage/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 30_000,
  },
});
