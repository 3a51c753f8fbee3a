import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    projects: [
      { test: { name: 'unit', include: ['tests/unit/**/*.test.ts'], environment: 'node' } },
      // Every database test runs against embedded PGlite and the PostgreSQL server.
      { test: { name: 'db', include: ['tests/db/**/*.test.ts'], environment: 'node', testTimeout: 60_000, hookTimeout: 60_000 } },
      // The ComfyUI client against an in-process ComfyUI stand-in.
      { test: { name: 'comfy', include: ['tests/comfy/**/*.test.ts'], environment: 'node', testTimeout: 60_000, hookTimeout: 60_000 } },
      // The built app (`.output`) as a real process, driven through the typed client and HTTP.
      { test: { name: 'e2e', include: ['tests/e2e/**/*.test.ts'], environment: 'node', testTimeout: 90_000, hookTimeout: 90_000 } },
      // The built app in headless Chromium.
      { test: { name: 'browser', include: ['tests/browser/**/*.test.ts', 'tests/render/**/*.test.ts'], environment: 'node', testTimeout: 90_000, hookTimeout: 90_000, fileParallelism: false } },
    ],
  },
})
