import { execFile } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createLatticeClient } from '../../client'
import { parseDocument } from '../../shared/project'
import { BOOTSTRAP_TOKEN, startServer, type RunningServer } from './server'

const run = promisify(execFile)
const TSX = resolve('node_modules/.bin/tsx')

/** The scripts in examples/ run as users run them: a separate process with a URL and a token. */
describe('examples/ against the built server', () => {
  let server: RunningServer
  let work: string
  beforeAll(async () => {
    server = await startServer()
    work = await mkdtemp(join(tmpdir(), 'lattice-examples-'))
  })
  afterAll(async () => {
    await server?.dispose()
    if (work) await rm(work, { recursive: true, force: true })
  })

  const env = () => ({ ...process.env, LATTICE_URL: server.url, LATTICE_TOKEN: BOOTSTRAP_TOKEN })

  it('quickstart.ts creates a project, uploads a video, follows its job to the end and lists projects', async () => {
    const { execFileSync } = await import('node:child_process')
    execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc=size=160x120:rate=24', '-t', '1', '-pix_fmt', 'yuv420p', join(work, 'shot.mp4')])
    const { stdout } = await run(TSX, [resolve('examples/quickstart.ts'), 'shot.mp4'], { cwd: work, env: env() })
    expect(stdout).toMatch(/project Quickstart .* \([0-9a-f-]{36}\)/)
    expect(stdout).toContain('asset shot.mp4: video, processing')
    expect(stdout).toContain('job succeeded')
    expect(stdout).toMatch(/100%/)
    expect(stdout).toMatch(/asset ready: .*"fps":24/)
    expect(stdout).toMatch(/latest projects:\n\s+\S+\s+Quickstart/)
  })

  it('projects.ts creates, copies and exports a project', async () => {
    const { stdout } = await run(TSX, [resolve('examples/projects.ts'), 'Harbour'], { cwd: work, env: env() })
    expect(stdout).toMatch(/created [0-9a-f-]{36}, copied to [0-9a-f-]{36}, exported to Harbour\.lattice\.json/)
    const file = JSON.parse(await readFile(join(work, 'Harbour.lattice.json'), 'utf8'))
    expect(parseDocument(file.document).document.compositions[file.document.mainCompositionId]).toMatchObject({ width: 1024, height: 576 })
    const names = (await createLatticeClient({ url: server.url, token: BOOTSTRAP_TOKEN }).api.projects.list.query({})).items.map((p) => p.name)
    expect(names).toEqual(expect.arrayContaining(['Harbour', 'Harbour (alt)']))
  })

  it('upload-and-track.ts uploads a file and prints its metadata', async () => {
    await sharp({ create: { width: 40, height: 30, channels: 3, background: '#336699' } }).jpeg().toFile(join(work, 'swatch.jpg'))
    const { stdout } = await run(TSX, [resolve('examples/upload-and-track.ts'), 'swatch.jpg'], { cwd: work, env: env() })
    expect(stdout).toContain('swatch.jpg: image, uploaded')
    expect(stdout).toMatch(/ready: .*"width":40.*"height":30/)
  })

  it('export.ts renders a project to MP4, depth PNGs and a camera file with a progress bar', async () => {
    const lattice = createLatticeClient({ url: server.url, token: BOOTSTRAP_TOKEN })
    const project = await lattice.api.projects.create.mutate({ name: 'Exported', width: 64, height: 48, fps: 8 })
    const opened = await lattice.api.projects.get.query({ id: project.id })
    const main = opened.document.compositions[opened.document.mainCompositionId]!
    const document = { ...opened.document, compositions: { [main.id]: { ...main, frameCount: 4 } } }
    await lattice.api.projects.save.mutate({ id: project.id, revision: opened.revision, document })
    const { stdout } = await run(TSX, [resolve('examples/export.ts'), project.id, 'out'], { cwd: work, env: env() })
    expect(stdout).toMatch(/\[#{30}\] frame 4\/4/)
    expect(stdout).toContain('done: 4 frames at 64×48')
    const files = stdout.split('\n').filter((line) => line.startsWith('  out/')).map((line) => line.trim())
    expect(files.map((f) => f.slice(f.lastIndexOf('.')))).toEqual(['.mp4', '.zip', '.json'])
    const camera = JSON.parse(await readFile(join(work, files[2]!), 'utf8'))
    expect(camera.frames).toHaveLength(4)
  })

  it('says what to set when the token is missing', async () => {
    const failed = await run(TSX, [resolve('examples/upload-and-track.ts'), 'swatch.jpg'], { cwd: work, env: { ...env(), LATTICE_TOKEN: '' } }).catch((e) => e)
    expect(failed.code).toBe(2)
    expect(failed.stderr).toContain('Set LATTICE_TOKEN')
  })
})
