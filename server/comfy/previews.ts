import { BinaryEvent, previewMetadataSchema } from './protocol'

export type BinaryFrame =
  | { kind: 'preview'; mime: string; image: Buffer; nodeId?: string; promptId?: string }
  | { kind: 'text'; nodeId: string; text: string }
  | { kind: 'unknown'; event: number }

/** Decodes a binary WebSocket frame by its leading big-endian uint32 event type. */
export function decodeBinaryFrame(frame: Buffer): BinaryFrame {
  if (frame.length < 4) return { kind: 'unknown', event: -1 }
  const event = frame.readUInt32BE(0)
  switch (event) {
    case BinaryEvent.PREVIEW_IMAGE: {
      if (frame.length < 8) return { kind: 'unknown', event }
      const format = frame.readUInt32BE(4)
      return { kind: 'preview', mime: format === 2 ? 'image/png' : 'image/jpeg', image: frame.subarray(8) }
    }
    case BinaryEvent.TEXT: {
      if (frame.length < 8) return { kind: 'unknown', event }
      const length = frame.readUInt32BE(4)
      return { kind: 'text', nodeId: frame.subarray(8, 8 + length).toString('utf8'), text: frame.subarray(8 + length).toString('utf8') }
    }
    case BinaryEvent.PREVIEW_IMAGE_WITH_METADATA: {
      if (frame.length < 8) return { kind: 'unknown', event }
      const length = frame.readUInt32BE(4)
      let metadata: ReturnType<typeof previewMetadataSchema.safeParse>
      try {
        metadata = previewMetadataSchema.safeParse(JSON.parse(frame.subarray(8, 8 + length).toString('utf8')))
      } catch {
        return { kind: 'unknown', event }
      }
      if (!metadata.success) return { kind: 'unknown', event }
      return { kind: 'preview', mime: metadata.data.image_type ?? 'image/jpeg', image: frame.subarray(8 + length), nodeId: metadata.data.node_id, promptId: metadata.data.prompt_id }
    }
    default:
      return { kind: 'unknown', event }
  }
}
