/**
 * A 200 MB upload through `POST /api/assets/upload` (raw body, Bearer token) against the floor:
 * copying the same file with node:fs streams. The file is random bytes behind a WAV header,
 * because the server refuses (415, after receiving it) content that is not an image, video or
 * audio file; a WAV's samples can be any bytes.
 */
import { createHash, randomFillSync } from 'node:crypto'
import { createReadStream, createWriteStream } from 'node:fs'
import { open, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { pipeline } from 'node:stream/promises'
import type { LatticeClient } from '../client'
import { median, timed } from './stats'

export interface UploadResult {
  bytes: number
  rounds: number
  /** Median seconds and MB/s (MB = 2^20 bytes). */
  lattice: { seconds: number; mbPerSecond: number; samples: number[] }
  floor: { seconds: number; mbPerSecond: number; samples: number[] }
  /** SHA-256 of the same bytes in this process: the server hashes uploads as it receives them. */
  sha256MbPerSecond: number
  /** Seconds the server's processing job took after each upload (not part of the upload time). */
  processingSeconds: number[]
}

function wavHeader(dataBytes: number): Buffer {
  const header = Buffer.alloc(44)
  header.write('RIFF', 0)
  header.writeUInt32LE(36 + dataBytes, 4)
  header.write('WAVE', 8)
  header.write('fmt ', 12)
  header.writeUInt32LE(16, 16) // fmt chunk size
  header.writeUInt16LE(1, 20) // PCM
  header.writeUInt16LE(2, 22) // channels
  header.writeUInt32LE(48_000, 24) // sample rate
  header.writeUInt32LE(48_000 * 4, 28) // byte rate
  header.writeUInt16LE(4, 32) // block align
  header.writeUInt16LE(16, 34) // bits per sample
  header.write('data', 36)
  header.writeUInt32LE(dataBytes, 40)
  return header
}

/** Writes `bytes` of WAV (random samples) to `path`. */
async function writeRandomWav(path: string, bytes: number): Promise<void> {
  const file = await open(path, 'w')
  try {
    await file.write(wavHeader(bytes - 44))
    const chunk = Buffer.allocUnsafe(8 * 1024 * 1024)
    for (let left = bytes - 44; left > 0; left -= chunk.length) {
      const part = left >= chunk.length ? chunk : chunk.subarray(0, left)
      randomFillSync(part)
      await file.write(part)
    }
  } finally {
    await file.close()
  }
}

/** New random bytes at the start of the samples: new content, so no upload is deduplicated. */
async function freshen(path: string): Promise<void> {
  const file = await open(path, 'r+')
  try { await file.write(randomFillSync(Buffer.alloc(4096)), 0, 4096, 44) } finally { await file.close() }
}

async function sha256Seconds(path: string): Promise<number> {
  const hash = createHash('sha256')
  return (await timed(() => pipeline(createReadStream(path), hash))).ms / 1000
}

export async function measureUpload(options: { lattice: LatticeClient; workDir: string; bytes: number; rounds: number }): Promise<UploadResult> {
  const { lattice, workDir, bytes, rounds } = options
  const source = join(workDir, 'upload-source.wav')
  const copy = join(workDir, 'upload-copy.wav')
  await writeRandomWav(source, bytes)
  const mb = bytes / 1024 / 1024
  const latticeSamples: number[] = []
  const floorSamples: number[] = []
  const processingSeconds: number[] = []
  try {
    for (let round = 0; round < rounds; round++) {
      await freshen(source)
      const upload = await timed(() => lattice.uploadAsset(source, { name: `bench-${round}.wav` }))
      if (upload.result.deduplicated || upload.result.asset.size !== bytes) throw new Error(`unexpected upload result: ${JSON.stringify(upload.result)}`)
      latticeSamples.push(upload.ms / 1000)
      // Let the processing job (probe, waveform) finish so it does not overlap the next measurement.
      if (upload.result.jobId) {
        const job = await timed(() => lattice.waitForJob(upload.result.jobId!, undefined, AbortSignal.timeout(120_000)))
        processingSeconds.push(job.ms / 1000)
      }

      const floor = await timed(() => pipeline(createReadStream(source), createWriteStream(copy)))
      floorSamples.push(floor.ms / 1000)
      await rm(copy, { force: true })
    }
    const sha = await sha256Seconds(source)
    const latticeSeconds = median(latticeSamples)
    const floorSeconds = median(floorSamples)
    return {
      bytes,
      rounds,
      lattice: { seconds: latticeSeconds, mbPerSecond: mb / latticeSeconds, samples: latticeSamples },
      floor: { seconds: floorSeconds, mbPerSecond: mb / floorSeconds, samples: floorSamples },
      sha256MbPerSecond: mb / sha,
      processingSeconds,
    }
  } finally {
    await rm(source, { force: true })
    await rm(copy, { force: true })
  }
}
