import type { LayerKind } from '~~/shared/project'

/** One lucide icon per layer kind, for the layers panel and timeline. */
export const LAYER_ICONS: Record<LayerKind, string> = {
  image: 'i-lucide-image',
  video: 'i-lucide-film',
  audio: 'i-lucide-audio-lines',
  solid: 'i-lucide-square',
  text: 'i-lucide-type',
  shape: 'i-lucide-shapes',
  camera: 'i-lucide-camera',
  null: 'i-lucide-move',
  depth: 'i-lucide-mountain',
  nestedComposition: 'i-lucide-layers',
  adjustment: 'i-lucide-sliders-horizontal',
}
