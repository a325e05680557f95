import { configDefaults, defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 30_000,
    projects: [
      {
        extends: true,
        test: {
          name: "unit",
          include: ["test/**/*.test.ts"],
          exclude: [...configDefaults.exclude, "test/e2e/**", "test/browser/**"],
        },
      },
      {
        // The black-box suite: spawns `edgelog serve` on Node, Bun, Deno and the compiled binary,
        // and drives the client in headless Chromium (test/browser).
        // It runs after the unit tests (groupOrder) so that the brokers do not compete with them for
        // the CPU, and builds dist/edgelog first when it is stale (global setup).
        extends: true,
        test: {
          name: "e2e",
          include: ["test/e2e/**/*.test.ts", "test/browser/**/*.test.ts"],
          globalSetup: ["test/e2e/global-setup.ts"],
          testTimeout: 60_000,
          hookTimeout: 90_000,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
