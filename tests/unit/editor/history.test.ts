import fc from 'fast-check'
import { computed, reactive, toRaw } from 'vue'
import { describe, expect, it } from 'vitest'
import { PatchHistory, record, redoPatches, undoPatches } from '../../../shared/editor/history'
import { createLayer } from '../../../shared/editor/ops'
import { createEmptyDocument, type ProjectDocument } from '../../../shared/project'

const clone = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T

function docWithLayers(): ProjectDocument {
  const doc = createEmptyDocument({ name: 'History' })
  const comp = doc.compositions.main!
  for (const kind of ['solid', 'text', 'null', 'shape'] as const) comp.layers.push(createLayer(kind, comp))
  return doc
}

describe('record / undoPatches / redoPatches', () => {
  it('records sets, deletes and array methods, and undoes and redoes them exactly', () => {
    const doc = docWithLayers()
    const original = clone(doc)
    const patches = record(doc, (draft) => {
      const comp = draft.compositions.main!
      comp.name = 'Renamed'
      comp.layers[1]!.name = 'Title'
      comp.layers.splice(0, 1)
      comp.layers.reverse()
      comp.layers.find((layer) => layer.kind === 'text')!.transform.position.value[0] = 5
      comp.layers.push({ ...comp.layers[0]!, id: 'copy' })
      delete (comp.layers[0] as { data?: unknown }).data
    })
    const after = clone(doc)
    expect(after.compositions.main!.name).toBe('Renamed')
    expect(after.compositions.main!.layers.map((layer) => layer.name)).toEqual(['Shape 1', 'Null 1', 'Title', 'Shape 1'])
    expect(after.compositions.main!.layers.find((layer) => layer.kind === 'text')!.transform.position.value[0]).toBe(5)

    undoPatches(patches)
    expect(clone(doc)).toEqual(original)
    redoPatches(patches)
    expect(clone(doc)).toEqual(after)
  })

  it('stores plain values, never the draft proxies of copied objects', () => {
    const doc = docWithLayers()
    record(doc, (draft) => {
      const layers = draft.compositions.main!.layers
      layers.push({ ...layers[0]!, id: 'copy' })
    })
    const copy = doc.compositions.main!.layers.at(-1)!
    // The spread copied the draft of `transform`; the document must hold the object itself.
    expect(copy.transform).toBe(doc.compositions.main!.layers[0]!.transform)
  })

  it('undoes writes through drafts kept across a reorder', () => {
    const doc = docWithLayers()
    const original = clone(doc)
    const patches = record(doc, (draft) => {
      const layers = draft.compositions.main!.layers
      const text = layers[1]!
      layers.splice(0, 1)
      text.name = 'Moved, then renamed'
      text.transform.opacity.value = 50
    })
    expect(doc.compositions.main!.layers[0]!.name).toBe('Moved, then renamed')
    undoPatches(patches)
    expect(clone(doc)).toEqual(original)
  })

  it('records writes to elements reached by iterating, even when the array wraps its items', () => {
    // Like Vue's reactive arrays: iteration and search methods hand out wrapped items.
    const doc = docWithLayers()
    const layers = doc.compositions.main!.layers
    const wrapping = new Proxy(layers, {
      get(target, key) {
        if (key === Symbol.iterator || key === 'find') {
          return () => { throw new Error('the wrapper\'s own method was used') }
        }
        return Reflect.get(target, key)
      },
    })
    doc.compositions.main!.layers = wrapping
    const original = clone(doc)
    const patches = record(doc, (draft) => {
      for (const layer of draft.compositions.main!.layers) layer.name = `${layer.name}!`
      draft.compositions.main!.layers.find((layer) => layer.kind === 'text')!.solo = true
    })
    expect(patches.length).toBe(5)
    undoPatches(patches)
    expect(clone(doc)).toEqual(original)
  })

  it('rolls back an edit that throws halfway', () => {
    const doc = docWithLayers()
    const original = clone(doc)
    expect(() => record(doc, (draft) => {
      draft.compositions.main!.layers.splice(0, 2)
      draft.compositions.main!.name = 'half'
      throw new Error('boom')
    })).toThrow('boom')
    expect(clone(doc)).toEqual(original)
  })

  it('records nothing for writes of the same value', () => {
    const doc = docWithLayers()
    const patches = record(doc, (draft) => { draft.compositions.main!.name = doc.compositions.main!.name })
    expect(patches).toEqual([])
  })

  it('undoes any sequence of random edits back to the start (property)', () => {
    type Op = { kind: 'set'; layer: number; x: number } | { kind: 'remove'; layer: number } | { kind: 'move'; from: number; to: number } | { kind: 'rename'; layer: number; name: string } | { kind: 'push' }
    const op = fc.oneof(
      fc.record({ kind: fc.constant('set' as const), layer: fc.nat(6), x: fc.integer() }),
      fc.record({ kind: fc.constant('remove' as const), layer: fc.nat(6) }),
      fc.record({ kind: fc.constant('move' as const), from: fc.nat(6), to: fc.nat(6) }),
      fc.record({ kind: fc.constant('rename' as const), layer: fc.nat(6), name: fc.string() }),
      fc.record({ kind: fc.constant('push' as const) }),
    )
    fc.assert(fc.property(fc.array(fc.array(op, { maxLength: 4 }), { maxLength: 12 }), (edits) => {
      const doc = docWithLayers()
      const history = new PatchHistory({ limit: 100 })
      const states = [clone(doc)]
      for (const edit of edits) {
        history.push('edit', record(doc, (draft) => {
          const layers = draft.compositions.main!.layers
          for (const each of edit as Op[]) {
            const at = (i: number) => layers[i % Math.max(1, layers.length)]
            if (each.kind === 'set') { const layer = at(each.layer); if (layer) layer.transform.position.value = [each.x, 0, 0] }
            if (each.kind === 'remove' && layers.length > 0) layers.splice(each.layer % layers.length, 1)
            if (each.kind === 'move' && layers.length > 0) { const [item] = layers.splice(each.from % layers.length, 1); layers.splice(each.to % (layers.length + 1), 0, item!) }
            if (each.kind === 'rename') { const layer = at(each.layer); if (layer) layer.name = each.name }
            if (each.kind === 'push' && layers[0]) layers.push({ ...layers[0], id: `copy-${layers.length}` })
          }
        }))
        if (history.size === states.length) states.push(clone(doc))
      }
      const final = clone(doc)
      for (let i = states.length - 1; i > 0; i--) {
        history.undo()
        expect(clone(doc)).toEqual(states[i - 1])
      }
      expect(history.canUndo).toBe(false)
      while (history.canRedo) history.redo()
      expect(clone(doc)).toEqual(final)
    }), { numRuns: 150 })
  })
})

