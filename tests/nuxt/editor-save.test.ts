import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { AppError } from '~~/shared/errors'
import type { ProjectDocument } from '~~/shared/project'
import { useEditorStore } from '~/stores/editor'
import { conflictMessage, PROJECT_ID, projectsServer } from './support/projects-server'
import { serveTrpc } from './support/trpc-stand-in'

const paint = (color: string) => (document: ProjectDocument) => { document.compositions.main!.backgroundColor = color }

describe('editor store: saving', () => {
  let server: ReturnType<typeof projectsServer>
  let stop: () => void
  let editor: ReturnType<typeof useEditorStore>

  beforeEach(() => {
    setActivePinia(createPinia())
    server = projectsServer()
    stop = serveTrpc(server.trpc)
    editor = useEditorStore()
    editor.setAutosave(false)
    editor.open(server.detail())
  })

  afterEach(() => {
    editor.close()
    stop()
    vi.useRealTimers()
  })

  it('an edit makes the project dirty, and a save sends it at the open revision and takes the next one', async () => {
    expect(editor.dirty).toBe(false)
    expect(editor.apply(paint('#223344ff'), 'Background')).toBe(true)
    expect(editor.dirty).toBe(true)
    expect(editor.saveState).toBe('pending')

    expect(await editor.save()).toBe(true)

    expect(server.saves).toHaveLength(1)
    expect(server.saves[0]!.revision).toBe(1)
    expect(server.saves[0]!.document.compositions.main!.backgroundColor).toBe('#223344ff')
    expect(editor.revision).toBe(2)
    expect(editor.dirty).toBe(false)
    expect(editor.saveState).toBe('saved')
    expect(editor.saveMessage).toBeNull()
  })

  it('saving a clean project sends nothing unless forced', async () => {
    expect(await editor.save()).toBe(true)
    expect(server.saves).toHaveLength(0)
    expect(await editor.save(true)).toBe(true)
    expect(server.saves).toHaveLength(1)
    expect(editor.revision).toBe(2)
  })

  it('undoing back to the saved document still counts as a change to save', async () => {
    const original = editor.doc!.compositions.main!.backgroundColor
    editor.apply(paint('#223344ff'), 'Background')
    await editor.save()
    editor.undo()
    expect(editor.dirty).toBe(true)
    await editor.save()
    expect(server.saves).toHaveLength(2)
    expect(server.stored.document.compositions.main!.backgroundColor).toBe(original)
    expect(original).not.toBe('#223344ff')
  })

  it('an edit made while a save is on its way stays unsaved, and the next save carries it', async () => {
    const release = server.hold()
    editor.apply(paint('#111111ff'), 'Background')
    const first = editor.save()
    await vi.waitFor(() => expect(server.saves).toHaveLength(1))
    expect(editor.saveState).toBe('saving')
    editor.apply(paint('#222222ff'), 'Background')
    release()
    expect(await first).toBe(true)

    // The server has the first edit; the second is still only here.
    expect(server.saves[0]!.document.compositions.main!.backgroundColor).toBe('#111111ff')
    expect(editor.dirty).toBe(true)
    expect(editor.saveState).toBe('pending')

    expect(await editor.save()).toBe(true)
    expect(server.saves[1]).toMatchObject({ revision: 2 })
    expect(server.stored.document.compositions.main!.backgroundColor).toBe('#222222ff')
    expect(editor.saveState).toBe('saved')
  })

  it('when the revision moved on elsewhere, the save becomes a conflict showing the server\'s sentence, and nothing more is sent', async () => {
    server.saveElsewhere(paint('#ff0000ff'))
    editor.apply(paint('#00ff00ff'), 'Background')

    expect(await editor.save()).toBe(false)

    expect(editor.saveState).toBe('conflict')
    expect(editor.conflict).toBe(conflictMessage(2, 1))
    expect(editor.dirty).toBe(true)
    // While the user decides, edits keep the conflict and saves are not attempted.
    editor.apply(paint('#0000ffff'), 'Background')
    expect(editor.saveState).toBe('conflict')
    expect(await editor.save()).toBe(false)
    expect(server.saves).toHaveLength(1)
  })

  it('keeping mine saves this version over the newer one at its revision', async () => {
    server.saveElsewhere(paint('#ff0000ff'))
    editor.apply(paint('#00ff00ff'), 'Background')
    await editor.save()

    expect(await editor.keepMine()).toBe(true)

    expect(server.saves.at(-1)!.revision).toBe(2)
    expect(server.stored.revision).toBe(3)
    expect(server.stored.document.compositions.main!.backgroundColor).toBe('#00ff00ff')
    expect(editor.conflict).toBeNull()
    expect(editor.revision).toBe(3)
    expect(editor.saveState).toBe('saved')
  })

  it('reloading theirs drops the local edits and opens the newer version', async () => {
    server.saveElsewhere(paint('#ff0000ff'))
    editor.apply(paint('#00ff00ff'), 'Background')
    await editor.save()

    await editor.reloadTheirs()

    expect(editor.conflict).toBeNull()
    expect(editor.saveState).toBe('saved')
    expect(editor.dirty).toBe(false)
    expect(editor.revision).toBe(2)
    expect(editor.doc!.compositions.main!.backgroundColor).toBe('#ff0000ff')
    expect(editor.canUndo).toBe(false)
  })

  it('a document the schema rejects is never sent; the problem names the field', async () => {
    editor.apply((document) => { document.compositions.main!.frameCount = 0 }, 'Frame count')

    expect(await editor.save()).toBe(false)

    expect(server.saves).toHaveLength(0)
    expect(editor.saveState).toBe('invalid')
    expect(editor.saveMessage).toMatch(/frameCount/)
  })

  it('a failed save (not a conflict) shows the server\'s message and can be tried again', async () => {
    server.failNextSave(new AppError('SERVICE_UNAVAILABLE', 'The database is not answering; your changes are kept here. Try again in a moment.'))
    editor.apply(paint('#223344ff'), 'Background')

    expect(await editor.save()).toBe(false)
    expect(editor.saveState).toBe('error')
    expect(editor.saveMessage).toBe('The database is not answering; your changes are kept here. Try again in a moment.')
    expect(editor.conflict).toBeNull()
    expect(editor.dirty).toBe(true)

    expect(await editor.save()).toBe(true)
    expect(editor.saveState).toBe('saved')
    expect(editor.saveMessage).toBeNull()
  })

  it('says when saved layers point to assets the server does not have', async () => {
    server.reportMissingAssets(['0f8fad5b-d9cb-469f-a165-70867728950e', '7c9e6679-7425-40de-944b-e07fc1f90ae7'])
    editor.apply(paint('#223344ff'), 'Background')
    await editor.save()
    expect(editor.saveState).toBe('saved')
    expect(editor.saveMessage).toBe('2 layer source(s) point to assets this server does not have.')
  })

  it('autosave sends one save for a burst of edits, once they pause', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    editor.setAutosave(true)
    editor.apply(paint('#111111ff'), 'Background')
    await vi.advanceTimersByTimeAsync(1000)
    editor.apply(paint('#222222ff'), 'Background')
    await vi.advanceTimersByTimeAsync(1000)
    expect(server.saves).toHaveLength(0)

    await vi.advanceTimersByTimeAsync(1000)
    await vi.waitFor(() => expect(editor.saveState).toBe('saved'))
    expect(server.saves).toHaveLength(1)
    expect(server.saves[0]!.document.compositions.main!.backgroundColor).toBe('#222222ff')
  })

  it('autosave stops at a conflict', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    server.saveElsewhere(paint('#ff0000ff'))
    editor.setAutosave(true)
    editor.apply(paint('#00ff00ff'), 'Background')
    await vi.advanceTimersByTimeAsync(1500)
    await vi.waitFor(() => expect(editor.saveState).toBe('conflict'))

    editor.apply(paint('#0000ffff'), 'Background')
    await vi.advanceTimersByTimeAsync(5000)
    expect(server.saves).toHaveLength(1)
    expect(editor.projectId).toBe(PROJECT_ID)
  })
})
