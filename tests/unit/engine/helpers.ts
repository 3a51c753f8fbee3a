import { type AnimatableProperty, type CompositionInput, type Keyframe, type LayerInput, type NewDocumentOptions, type ProjectDocument, createEmptyDocument, projectDocumentSchema } from '../../../shared/project'
import { mat4 } from '../../../shared/engine'

/** A validated document: createEmptyDocument's main composition with `layers`, plus `others`. */
export function documentWith(
  layers: LayerInput[],
  settings: Partial<NewDocumentOptions> = {},
  others: CompositionInput[] = [],
): ProjectDocument {
  const base = createEmptyDocument({ name: 'Engine test', ...settings })
  const main = base.compositions.main
  return projectDocumentSchema.parse({
    ...base,
    compositions: {
      ...Object.fromEntries(others.map((c) => [c.id, c])),
      main: { ...main, layers },
    },
  })
}

/** A keyframe with the schema's defaults filled in. */
export function key<T>(frame: number, value: T, rest: Partial<Keyframe<T>> = {}): Keyframe<T> {
  return { id: `k${frame}`, frame, value, interpolation: 'linear', ...rest }
}

export function animated<T>(keyframes: Keyframe<T>[], value?: T): AnimatableProperty<T> {
  return { value: value ?? (keyframes[0] as Keyframe<T>).value, keyframes }
}

/** Elementwise closeness for matrices and vectors. */
export function expectClose(actual: readonly number[], expected: readonly number[], tolerance = 1e-9): void {
  if (actual.length !== expected.length) throw new Error(`length ${actual.length} ≠ ${expected.length}`)
  actual.forEach((a, i) => {
    const e = expected[i] as number
    if (!(Math.abs(a - e) <= tolerance * Math.max(1, Math.abs(e)))) {
      throw new Error(`element ${i}: ${a} is not close to ${e}\nactual:   ${JSON.stringify(actual)}\nexpected: ${JSON.stringify(expected)}`)
    }
  })
}

export const apply = (m: readonly number[], p: readonly number[]) => mat4.transformPoint(m, p)
