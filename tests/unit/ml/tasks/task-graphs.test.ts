import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { InferenceSession } from 'onnxruntime-node'
import { expect, it } from 'vitest'
import { sha256, writeTaskModel } from '../../../support/task-graphs'

it('writeTaskModel writes loadable graphs whose manifest lists their sha256, size and tensor names', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'lattice-task-model-'))
  try {
    for (const task of ['depth', 'matte', 'segment'] as const) {
      const manifest = await writeTaskModel(join(dir, task), task)
      expect(manifest.task).toBe(task)
      for (const file of manifest.files) {
        const bytes = await readFile(join(dir, task, file.path))
        expect([file.sha256, file.size]).toEqual([sha256(bytes), bytes.byteLength])
      }
      for (const session of Object.values(manifest.sessions)) {
        const loaded = await InferenceSession.create(join(dir, task, session.file))
        expect([...loaded.inputNames].sort()).toEqual([...session.inputs].sort())
        expect([...loaded.outputNames].sort()).toEqual([...session.outputs].sort())
        await loaded.release()
      }
    }
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
})
