import type { ExportOutputInput } from './options'

/** Ready-made output sets, offered first in the export dialog and listed by `export.presets`. */
export interface ExportPreset {
  id: string
  label: string
  description: string
  outputs: ExportOutputInput[]
}

export const EXPORT_PRESETS: readonly ExportPreset[] = [
  { id: 'h264', label: 'Video (H.264 MP4)', description: 'Plays everywhere; for review and editing.', outputs: [{ kind: 'video', format: 'h264' }] },
  { id: 'png', label: 'PNG sequence', description: 'Lossless frames, with alpha when the background is transparent.', outputs: [{ kind: 'sequence', format: 'png' }] },
  { id: 'prores', label: 'ProRes 4444 (MOV, alpha)', description: 'For editing and compositing applications.', outputs: [{ kind: 'video', format: 'prores4444' }] },
  { id: 'webm', label: 'WebM VP9 (alpha)', description: 'Small files with transparency, for the web.', outputs: [{ kind: 'video', format: 'vp9' }] },
  { id: 'gif', label: 'GIF', description: 'Short loops for previews.', outputs: [{ kind: 'video', format: 'gif' }] },
  {
    id: 'depth', label: 'Depth for ControlNet', description: 'Depth video and 16-bit depth frames (near = white).',
    outputs: [{ kind: 'video', format: 'h264', pass: { type: 'depth' } }, { kind: 'sequence', format: 'png16', pass: { type: 'depth' } }],
  },
  {
    id: 'conditioning', label: 'Conditioning set', description: 'Colour, depth and normal videos plus the camera as full matrices.',
    outputs: [
      { kind: 'video', format: 'h264' },
      { kind: 'video', format: 'h264', pass: { type: 'depth' } },
      { kind: 'video', format: 'h264', pass: { type: 'normal' } },
      { kind: 'camera', format: 'matrices' },
    ],
  },
  {
    id: 'camera', label: 'Camera trajectories', description: 'The active camera in every supported format.',
    outputs: [{ kind: 'camera', format: 'matrices' }, { kind: 'camera', format: 'motionctrl' }, { kind: 'camera', format: 'cameractrl' }, { kind: 'camera', format: 'uni3c' }, { kind: 'camera', format: 'wan-fun' }],
  },
]
