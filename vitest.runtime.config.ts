import { defineConfig } from "vitest/config";

/** The suites that run again under Bun and Deno: core logic, storage on each runtime's own adapter, and the protocol codecs (cbor-x must load its pure-JS build everywhere). */
export default defineConfig({
  test: {
    include: ["test/core/**/*.test.ts", "test/storage/**/*.test.ts", "test/protocol/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 30_000,
  },
});