describe('with Vue reactivity (as the editor store uses it)', () => {
  it('records through a reactive document, stores raw values and updates computeds on undo/redo', () => {
    const doc = reactive(docWithLayers()) as ProjectDocument
    const original = clone(doc)
    const history = new PatchHistory({ wrap: (value) => reactive(value) as typeof value })
    const names = computed(() => doc.compositions.main!.layers.map((layer) => layer.name).join(','))
    const easing = computed(() => doc.compositions.main!.layers[1]!.transform.position.keyframes[0]?.easing ?? null)
    expect(names.value).toBe('Solid 1,Text 1,Null 1,Shape 1')

    history.push('edit', record(doc, (draft) => {
      const layers = draft.compositions.main!.layers
      for (const layer of layers) layer.name = layer.name.toUpperCase()
      layers.find((layer) => layer.kind === 'text')!.transform.position.keyframes.push({ id: 'k', frame: 0, value: [1, 2, 3], interpolation: 'linear' })
      for (const keyframe of layers[1]!.transform.position.keyframes) keyframe.easing = 'easeIn'
      layers.splice(2, 1)
    }, { unwrap: toRaw }))
    expect(names.value).toBe('SOLID 1,TEXT 1,SHAPE 1')
    expect(easing.value).toBe('easeIn')
    // Nothing reactive leaks into the stored document.
    const raw = toRaw(doc).compositions.main!.layers
    expect(raw.every((layer) => toRaw(layer) === layer)).toBe(true)

    history.undo()
    expect(names.value).toBe('Solid 1,Text 1,Null 1,Shape 1')
    expect(easing.value).toBeNull()
    expect(clone(doc)).toEqual(original)
    history.redo()
    expect(names.value).toBe('SOLID 1,TEXT 1,SHAPE 1')
    expect(easing.value).toBe('easeIn')
  })
})

describe('PatchHistory', () => {
  it('merges edits with one merge key within the window, and caps its length', () => {
    let now = 0
    const history = new PatchHistory({ limit: 3, mergeWindowMs: 500, now: () => now })
    const doc = { a: 0, b: 0 }
    for (let i = 1; i <= 3; i++) {
      now += 100
      history.push('drag', record(doc, (draft) => { draft.a = i }), 'drag-a')
    }
    expect(history.size).toBe(1)
    history.undo()
    expect(doc.a).toBe(0)
    history.redo()
    expect(doc.a).toBe(3)

    now += 1000
    history.push('drag', record(doc, (draft) => { draft.a = 4 }), 'drag-a')
    expect(history.size).toBe(2)
    for (let i = 0; i < 5; i++) history.push(`b${i}`, record(doc, (draft) => { draft.b = i + 1 }))
    expect(history.size).toBe(3)
    expect(history.undoLabel).toBe('b4')
    history.undo()
    history.undo()
    history.undo()
    expect(history.canUndo).toBe(false)
    expect(doc.b).toBe(2)
  })

  it('takes back the last entry of a live drag so each step starts from the original state', () => {
    const history = new PatchHistory()
    const doc = { keys: [0, 5, 10] }
    const dragTo = (frame: number) => {
      history.revertLast('drag')
      history.push('Move key', record(doc, (draft) => {
        const moved = [...draft.keys.filter((key) => key !== 0 && key !== frame), frame].sort((a, b) => a - b)
        draft.keys.splice(0, draft.keys.length, ...moved)
      }), 'drag')
    }
    dragTo(5) // lands on the key at 5: replaces it while there
    expect(doc.keys).toEqual([5, 10])
    dragTo(7) // moves on: the key at 5 is back
    expect(doc.keys).toEqual([5, 7, 10])
    expect(history.size).toBe(1)
    expect(history.revertLast('other')).toBe(false)
    history.undo()
    expect(doc.keys).toEqual([0, 5, 10])
  })

  it('drops the redo branch on a new edit and ignores empty edits', () => {
    const history = new PatchHistory()
    const doc = { a: 1 }
    history.push('one', record(doc, (draft) => { draft.a = 2 }))
    history.undo()
    expect(history.canRedo).toBe(true)
    history.push('nothing', [])
    expect(history.canRedo).toBe(true)
    history.push('two', record(doc, (draft) => { draft.a = 3 }))
    expect(history.canRedo).toBe(false)
    expect(history.redoLabel).toBeNull()
  })
})
