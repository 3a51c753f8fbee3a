import { LIMITS } from '../limits'

/** Which picture of a composition's frame to render for a template input. */
export type FramePass = { type: 'color' } | { type: 'depth' } | { type: 'matte'; layerId: string; layerName: string }

/** A template as far as choosing where a picture goes: its id and its picture inputs. */
export interface TemplateInputs {
  id: string
  inputs: ReadonlyArray<{ name: string; label?: string; kind: 'image' | 'video' }>
}

const MAX_PART = 80

function part(text: string, max = MAX_PART): string {
  const clean = text.replace(/[\\/]/g, '-').replace(/\s+/g, ' ').trim()
  return clean.length > max ? `${clean.slice(0, max - 1)}…` : clean || 'Untitled'
}

/** How a pass reads in names and menus: "colour", "depth", "matte of Hero". */
export function passLabel(pass: FramePass): string {
  return pass.type === 'color' ? 'colour' : pass.type === 'depth' ? 'depth' : `matte of ${part(pass.layerName)}`
}

/**
 * The asset name of a rendered frame: `<project> · <composition> · frame 12 · depth.png`.
 * Slashes become dashes (asset names have no folders). Long project and composition names are
 * shortened first, so the frame and the pass, which tell renders of one shot apart, always stay
 * and the whole fits the asset name limit.
 */
export function frameAssetName(projectName: string, compositionName: string, frame: number, pass: FramePass): string {
  const tail = ` · frame ${Math.round(frame)} · ${passLabel(pass)}.png`
  const room = Math.min(MAX_PART, Math.floor((LIMITS.maxAssetNameLength - tail.length - ' · '.length) / 2))
  return `${part(projectName, room)} · ${part(compositionName, room)}${tail}`
}

const DEPTH = /depth/i
const MATTE = /mask|matte|alpha/i

function suits(input: TemplateInputs['inputs'][number], pass: FramePass['type']): boolean {
  const words = `${input.name} ${input.label ?? ''}`
  if (pass === 'depth') return DEPTH.test(words)
  if (pass === 'matte') return MATTE.test(words)
  return !DEPTH.test(words) && !MATTE.test(words)
}

/** The pass a rendered frame for this input most likely needs: depth for a depth input, else colour. */
export function preferredPass(input: TemplateInputs['inputs'][number]): 'color' | 'depth' {
  return DEPTH.test(`${input.name} ${input.label ?? ''}`) ? 'depth' : 'color'
}

/**
 * Where a rendered frame of `pass` goes: the first image input that suits the pass (a depth
 * frame goes to an input named or labelled "depth", a matte to a mask, colour to any other),
 * in the current template if it has one, else in the first template that has one; failing
 * that, the current template's first image input. Null when no template takes an image.
 */
export function chooseFrameInput(templates: readonly TemplateInputs[], current: TemplateInputs | null, pass: FramePass['type']): { templateId: string; inputName: string } | null {
  const ordered = current ? [current, ...templates.filter((template) => template.id !== current.id)] : [...templates]
  for (const template of ordered) {
    const input = template.inputs.find((each) => each.kind === 'image' && suits(each, pass))
    if (input) return { templateId: template.id, inputName: input.name }
  }
  const fallback = current?.inputs.find((each) => each.kind === 'image')
  return current && fallback ? { templateId: current.id, inputName: fallback.name } : null
}

const MATTE_KINDS = new Set(['image', 'video', 'solid', 'text', 'shape', 'depth', 'nestedComposition'])

/**
 * The passes a composition's frame can be rendered as, for a menu: colour, depth, then the matte
 * of each layer that draws something (cameras, nulls, audio and adjustment layers have none).
 */
export function framePassOptions(layers: ReadonlyArray<{ id: string; name: string; kind: string }>): Array<{ label: string; value: string; pass: FramePass }> {
  return [
    { label: 'Colour', value: 'color', pass: { type: 'color' } },
    { label: 'Depth', value: 'depth', pass: { type: 'depth' } },
    ...layers.filter((layer) => MATTE_KINDS.has(layer.kind)).map((layer) => ({
      label: `Matte of ${layer.name}`,
      value: `matte:${layer.id}`,
      pass: { type: 'matte', layerId: layer.id, layerName: layer.name } as const,
    })),
  ]
}

/** A preview size for a width × height frame that fits in `max` × `max`, never enlarged, at least 1 × 1. */
export function fitWithin(width: number, height: number, max: number): { width: number; height: number } {
  const scale = Math.min(1, max / width, max / height)
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) }
}
