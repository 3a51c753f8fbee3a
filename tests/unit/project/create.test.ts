import { describe, expect, it } from 'vitest'
import { AppError } from '../../../shared/errors'
import { createEmptyDocument, parseDocument, projectDocumentSchema } from '../../../shared/project'

function badRequest(run: () => unknown): string {
  try {
    run()
  } catch (error) {
    expect(error).toBeInstanceOf(AppError)
    expect((error as AppError).code).toBe('BAD_REQUEST')
    return (error as AppError).message
  }
  throw new Error('expected an AppError')
}

describe('createEmptyDocument', () => {
  it('makes one empty main composition with the Wan defaults', () => {
    const doc = createEmptyDocument({ name: '  Test  ' })
    expect(doc).toEqual({
      schemaVersion: 2,
      mainCompositionId: 'main',
      compositions: {
        main: {
          id: 'main', name: 'Test', width: 1280, height: 720, fps: 16, frameCount: 81,
          backgroundColor: '#000000', layers: [], markers: [],
        },
      },
    })
  })

  it('round-trips through JSON and parseDocument unchanged', () => {
    const doc = createEmptyDocument({ name: 'Clip', width: 832, height: 480, fps: 24, frameCount: 121 })
    const { document, migratedFrom } = parseDocument(JSON.parse(JSON.stringify(doc)))
    expect(document).toEqual(doc)
    expect(migratedFrom).toBeNull()
    expect(projectDocumentSchema.safeParse(doc).success).toBe(true)
  })

  it('says how to fix a bad size', () => {
    expect(badRequest(() => createEmptyDocument({ name: 'x', width: 1001 }))).toBe('Width must be a multiple of 8 (got 1001); try 1000.')
    expect(badRequest(() => createEmptyDocument({ name: 'x', height: 4 }))).toBe('Height must be from 8 to 8192 pixels (got 4); try 8.')
    expect(badRequest(() => createEmptyDocument({ name: 'x', width: 9000 }))).toBe('Width must be from 8 to 8192 pixels (got 9000); try 8192.')
  })

  it('rejects bad rates, frame counts and names', () => {
    expect(badRequest(() => createEmptyDocument({ name: 'x', fps: 0 }))).toBe('Frame rate must be above 0 and at most 240 fps (got 0).')
    expect(badRequest(() => createEmptyDocument({ name: 'x', frameCount: 2.5 }))).toBe(
      'Frame count must be a whole number from 1 to 100000 (got 2.5).',
    )
    expect(badRequest(() => createEmptyDocument({ name: '   ' }))).toBe('Project name is empty; give the project a name.')
    expect(badRequest(() => createEmptyDocument({ name: 'n'.repeat(201) }))).toBe(
      'Project name is 201 characters; shorten it to 200 or fewer.',
    )
  })
})
