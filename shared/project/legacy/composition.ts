import type { CompositionInput } from '../composition'
import { nearestValidDimension } from '../dimensions'
import type { LayerInput } from '../layers'
import { LIMITS } from '../../limits'
import type { Warn } from './animatable'
import { importLayer } from './layers'
import { type Raw, asRecord, colorOf, isRecord, num, str } from './read'

export interface CompositionImportContext {
  assetName: (id: unknown) => string | undefined
  /** Adds a finished warning (already naming where it happened). */
  addWarning: (message: string) => void
}

function dimensionOf(raw: unknown, label: string, fallback: number, warn: Warn): number {
  const value = num(raw)
  if (value === undefined) {
    warn(`${label} is missing; using ${fallback}.`)
    return fallback
  }
  const valid = nearestValidDimension(value)
  if (value < LIMITS.minDimension || value > LIMITS.maxDimension) {
    warn(`${label} ${value} is outside ${LIMITS.minDimension}–${LIMITS.maxDimension}; using ${valid}.`)
  } else if (valid !== value) warn(`${label} ${value} is not a multiple of 8; rounded to ${valid}.`)
  return valid
}

function settingOf(raw: unknown, label: string, fallback: number, max: number, warn: Warn, integer: boolean): number {
  const value = num(raw)
  const ok = value !== undefined && value > 0 && value <= max && (!integer || Number.isInteger(value))
  if (ok) return value
  if (raw !== undefined) warn(`${label} ${JSON.stringify(raw)} is not usable; using ${fallback}.`)
  return fallback
}

function markersOf(raw: unknown): CompositionInput['markers'] {
  if (!Array.isArray(raw)) return []
  return raw.filter(isRecord).flatMap((m) => {
    const frame = num(m.frame)
    if (frame === undefined || frame < 0) return []
    const color = colorOf(m.color)
    return [{ frame, label: str(m.label) ?? str(m.name) ?? str(m.comment) ?? '', ...(color ? { color } : {}) }]
  })
}

/** Layer ids must be unique within a composition; legacy files did not always manage that. */
function uniqueLayerIds(rawLayers: Raw[], warn: (layer: Raw, message: string) => void): string[] {
  const seen = new Set<string>()
  return rawLayers.map((raw, index) => {
    const base = str(raw.id) || `layer-${index + 1}`
    let id = base
    for (let n = 2; seen.has(id); n++) id = `${base}-${n}`
    if (id !== base) warn(raw, `duplicate layer id "${base}"; renamed to "${id}".`)
    seen.add(id)
    return id
  })
}

/** Clears parent and matte references that do not resolve to a layer kept in this composition. */
function repairReferences(
  layers: LayerInput[],
  dropped: Map<string, string>,
  warnFor: (layer: LayerInput, message: string) => void,
): void {
  const kept = new Set(layers.map((l) => l.id))
  /** Why `ref` on `layer` cannot stay, or null when it can. */
  const problem = (layer: LayerInput, ref: string): string | null => {
    if (ref === layer.id) return 'is the layer itself'
    if (dropped.has(ref)) return `"${dropped.get(ref)}" was dropped`
    return kept.has(ref) ? null : `"${ref}" is not in this composition`
  }
  for (const layer of layers) {
    const parentProblem = layer.parentId ? problem(layer, layer.parentId) : null
    if (parentProblem) {
      warnFor(layer, `parent ${parentProblem}; parent cleared.`)
      layer.parentId = null
    }
    const matteId = layer.trackMatte?.layerId
    const matteProblem = matteId ? problem(layer, matteId) : null
    if (matteProblem) {
      warnFor(layer, `track matte layer ${matteProblem}; matte removed.`)
      layer.trackMatte = { mode: 'none', layerId: null }
    }
  }
  const parentOf = new Map(layers.map((l) => [l.id, l]))
  for (const layer of layers) {
    const chain = new Set<string>([layer.id])
    const parentOfLayer = (l: LayerInput) => (l.parentId ? parentOf.get(l.parentId) : undefined)
    for (let p = parentOfLayer(layer); p; p = parentOfLayer(p)) {
      if (chain.has(p.id)) {
        warnFor(p, 'its parent chain loops back to itself; parent cleared.')
        p.parentId = null
        break
      }
      chain.add(p.id)
    }
  }
}

/** One legacy composition (settings, layers, markers) as ours. */
export function importComposition(raw: Raw, id: string, ctx: CompositionImportContext): CompositionInput {
  const name = str(raw.name) || id
  const warn: Warn = (message) => ctx.addWarning(`Composition "${name}": ${message}`)
  const settings = asRecord(raw.settings)
  const width = dimensionOf(settings.width, 'width', 1280, warn)
  const height = dimensionOf(settings.height, 'height', 720, warn)
  const fps = settingOf(settings.fps, 'frame rate', 16, LIMITS.maxFps, warn, false)
  const frameCount = settingOf(settings.frameCount, 'frame count', 81, LIMITS.maxFrameCount, warn, true)
  const background = colorOf(settings.backgroundColor)
  if (settings.backgroundColor !== undefined && !background) {
    warn(`background colour ${JSON.stringify(settings.backgroundColor)} is not a colour; using black.`)
  }
  const workflow = [raw.workflowInputs, raw.workflowOutputs].some((list) => Array.isArray(list) && list.length > 0)
  if (str(raw.workflowId) || workflow) warn('ComfyUI workflow mapping (workflowId, inputs, outputs) is not imported.')

  const rawLayers = Array.isArray(raw.layers) ? raw.layers.filter(isRecord) : []
  const layerWarn = (layer: { name?: unknown; type?: unknown }, message: string) => {
    const where = `Layer "${str(layer.name) || '(unnamed)'}" (${str(layer.type) ?? 'unknown'}) in composition "${name}"`
    ctx.addWarning(`${where}: ${message}`)
  }
  const ids = uniqueLayerIds(rawLayers, layerWarn)
  const parentIds = new Set(rawLayers.map((l) => str(l.parentId)))
  const legacyType = new Map<string, string>()
  const dropped = new Map<string, string>()
  const layers: LayerInput[] = []
  rawLayers.forEach((rawLayer, index) => {
    const id = ids[index] ?? `layer-${index + 1}`
    const layer = importLayer(rawLayer, id, {
      compWidth: width,
      compHeight: height,
      frameCount,
      isParent: parentIds.has(id),
      assetName: ctx.assetName,
      warn: (message) => layerWarn(rawLayer, message),
    })
    if (layer) layers.push(layer)
    else dropped.set(id, str(rawLayer.name) || id)
    legacyType.set(id, str(rawLayer.type) ?? 'unknown')
  })
  repairReferences(layers, dropped, (layer, message) =>
    layerWarn({ name: layer.name, type: legacyType.get(layer.id) }, message),
  )

  return {
    id,
    name: name.slice(0, LIMITS.maxProjectNameLength),
    width,
    height,
    fps,
    frameCount,
    backgroundColor: background ?? '#000000',
    layers,
    markers: markersOf(raw.markers),
  }
}
