import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { createEncoder, type AudioClip, type FramePixels } from '../../export/encode'
import { depthToLevels } from '../../export/depth-levels'
import { normalFromDepth } from '../../export/normal-map'
import { exportCamera } from '../../../shared/export/camera'
import type { ProjectDocument } from '../../../shared/project'
import type { ExportPlan, PlannedOutput } from './plan'

/** One output being written: it takes the frames of its source pass, in order. */
export interface OutputWriter {
  planned: PlannedOutput
  take(bytes: Buffer): Promise<void>
  /** The files written, in frame order for sequences. */
  finish(): Promise<{ files: string[]; mime: string }>
  abort(): Promise<void>
}

/**
 * Writers for every output of the plan. Colour and mattes are written as the page sends them
 * (straight RGBA); depth arrives as eye distances and is turned into the output's convention and
 * bit depth here, and normals are computed from it.
 */
export interface WriterContext {
  directory: string
  /** The range depth is normalised to when an output gives none; null when nothing is 3D. */
  depthRange: [number, number] | null
  /** Sound mixed into colour videos. */
  audio: AudioClip[]
  signal: AbortSignal
}

export async function openWriters(plan: ExportPlan, document: ProjectDocument, context: WriterContext): Promise<OutputWriter[]> {
  const writers: OutputWriter[] = []
  try {
    for (const planned of plan.outputs) writers.push(await openWriter(plan, planned, document, context))
    return writers
  } catch (error) {
    await Promise.all(writers.map((writer) => writer.abort()))
    throw error
  }
}

async function openWriter(plan: ExportPlan, planned: PlannedOutput, document: ProjectDocument, { directory, depthRange: measured, audio, signal }: WriterContext): Promise<OutputWriter> {
  const { output } = planned
  if (output.kind === 'camera') {
    const file = exportCamera(document, plan.compositionId, { start: plan.start, end: plan.end }, output.format)
    const path = join(directory, `${planned.baseName}.${file.extension}`)
    await writeFile(path, file.text)
    return { planned, take: async () => {}, finish: async () => ({ files: [path], mime: file.mime }), abort: async () => {} }
  }
  const { pass } = output
  const isDepth = pass.type === 'depth'
  const sixteen = output.kind === 'sequence' && output.format === 'png16'
  const pixels: FramePixels = pass.type === 'depth' ? (sixteen ? 'gray16le' : 'gray') : 'rgba'
  const encoder = createEncoder({
    width: plan.width,
    height: plan.height,
    fps: plan.fps,
    pixels,
    directory,
    baseName: planned.baseName,
    target: output.kind === 'video' ? { kind: 'video', format: output.format, crf: output.crf } : { kind: 'sequence', format: output.format, quality: output.quality },
    // Passes are pictures of the scene, not the scene: only colour carries its sound.
    audio: pass.type === 'color' && audio.length > 0 ? audio : undefined,
    signal,
  })
  // A scene with nothing 3D has no depth at all: every pixel is empty, whatever the range.
  const range: [number, number] = (isDepth ? pass.range : undefined) ?? measured ?? [1, 2]
  const convert = (bytes: Buffer): Uint8Array => {
    if (pass.type !== 'depth' && pass.type !== 'normal') return bytes
    const distance = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength))
    // From 16-bit levels: 8-bit steps would show as stripes on any slanted surface.
    if (pass.type === 'normal') return normalFromDepth(depthToLevels(distance, plan.width, plan.height, range, 'inverse', 16), plan.width, plan.height)
    const levels = depthToLevels(distance, plan.width, plan.height, range, pass.convention, sixteen ? 16 : 8)
    return new Uint8Array(levels.buffer, levels.byteOffset, levels.byteLength)
  }
  return {
    planned,
    take: (bytes) => encoder.write(convert(bytes)),
    finish: () => encoder.finish(),
    abort: () => encoder.abort(),
  }
}
