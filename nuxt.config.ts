import { fileURLToPath } from 'node:url'
import pkg from './package.json' with { type: 'json' }

// A second build beside the usual one (the sub-path build the proxy test serves) gets its own
// output and build folders, so neither overwrites the other.
const outputDir = process.env.NITRO_OUTPUT_DIR?.trim()
const buildDir = process.env.NUXT_BUILD_DIR?.trim()

export default defineNuxtConfig({
  compatibilityDate: '2026-11-01',
  // The design card's layout: pages, components, stores, server at the repo root.
  srcDir: '.',
  ...(buildDir ? { buildDir } : {}),
  dir: { app: 'app' },
  // An editor behind sign-in: rendered in the browser, served as one SPA shell.
  ssr: false,
  modules: ['@nuxt/ui', '@pinia/nuxt', '@nuxt/eslint'],
  css: ['~/assets/css/main.css'],
  devtools: { enabled: false },
  telemetry: false,
  // Studios run this on networks without internet: no web fonts, icons bundled from @iconify-json.
  ui: { fonts: false },
  // Dark first: set before the app loads so a light system theme does not flash.
  colorMode: { preference: 'dark', fallback: 'dark' },
  // Never the Iconify API: an unknown collection (or a path trick) is a 404, and the server reaches nothing.
  icon: { provider: 'server', serverBundle: 'local', clientBundle: { scan: true }, fallbackToApi: false },
  pinia: { storesDirs: ['./stores/**'] },
  imports: { dirs: ['stores'] },
  runtimeConfig: { public: { version: pkg.version } },
  // The base URL is fixed at build time (NUXT_APP_BASE_URL), so the favicon's path can be too.
  app: { head: { title: 'Lattice', link: [{ rel: 'icon', href: `${(process.env.NUXT_APP_BASE_URL?.trim() || '/').replace(/\/?$/, '/')}favicon.svg` }] } },
  nitro: {
    // Nitro's node server with a larger header limit and clear answers to refused requests.
    entry: fileURLToPath(new URL('./server/entry/node-server.ts', import.meta.url)),
    ...(outputDir ? { output: { dir: outputDir } } : {}),
    // Bundled so `.output` can migrate a database without the repo beside it.
    // file-type loads strtok3's Node entry through an export condition the tracer does not follow.
    externals: { traceInclude: [fileURLToPath(new URL('./node_modules/strtok3/lib/index.js', import.meta.url))] },
    serverAssets: [
      { baseName: 'migrations', dir: fileURLToPath(new URL('./prisma/migrations', import.meta.url)) },
      // The model manifests (never weights): the AI model manager's list of known models.
      { baseName: 'models', dir: fileURLToPath(new URL('./models', import.meta.url)) },
    ],
  },
  hooks: {
    // A new embedded database starts from a snapshot made here instead of running initdb at first
    // start (server/db/snapshot.ts). Made after the server is bundled, beside it in .output/server.
    'nitro:init'(nitro) {
      if (nitro.options.dev) return
      nitro.hooks.hook('compiled', async () => {
        const { writeBuildSnapshot } = await import('./scripts/db-snapshot')
        await writeBuildSnapshot(nitro.options.output.serverDir)
      })
    },
  },
  // trpc-nuxt imports from `#imports`, which only resolves when it is bundled with the app.
  build: { transpile: ['trpc-nuxt'] },
  typescript: { strict: true },
})
