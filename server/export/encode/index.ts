export { bytesPerPixel, jpegQScale, outputFiles, planEncode, type EncodePlan, type EncodePlanInput } from './args'
export { createEncoder, EncodeError } from './encoder'
export type { AudioClip, EncodedOutput, EncoderOptions, EncodeTarget, FrameEncoder, FramePixels } from './types'
