import type { ProjectDocumentInput } from '../../../shared/project'

export const IMAGE_ASSET = '0f8fad5b-d9cb-469f-a165-70867728950e'
export const VIDEO_ASSET = '7c9e6679-7425-40de-944b-e07fc1f90ae7'
export const AUDIO_ASSET = '16fd2706-8baf-433b-82eb-8c7fada847da'
export const DEPTH_COLOR_ASSET = '886313e1-3b8a-5372-9b90-0c9aee199e5d'
export const DEPTH_MAP_ASSET = 'c9bf9e57-1685-4c89-bafb-ff5af830be8a'

const vertex = (x: number, y: number): { point: [number, number] } => ({ point: [x, y] })
const square = { closed: true, vertices: [vertex(0, 0), vertex(100, 0), vertex(100, 100)] }

/** A document that uses every layer kind and most optional features. */
export function richDocument(): ProjectDocumentInput {
  return {
    schemaVersion: 2,
    mainCompositionId: 'main',
    compositions: {
      main: {
        id: 'main',
        name: 'Main',
        width: 1280,
        height: 720,
        fps: 16,
        frameCount: 81,
        backgroundColor: '#101010ff',
        markers: [{ frame: 40, label: 'beat', color: '#ff0000' }],
        layers: [
          {
            id: 'cam', kind: 'camera', outPoint: 81, threeD: true,
            data: { cameraType: 'twoNode', zoom: { value: 900 }, pointOfInterest: { value: [640, 360, 0] } },
          },
          { id: 'ctrl', kind: 'null', name: 'Control', outPoint: 81 },
          {
            id: 'title', kind: 'text', outPoint: 81, parentId: 'ctrl',
            data: { text: 'Hello', fontSize: 64, stroke: { color: '#000000', width: 2 }, align: 'center' },
            transform: {
              position: {
                value: [640, 360, 0],
                keyframes: [
                  { id: 'k1', frame: 0, value: [0, 360, 0], interpolation: 'bezier', outHandle: { speed: 0, influence: 33 }, spatialOut: [10, 0, 0] },
                  { id: 'k2', frame: 40.5, value: [640, 360, 0], easing: 'elasticOut' },
                  { id: 'k3', frame: 80, value: [1280, 360, 0], interpolation: 'hold' },
                ],
              },
              opacity: { value: 80 },
            },
          },
          {
            id: 'logo', kind: 'image', outPoint: 81, blendMode: 'screen', data: { assetId: IMAGE_ASSET },
            trackMatte: { mode: 'alphaInverted', layerId: 'title' },
            masks: [{ id: 'm1', mode: 'subtract', inverted: true, path: { value: square }, feather: { value: [4, 4] } }],
          },
          {
            id: 'clip', kind: 'video', outPoint: 81,
            data: { assetId: VIDEO_ASSET, loop: true, playbackRate: 0.5, timeRemap: { value: 0, keyframes: [{ id: 't', frame: 0, value: 0 }] } },
          },
          { id: 'music', kind: 'audio', outPoint: 81, data: { assetId: AUDIO_ASSET, volume: { value: 50 } } },
          { id: 'bg', kind: 'solid', outPoint: 81, data: { color: '#336699', width: 1280, height: 720 } },
          {
            id: 'shapes', kind: 'shape', outPoint: 81,
            data: {
              shapes: [
                { type: 'rectangle', size: { value: [200, 100] }, roundness: { value: 8 } },
                { type: 'ellipse', fill: null, stroke: { color: '#ffffff', width: 3 } },
                { type: 'polygon', points: 5, innerRadius: { value: 20 } },
                { type: 'path', path: { value: square } },
              ],
            },
          },
          {
            id: 'depth', kind: 'depth', outPoint: 81,
            data: { assetId: DEPTH_COLOR_ASSET, depthAssetId: DEPTH_MAP_ASSET, displacement: { value: 30 }, nearFar: [1, 50] },
          },
          { id: 'pre', kind: 'nestedComposition', outPoint: 81, data: { compositionId: 'inner' } },
          {
            id: 'grade', kind: 'adjustment', outPoint: 81,
            effects: [{ id: 'e1', type: 'gaussian-blur', params: { blurriness: { value: 10 }, center: { value: [0.5, 0.5] }, mode: { value: 'both' } } }],
          },
        ],
      },
      inner: { id: 'inner', width: 512, height: 512, fps: 24, frameCount: 48, layers: [{ id: 'img', kind: 'image', outPoint: 48, data: { assetId: IMAGE_ASSET } }] },
    },
  }
}
