import { spawn, type ChildProcessByStdio } from 'node:child_process'
import { rm } from 'node:fs/promises'
import { basename } from 'node:path'
import type { Readable, Writable } from 'node:stream'
import { ffmpegPath, notFound } from '../../media/ffmpeg'
import { bytesPerPixel, outputFiles, planEncode, type EncodePlan } from './args'
import type { EncodedOutput, EncoderOptions, FrameEncoder } from './types'

/** How much of ffmpeg's stderr is kept: its last lines are the reason an encode failed. */
const STDERR_TAIL_CHARS = 4096
const REASON_LINES = 5

/** ffmpeg ran but could not produce the output; `ffmpegOutput` is its own last lines. */
export class EncodeError extends Error {
  constructor(
    message: string,
    readonly ffmpegOutput: string,
  ) {
    super(message)
    this.name = 'EncodeError'
  }
}

/**
 * Starts ffmpeg for one output and returns the encoder that feeds it raw frames through stdin.
 * Throws at once on invalid options; ffmpeg's own failures arrive through write() and finish().
 */
export function createEncoder(options: EncoderOptions): FrameEncoder {
  return new FfmpegEncoder(options)
}

type Exit = { error: Error } | { code: number | null; signal: NodeJS.Signals | null }

class FfmpegEncoder implements FrameEncoder {
  private readonly plan: EncodePlan
  private readonly frameBytes: number
  private readonly child: ChildProcessByStdio<Writable, null, Readable> | null
  /** Settles once ffmpeg has exited and, if the encode failed, its files are removed. */
  private readonly settled: Promise<void>
  private frames = 0
  private stderrTail = ''
  private finishing = false
  private exitedCleanly = false
  private succeeded = false
  /** Why the encode cannot succeed any more (ffmpeg failed, or it was aborted). */
  private failure: Error | null = null
  /** A write waiting for stdin to drain, told when the encode stops instead. */
  private readonly stopWaiters = new Set<(error: Error) => void>()
  private readonly onAbortSignal = () => {
    this.abort().catch(() => {})
  }

  constructor(private readonly options: EncoderOptions) {
    this.plan = planEncode(options)
    this.frameBytes = options.width * options.height * bytesPerPixel(options.pixels)
    if (options.signal?.aborted) {
      this.failure = abortError(options.signal)
      this.child = null
      this.settled = Promise.resolve()
      return
    }
    const child = spawn(ffmpegPath(), this.plan.args, { stdio: ['pipe', 'ignore', 'pipe'] })
    this.child = child
    // Writes after ffmpeg died fail with EPIPE; its exit status and stderr tell the real reason.
    child.stdin.on('error', () => {})
    child.stderr.setEncoding('utf8')
    child.stderr.on('data', (text: string) => {
      this.stderrTail = (this.stderrTail + text).slice(-STDERR_TAIL_CHARS)
    })
    this.settled = new Promise<Exit>((resolve) => {
      child.once('error', (error) => resolve({ error }))
      child.once('close', (code, signal) => resolve({ code, signal }))
    }).then((exit) => this.afterExit(exit))
    options.signal?.addEventListener('abort', this.onAbortSignal, { once: true })
  }

  async write(frame: Uint8Array): Promise<void> {
    if (this.failure) return this.rejectWithFailure()
    if (this.finishing) throw new Error('write() was called after finish().')
    if (frame.byteLength !== this.frameBytes) {
      const { width, height, pixels } = this.options
      throw new Error(`A ${width}×${height} ${pixels} frame is ${this.frameBytes} bytes, got ${frame.byteLength}.`)
    }
    this.frames++
    const stdin = this.child!.stdin
    if (stdin.write(frame)) return
    await new Promise<void>((resolve, reject) => {
      const onDrain = () => {
        this.stopWaiters.delete(onStop)
        resolve()
      }
      const onStop = (error: Error) => {
        stdin.off('drain', onDrain)
        reject(error)
      }
      stdin.once('drain', onDrain)
      this.stopWaiters.add(onStop)
    })
  }

  async finish(): Promise<EncodedOutput> {
    if (this.failure) return this.rejectWithFailure()
    if (this.finishing) throw new Error('finish() was already called.')
    this.finishing = true
    if (this.frames === 0) {
      await this.abort()
      throw new Error('No frames were written, so there is nothing to encode.')
    }
    this.child!.stdin.end()
    await this.settled
    if (this.failure) throw this.failure
    this.succeeded = true
    return { files: outputFiles(this.plan, this.frames), mime: this.plan.mime }
  }

  /** After a successful finish() the files belong to the caller, and this does nothing. */
  async abort(): Promise<void> {
    if (this.succeeded) return
    // ffmpeg may have completed just before the abort; then its files are still there.
    const completed = this.exitedCleanly
    this.failure ??= abortError(this.options.signal)
    this.child?.kill('SIGKILL')
    await this.settled
    if (completed) await this.removeFiles()
  }

  private async afterExit(exit: Exit): Promise<void> {
    this.options.signal?.removeEventListener('abort', this.onAbortSignal)
    if (!this.failure) {
      if ('error' in exit) this.failure = startError(exit.error)
      else if (exit.code !== 0) this.failure = this.ffmpegError(exit)
      else this.exitedCleanly = true
    }
    if (!this.failure) return
    // A file that cannot be removed must not hide why the encode failed.
    await this.removeFiles().catch(() => {})
    for (const waiter of this.stopWaiters) waiter(this.failure)
    this.stopWaiters.clear()
  }

  /** Waits for the failed encode's files to be removed before reporting it. */
  private async rejectWithFailure(): Promise<never> {
    await this.settled
    throw this.failure
  }

  private removeFiles(): Promise<unknown> {
    return Promise.all(outputFiles(this.plan, this.frames).map((file) => rm(file, { force: true })))
  }

  private ffmpegError(exit: { code: number | null; signal: NodeJS.Signals | null }): EncodeError {
    const lines = this.stderrTail
      .split(/\r?\n/)
      .map((line) => line.trim())
      .filter((line) => line.length > 0)
      .slice(-REASON_LINES)
      .join('\n')
    const how = exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`
    // Users see the message; where the server keeps its files is none of their business.
    const reason = lines.split(`${this.options.directory}/`).join('') || 'it printed no reason'
    return new EncodeError(`ffmpeg ${how} while writing ${basename(this.plan.output)}: ${reason}`, lines)
  }
}

function startError(error: Error): Error {
  if ((error as NodeJS.ErrnoException).code === 'ENOENT') return notFound('ffmpeg', 'LATTICE_FFMPEG_PATH')
  return new EncodeError(`ffmpeg could not be started: ${error.message}`, '')
}

function abortError(signal: AbortSignal | undefined): Error {
  const reason: unknown = signal?.reason
  return reason instanceof Error ? reason : new DOMException('The encode was aborted.', 'AbortError')
}
