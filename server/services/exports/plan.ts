import { AppError } from '../../../shared/errors'
import { EXPORT_LIMITS, type ExportOutput, type ExportPass, type ExportSettings, type VideoFormat } from '../../../shared/export/options'
import type { ProjectDocument } from '../../../shared/project'
import type { ExportPassSpec } from '../../../renderer/headless'

/** What an export will do, worked out from its settings and document before any work starts. */
export interface ExportPlan {
  compositionId: string
  width: number
  height: number
  fps: number
  /** Frames [start, end). */
  start: number
  end: number
  frames: number
  /** The passes the page renders per frame (one per distinct source: colour, depth, each matte layer). */
  passes: ExportPassSpec[]
  outputs: PlannedOutput[]
  /** Some depth or normal output takes its range from the rendered depth. */
  needsDepthRange: boolean
  /** A pessimistic size of everything written, bytes (checked against free disk space). */
  estimatedBytes: number
}

export interface PlannedOutput {
  index: number
  output: ExportOutput
  /** The rendered pass it reads (`passes[].key`); null for camera files. */
  source: string | null
  /** File name without extension (and without frame number for sequences). */
  baseName: string
}

const EXTENSIONS: Record<string, string> = { h264: 'mp4', h265: 'mp4', vp9: 'webm', prores4444: 'mov', gif: 'gif', png: 'png', png16: 'png', jpeg: 'jpg' }

/** Formats whose chroma subsampling needs even sizes. */
const EVEN_SIZE_FORMATS: readonly VideoFormat[] = ['h264', 'h265', 'vp9']

/** Bytes per pixel per frame, on the high side, for the disk-space check. */
const BYTES_PER_PIXEL: Record<string, number> = { png: 4, png16: 2, jpeg: 0.6, h264: 0.2, h265: 0.2, vp9: 0.3, prores4444: 2, gif: 1 }

export function sourceKey(pass: ExportPass): string {
  if (pass.type === 'matte') return `matte:${pass.layerId}`
  // Normals are computed from the depth pass.
  if (pass.type === 'normal') return 'depth'
  return pass.type
}

