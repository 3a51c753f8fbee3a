import { AppError } from '../errors'
import type { TemplateManifest } from '../comfy/manifest'
import type { ExportOutput } from './options'

/**
 * Which export output feeds each input of a bundle's template. A video input takes a video (not
 * a GIF), a picture input a sequence (its first frame); given indices are checked, the rest are
 * chosen by the input's name or label: "depth", "normal", "mask"/"matte", else colour.
 */
export function bundleInputs(manifest: TemplateManifest, outputs: ExportOutput[], given: Record<string, number> = {}): Record<string, number> {
  const chosen: Record<string, number> = {}
  for (const name of Object.keys(given)) {
    if (!manifest.inputs.some((input) => input.name === name)) {
      throw new AppError('BAD_REQUEST', `"${name}" is not an input of "${manifest.name}" (it takes: ${manifest.inputs.map((i) => i.name).join(', ') || 'no files'}).`)
    }
  }
  for (const input of manifest.inputs) {
    const fits = (output: ExportOutput | undefined) => input.kind === 'video'
      ? output?.kind === 'video' && output.format !== 'gif'
      : output?.kind === 'sequence'
    const label = input.label ?? input.name
    const index = given[input.name]
    if (index !== undefined) {
      if (!fits(outputs[index])) throw new AppError('BAD_REQUEST', `${label} takes ${input.kind === 'video' ? 'a video (not a GIF)' : 'an image sequence'}; output ${index + 1} is not one.`)
      chosen[input.name] = index
      continue
    }
    const wanted = passWanted(`${input.name} ${input.label ?? ''}`)
    const candidates = outputs.map((output, i) => ({ output, i })).filter(({ output }) => fits(output))
    const match = candidates.find(({ output }) => output.kind !== 'camera' && output.pass.type === wanted) ?? candidates[0]
    if (match) chosen[input.name] = match.i
    else if (input.required) throw new AppError('BAD_REQUEST', `"${manifest.name}" needs ${label}: add ${input.kind === 'video' ? 'a video' : 'an image sequence'} output${wanted === 'color' ? '' : ` of the ${wanted} pass`}.`)
  }
  return chosen
}

function passWanted(text: string): 'depth' | 'normal' | 'matte' | 'color' {
  const lower = text.toLowerCase()
  if (lower.includes('depth')) return 'depth'
  if (lower.includes('normal')) return 'normal'
  if (lower.includes('mask') || lower.includes('matte')) return 'matte'
  return 'color'
}
