import { fileURLToPath } from 'node:url'
import { defineNitroPlugin, useRuntimeConfig, useStorage } from 'nitropack/runtime'
import type { Migration } from '../db/migrate'
import type { ManifestSource } from '../ml/registry'
import { BUILD_SNAPSHOT_DIR } from '../db/snapshot'
import { latticeConfigFromEnv } from '../app/config'
import { provideLattice } from '../app/instance'
import { startLattice } from '../app/start'
import { limitWasmTiering } from '../app/wasm-tiering'

/** The text of every file of a bundled asset folder whose key ends with `suffix`, in key order. */
async function bundledTexts(base: string, suffix: string): Promise<{ key: string; text: string }[]> {
  const storage = useStorage(`assets:${base}`)
  const keys = (await storage.getKeys()).filter((key) => key.endsWith(suffix)).sort()
  return Promise.all(keys.map(async (key) => {
    const raw = await storage.getItemRaw(key)
    return { key, text: typeof raw === 'string' ? raw : Buffer.from(raw as Uint8Array).toString('utf8') }
  }))
}

/** Migrations are bundled into the server build as assets, so `.output` runs without the repo. */
async function bundledMigrations(): Promise<Migration[]> {
  return (await bundledTexts('migrations', ':migration.sql')).map(({ key, text }) => ({ name: key.slice(0, -':migration.sql'.length), sql: text }))
}

/** The model manifests (models/*.json), bundled the same way. */
async function bundledModelManifests(): Promise<ManifestSource[]> {
  return (await bundledTexts('models', '.json')).map(({ key, text }) => {
    const file = `models/${key.replace(/:/g, '/')}`
    try {
      return { file, raw: JSON.parse(text) as unknown }
    } catch {
      throw new Error(`Model manifest ${file} is not valid JSON.`)
    }
  })
}

/**
 * Where `nuxt build` left the database snapshot: beside the server entry, whose URL Nitro gives
 * all bundled code as import.meta.url. The entry sets it only after the bundle (and so this plugin)
 * has been evaluated: call this after an await. A dev server has no snapshot (initdb runs instead).
 */
const buildSnapshot = () => fileURLToPath(new URL(`./${BUILD_SNAPSHOT_DIR}`, import.meta.url))

export default defineNitroPlugin((nitroApp) => {
  limitWasmTiering()
  const version = String(useRuntimeConfig().public.version ?? 'dev')
  const starting = (async () => {
    const [migrations, manifests] = await Promise.all([bundledMigrations(), bundledModelManifests()])
    return startLattice(latticeConfigFromEnv(process.env, { dbSnapshot: buildSnapshot(), baseURL: useRuntimeConfig().app.baseURL }), migrations, version, manifests)
  })()
  starting.then(
    (lattice) => console.info(`[lattice] ready: ${lattice.services.db.kind} database, data in ${lattice.config.dataDir}`),
    (error: Error) => {
      // Nothing can be served without the database: say why and exit so a supervisor restarts us.
      console.error(`[lattice] could not start: ${error.message}`)
      process.exit(1)
    },
  )
  provideLattice(starting)
  nitroApp.hooks.hook('close', async () => {
    await (await starting).stop()
  })
})
