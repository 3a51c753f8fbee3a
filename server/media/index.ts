export { ACCEPTED_DESCRIPTION, detectMediaType, type DetectedMedia, type MediaKind } from './detect'
export { extensionFor } from './extension'
export { extractFrame, ffmpegAvailable, ffprobe, MediaReadError, type ProbeResult, type ProbeStream } from './ffmpeg'
export {
  frameRate,
  parseRate,
  probeAudio,
  probeImage,
  probeMedia,
  probeVideo,
  type AudioMetadata,
  type ImageMetadata,
  type ProbedMedia,
  type VideoMetadata,
} from './probe'
export { makeThumbnail, thumbnailTime, type ThumbnailOptions, type ThumbnailSize } from './thumbnail'
export { decodeFrames } from './decode-frames'