/** Checks the settings against the document; every problem is a 400 that says what to change. */
export function planExport(document: ProjectDocument, settings: ExportSettings, projectName: string): ExportPlan {
  const composition = document.compositions[settings.compositionId]
  if (!composition) {
    const names = Object.values(document.compositions).map((c) => `"${c.id}" (${c.name})`).join(', ')
    throw new AppError('BAD_REQUEST', `The project has no composition "${settings.compositionId}". Its compositions are: ${names}.`)
  }
  const start = settings.range?.start ?? 0
  const end = settings.range?.end ?? composition.frameCount
  if (end > composition.frameCount) {
    throw new AppError('BAD_REQUEST', `Frames ${start}–${end - 1} reach past the composition's last frame (${composition.frameCount - 1}); choose an end of at most ${composition.frameCount}.`)
  }
  const frames = end - start
  if (frames > EXPORT_LIMITS.maxFrames) {
    throw new AppError('BAD_REQUEST', `An export renders at most ${EXPORT_LIMITS.maxFrames} frames; this range has ${frames}. Export it in parts.`)
  }
  const { width, height } = outputSize(composition.width, composition.height, settings.scale)
  const layers = new Set(composition.layers.map((layer) => layer.id))
  const passes = new Map<string, ExportPassSpec>()
  const outputs = settings.outputs.map((output, index): PlannedOutput => {
    const pass = output.kind === 'camera' ? null : output.pass
    if (output.kind === 'video' && EVEN_SIZE_FORMATS.includes(output.format) && (width % 2 || height % 2)) {
      throw new AppError('BAD_REQUEST', `${output.format.toUpperCase()} needs an even width and height; the export is ${width}×${height}. Choose a size such as ${width + (width % 2)}×${height + (height % 2)}.`)
    }
    if (output.kind === 'sequence' && output.format === 'png16' && pass?.type !== 'depth') {
      throw new AppError('BAD_REQUEST', '16-bit PNG holds greyscale depth: use it with the depth pass, or choose PNG for colour.')
    }
    if (pass?.type === 'matte' && !layers.has(pass.layerId)) {
      throw new AppError('BAD_REQUEST', `The matte pass names layer "${pass.layerId}", which is not in composition "${composition.id}".`)
    }
    if (pass) {
      const key = sourceKey(pass)
      if (!passes.has(key)) passes.set(key, { key, pass: pass.type === 'matte' ? { type: 'matte', layerId: pass.layerId } : { type: pass.type === 'normal' ? 'depth' : pass.type } })
    }
    const format = output.format
    return {
      index,
      output,
      source: pass ? sourceKey(pass) : null,
      baseName: fileName(settings.name, { project: projectName, composition: composition.name, pass: passName(pass), format }),
    }
  })
  // Two outputs of one pass in formats sharing an extension (H.264 and H.265 are both .mp4) are told apart by format.
  const names = new Set<string>()
  for (const planned of outputs) {
    const { output } = planned
    const extension = output.kind === 'sequence' ? `seq.${EXTENSIONS[output.format]}` : output.kind === 'video' ? EXTENSIONS[output.format] : `camera.${output.format}`
    if (names.has(`${planned.baseName}.${extension}`)) planned.baseName = `${planned.baseName}_${output.format}`
    if (names.has(`${planned.baseName}.${extension}`)) throw new AppError('BAD_REQUEST', `Two outputs would both be written as "${planned.baseName}"; remove the duplicate.`)
    names.add(`${planned.baseName}.${extension}`)
  }
  const needsDepthRange = settings.outputs.some((o) => o.kind !== 'camera' && ((o.pass.type === 'depth' && !o.pass.range) || o.pass.type === 'normal'))
  const estimatedBytes = outputs.reduce((sum, { output }) => {
    if (output.kind === 'camera') return sum + frames * 1024
    // Sequences exist twice for a moment: the frames and their zip.
    const copies = output.kind === 'sequence' ? 2 : 1
    return sum + width * height * frames * (BYTES_PER_PIXEL[output.format] ?? 4) * copies
  }, 0)
  return { compositionId: composition.id, width, height, fps: composition.fps, start, end, frames, passes: [...passes.values()], outputs, needsDepthRange, estimatedBytes }
}

export function outputSize(width: number, height: number, scale: ExportSettings['scale']): { width: number; height: number } {
  if (typeof scale === 'object') return scale
  const factor = scale === 'half' ? 2 : scale === 'quarter' ? 4 : 1
  const size = { width: Math.max(1, Math.round(width / factor)), height: Math.max(1, Math.round(height / factor)) }
  if (size.width < EXPORT_LIMITS.minDimension || size.height < EXPORT_LIMITS.minDimension || size.width > EXPORT_LIMITS.maxDimension || size.height > EXPORT_LIMITS.maxDimension) {
    throw new AppError('BAD_REQUEST', `The export would be ${size.width}×${size.height}; exports are ${EXPORT_LIMITS.minDimension}–${EXPORT_LIMITS.maxDimension} pixels a side. Choose another scale or an explicit size.`)
  }
  return size
}

function passName(pass: ExportPass | null): string {
  if (!pass) return 'camera'
  if (pass.type === 'depth') return pass.convention === 'normalized' ? 'depth' : `depth-${pass.convention}`
  if (pass.type === 'matte') return `matte-${pass.layerId}`
  return pass.type
}

/** The settings' name template filled in, reduced to characters safe in any file system and in ComfyUI's input folder. */
export function fileName(template: string, values: Record<'project' | 'composition' | 'pass' | 'format', string>): string {
  const filled = template.replace(/\{(project|composition|pass|format)\}/g, (_, key: keyof typeof values) => values[key])
  const safe = filled.replace(/[^\w\-.]+/g, '_').replace(/^[._]+|_+$/g, '').slice(0, EXPORT_LIMITS.maxNameLength)
  return safe || 'export'
}
