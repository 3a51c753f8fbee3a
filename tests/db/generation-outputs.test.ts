import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AuthService } from '../../server/services/auth/auth.service'
import type { ComfyStandIn } from '../comfy/stand-in/server'
import { BACKENDS, freshDatabase } from './harness'
import { settle, startLattice, startStandIn, statusesOf, useServers, type Lattice } from './generations-harness'

const LIMIT = 200

describe.each(BACKENDS)('the output size limit on %s', (backend) => {
  let ctx: Awaited<ReturnType<typeof freshDatabase>>
  let dir: string
  let lattice: Lattice
  let gpu: ComfyStandIn
  let owner: string

  beforeAll(async () => {
    ctx = await freshDatabase(backend)
    dir = await mkdtemp(join(tmpdir(), 'lattice-outputs-'))
    owner = (await new AuthService(ctx.db).createUser({ email: 'outputs@example.com', password: 'password-o' })).id
    // Uploads may be far larger: the two limits are separate.
    lattice = await startLattice(ctx.db, dir, { maxOutputBytes: LIMIT })
    gpu = await startStandIn()
    await useServers(ctx.db, lattice, [gpu])
  })
  afterAll(async () => {
    await lattice?.stop()
    await gpu?.stop()
    await ctx?.dispose()
    await rm(dir, { recursive: true, force: true })
  })

  it('fails a generation whose output is over LATTICE_MAX_OUTPUT_MB, naming the limit, without retrying or keeping any of it', async () => {
    const created = await lattice.service.create(owner, { templateId: 'text-to-image', params: { steps: 1, width: 256, height: 256 } })
    const events = await settle(lattice, created.id)
    const done = await lattice.service.get(owner, created.id)
    expect(done).toMatchObject({ status: 'failed', errorKind: 'output_too_large', attempts: 1, outputs: [] })
    expect(done.error).toContain(`over the ${LIMIT} B limit for outputs`)
    expect(done.error).toContain('LATTICE_MAX_OUTPUT_MB')
    expect(statusesOf(events)).toEqual(['queued', 'dispatched', 'running', 'failed'])
    expect(gpu.queued.filter((id) => id === created.id)).toHaveLength(1)
    expect(await ctx.db.prisma.asset.count()).toBe(0)
    expect(await readdir(join(dir, 'tmp')).catch(() => [])).toEqual([])
  })

  it('holds outputs stored as assets to the output limit, not the upload limit', async () => {
    const over = Readable.from([Buffer.alloc(LIMIT + 1, 7)])
    const error = await lattice.assets.ingest(owner, over, 'result.png', 'output').catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'PAYLOAD_TOO_LARGE' })
    expect((error as Error).message).toContain('LATTICE_MAX_OUTPUT_MB')
    expect(await readdir(join(dir, 'tmp')).catch(() => [])).toEqual([])
  })
})
