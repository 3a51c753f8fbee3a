import type { SequenceFormat, VideoFormat } from '../../../shared/export/options'

/**
 * Raw frame layouts the encoders take, rows from the top, no padding:
 * `rgba` straight (not premultiplied) 8-bit RGBA, `gray` 8-bit grey, `gray16le` 16-bit little-endian grey.
 */
export type FramePixels = 'rgba' | 'gray' | 'gray16le'

/** A piece of an audio file placed on the export's timeline. */
export interface AudioClip {
  path: string
  /** Where the clip starts on the export's timeline (0 = the first exported frame). */
  startSeconds: number
  /** Where the clip starts inside its source file. */
  offsetSeconds: number
  durationSeconds: number
  /** Linear gain, 1 = unchanged. */
  volume?: number
}

export type EncodeTarget =
  | { kind: 'video'; format: VideoFormat; crf?: number }
  /** `quality` 1–100 is for JPEG. */
  | { kind: 'sequence'; format: SequenceFormat; quality?: number }

export interface EncoderOptions {
  width: number
  height: number
  fps: number
  pixels: FramePixels
  /** Where the output goes; it must exist. */
  directory: string
  /** A plain file name without extension; sequences add `_00000` etc. */
  baseName: string
  target: EncodeTarget
  /** Mixed into h264/h265/vp9/prores4444 videos; ignored for GIF and sequences. */
  audio?: AudioClip[]
  signal?: AbortSignal
}

export interface EncodedOutput {
  /** Absolute paths; a sequence's frames in frame order. */
  files: string[]
  mime: string
}

export interface FrameEncoder {
  /**
   * Sends one frame (width × height × bytes per pixel). Resolves when the encoder can take the next
   * one. The encoder may still hold `frame` until ffmpeg has read it, so do not change it afterwards.
   */
  write(frame: Uint8Array): Promise<void>
  /** Ends the input, waits for ffmpeg and returns what it wrote. */
  finish(): Promise<EncodedOutput>
  /** Kills ffmpeg now and removes every file it wrote. Safe to call more than once. */
  abort(): Promise<void>
}
