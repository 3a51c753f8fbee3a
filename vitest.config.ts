import { realpathSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { defineVitestProject } from '@nuxt/test-utils/config'
import { defineConfig } from 'vitest/config'

const root = fileURLToPath(new URL('.', import.meta.url))

export default defineConfig({
  test: {
    projects: [
      // Property tests walk hundreds of generated documents: more than the 5 s default on a busy 2-core machine.
      { test: { name: 'unit', include: ['tests/unit/**/*.test.ts'], environment: 'node', testTimeout: 30_000 } },
      // Every database test runs against embedded PGlite and the PostgreSQL server.
      { test: { name: 'db', include: ['tests/db/**/*.test.ts'], environment: 'node', testTimeout: 60_000, hookTimeout: 60_000 } },
      // The ComfyUI client against an in-process ComfyUI stand-in.
      { test: { name: 'comfy', include: ['tests/comfy/**/*.test.ts'], environment: 'node', testTimeout: 60_000, hookTimeout: 60_000 } },
      // The built app (`.output`) as a real process, driven through the typed client and HTTP.
      { test: { name: 'e2e', include: ['tests/e2e/**/*.test.ts'], environment: 'node', testTimeout: 90_000, hookTimeout: 90_000 } },
      // The built app in headless Chromium.
      { test: { name: 'browser', include: ['tests/browser/**/*.test.ts', 'tests/render/**/*.test.ts'], environment: 'node', testTimeout: 90_000, hookTimeout: 90_000, fileParallelism: false } },
      // Stores and components inside the Nuxt app (happy-dom), with only the tRPC server stood in.
      await defineVitestProject({
        // node_modules may be a link to an install shared by several checkouts; Vite serves only allowed folders.
        server: { fs: { allow: [root, realpathSync(`${root}node_modules`)] } },
        test: {
          name: 'nuxt',
          include: ['tests/nuxt/**/*.test.ts'],
          environment: 'nuxt',
          environmentOptions: { nuxt: { domEnvironment: 'happy-dom' } },
          // Starting the app in a fresh worker transforms Nuxt UI and the stores first: slow once, cold.
          hookTimeout: 60_000,
          testTimeout: 30_000,
        },
      }),
    ],
  },
})
