import { describe, expect, it } from 'vitest'
import { AppError } from '../../../shared/errors'
import { parseDocument } from '../../../shared/project'
import { IMAGE_ASSET } from './documents'

function v1Document() {
  return {
    schemaVersion: 1,
    mainCompositionId: 'main',
    compositions: {
      main: {
        id: 'main', width: 640, height: 360, fps: 16, frameCount: 81, background: '#222222',
        layers: [
          {
            id: 'a', kind: 'image', outPoint: 81, data: { assetId: IMAGE_ASSET },
            opacity: { value: 50, keyframes: [{ id: 'k', frame: 10, value: 0 }] },
            transform: { rotation: { value: 45 } },
          },
          { id: 'b', kind: 'null', outPoint: 81 },
        ],
      },
    },
  }
}

function rejection(raw: unknown): AppError {
  try {
    parseDocument(raw)
  } catch (error) {
    expect(error).toBeInstanceOf(AppError)
    return error as AppError
  }
  throw new Error('expected parseDocument to throw')
}

describe('parseDocument', () => {
  it('migrates v1: layer opacity moves into the transform, background becomes backgroundColor', () => {
    const raw = v1Document()
    const { document, migratedFrom } = parseDocument(raw)
    expect(migratedFrom).toBe(1)
    expect(document.schemaVersion).toBe(2)
    const comp = document.compositions.main
    expect(comp?.backgroundColor).toBe('#222222')
    expect(comp?.layers[0]?.transform.opacity).toEqual({
      value: 50,
      keyframes: [{ id: 'k', frame: 10, value: 0, interpolation: 'linear' }],
    })
    expect(comp?.layers[0]?.transform.rotation.value).toBe(45)
    expect(comp?.layers[1]?.transform.opacity.value).toBe(100)
    expect(comp?.layers[0]).not.toHaveProperty('opacity')
    // The input is left as it was.
    expect(raw.compositions.main.layers[0]).toHaveProperty('opacity')
  })

  it('reports invalid v1 content with its v2 path', () => {
    const raw = v1Document()
    const layer = raw.compositions.main.layers[0] as { opacity: { value: number } }
    layer.opacity.value = 150
    expect(rejection(raw).message).toBe(
      'Project document is invalid: compositions.main.layers[0].transform.opacity.value: Too big: expected number to be <=100',
    )
  })

  it('rejects a missing, newer or malformed schemaVersion', () => {
    const { schemaVersion: _, ...missing } = v1Document()
    expect(rejection(missing).message).toMatch(/^Project document has no schemaVersion; /)
    expect(rejection({ ...v1Document(), schemaVersion: 3 }).message).toBe(
      'Project document has schemaVersion 3, newer than this Lattice reads (2); update Lattice to open it.',
    )
    expect(rejection({ ...v1Document(), schemaVersion: '2' }).message).toBe('Project document has an invalid schemaVersion ("2").')
    expect(rejection([]).message).toBe('Project document must be a JSON object.')
    expect(rejection(missing).code).toBe('BAD_REQUEST')
  })

  it('names the first few problems of an invalid current document', () => {
    const error = rejection({ schemaVersion: 2, mainCompositionId: 'main', compositions: { main: { id: 'main', width: 100, height: 100, fps: 16 } } })
    expect(error.message).toBe(
      'Project document is invalid: compositions.main.width: must be a multiple of 8 (video models require it); ' +
        'compositions.main.height: must be a multiple of 8 (video models require it); ' +
        'compositions.main.frameCount: expected number, received undefined',
    )
    expect(error.details?.issues).toHaveLength(3)
  })
})
