import { access } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { createModelManager } from '../../../server/ml'
import { estimateDepth } from '../../../server/ml/tasks/depth'
import { matte } from '../../../server/ml/tasks/matte'
import { EmbeddingCache, segment } from '../../../server/ml/tasks/segment'
import { readManifestFiles, parseManifests } from '../../../server/ml/registry'
import { discIoU, discPng, insideDisc } from './tasks/helpers'

/**
 * The shipped models (models/*.json) on their real weights. No registry has them, so these run
 * only where an admin downloaded them: set LATTICE_TEST_MODELS_DIR to that models folder. Without
 * it each test is reported as skipped, saying what it needs.
 */
const modelsDir = process.env.LATTICE_TEST_MODELS_DIR
const manifests = parseManifests(await readManifestFiles('models'))
const has = async (id: string) => Boolean(modelsDir) && await access(join(modelsDir!, id)).then(() => true, () => false)
const DISC = { cx: 256, cy: 192, r: 110, fill: '#e06020' }

function manager() {
  return createModelManager({ manifestsDir: 'models', modelsDir: modelsDir!, device: 'auto', memoryBudgetBytes: 8192 * 1024 * 1024, idleMs: 60_000, log: () => {} })
}

describe('shipped models on their real weights (LATTICE_TEST_MODELS_DIR)', () => {
  it('every shipped manifest parses, pins its URLs to a commit and names a default per task', () => {
    for (const m of manifests) for (const f of m.files) if (f.url) expect(f.url, `${m.id}: ${f.path}`).toMatch(/\/(resolve|raw)\/[0-9a-f]{40}\//)
    for (const task of ['depth', 'matte', 'segment', 'caption']) expect(manifests.filter((m) => m.task === task && m.default), task).toHaveLength(1)
  })

  it.skipIf(!modelsDir)('needs LATTICE_TEST_MODELS_DIR with depth-anything-v2-small: a lit disc comes out nearer than the floor', async () => {
    if (!await has('depth-anything-v2-small')) throw new Error(`depth-anything-v2-small is not in ${modelsDir}; download it in Settings → Models first.`)
    const models = manager()
    await models.start()
    try {
      const depth = await models.use('depth-anything-v2-small', async (model) => estimateDepth(model, await discPng(512, 384, DISC)))
      expect([depth.width, depth.height]).toEqual([512, 384])
      expect(depth.depth[DISC.cy * 512 + DISC.cx]!).toBeGreaterThan(depth.depth[5 * 512 + 5]!)
    } finally {
      await models.close()
    }
  }, 300_000)

  it.skipIf(!modelsDir)('needs LATTICE_TEST_MODELS_DIR with birefnet-lite: the matte is the disc', async () => {
    if (!await has('birefnet-lite')) throw new Error(`birefnet-lite is not in ${modelsDir}; download it in Settings → Models first.`)
    const models = manager()
    await models.start()
    try {
      const result = await models.use('birefnet-lite', async (model) => matte(model, await discPng(512, 384, DISC)))
      expect(discIoU(result.alpha, 512, 384, DISC)).toBeGreaterThan(0.9)
    } finally {
      await models.close()
    }
  }, 300_000)

  it.skipIf(!modelsDir)('needs LATTICE_TEST_MODELS_DIR with slimsam-77-uniform: a click on the disc gives a mask of the disc', async () => {
    if (!await has('slimsam-77-uniform')) throw new Error(`slimsam-77-uniform is not in ${modelsDir}; download it in Settings → Models first.`)
    const models = manager()
    await models.start()
    try {
      const png = await discPng(512, 384, DISC)
      const result = await models.use('slimsam-77-uniform', (model) => segment(model, new EmbeddingCache(), 'disc', async () => png, { points: [{ x: DISC.cx, y: DISC.cy, label: 1 }] }))
      const best = Math.max(...result.masks.map((m) => discIoU(m.mask, m.width, m.height, DISC)))
      expect(best).toBeGreaterThan(0.85)
      expect(insideDisc(DISC.cx, DISC.cy, DISC)).toBe(true)
    } finally {
      await models.close()
    }
  }, 300_000)
})
