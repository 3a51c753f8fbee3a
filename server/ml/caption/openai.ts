import { AppError } from '../../../shared/errors'

/**
 * Captions from any OpenAI-compatible vision chat endpoint (`LATTICE_VLM_URL`, e.g. a local
 * llama.cpp / vLLM / Ollama server at `http://host:port/v1`): one chat completion with the image as
 * a base64 data URL in an `image_url` content part. Options are passed in; nothing is read from env.
 */
export const DEFAULT_CAPTION_PROMPT = 'Describe this image in one paragraph for a video generation prompt.'

export interface OpenAiCaptionOptions {
  /** The API base, e.g. `http://localhost:8080/v1` (LATTICE_VLM_URL). */
  url: string
  /** Bearer token (LATTICE_VLM_KEY), if the server wants one. */
  apiKey?: string | null
  /** The model name the server knows (LATTICE_VLM_MODEL). */
  model: string
  prompt?: string
  maxTokens?: number
  /** Whole request, ms (default 120 s). */
  timeoutMs?: number
  /** Largest response body read, bytes (default 1 MiB). */
  maxResponseBytes?: number
  signal?: AbortSignal
}

export interface CaptionImage {
  data: Uint8Array
  /** e.g. image/png, image/jpeg. */
  mimeType: string
}

export interface CaptionResult {
  text: string
  model: string
}

export async function captionWithOpenAi(image: CaptionImage, options: OpenAiCaptionOptions): Promise<CaptionResult> {
  const endpoint = `${options.url.replace(/\/+$/, '')}/chat/completions`
  const body = {
    model: options.model,
    max_tokens: options.maxTokens ?? 300,
    messages: [{
      role: 'user',
      content: [
        { type: 'text', text: options.prompt ?? DEFAULT_CAPTION_PROMPT },
        { type: 'image_url', image_url: { url: `data:${image.mimeType};base64,${Buffer.from(image.data).toString('base64')}` } },
      ],
    }],
  }
  const timeoutMs = options.timeoutMs ?? 120_000
  const timeout = AbortSignal.timeout(timeoutMs)
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout
  let response: Response
  try {
    response = await fetch(endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', ...(options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {}) },
      body: JSON.stringify(body),
      signal,
    })
  } catch (error) {
    throw requestError(error, options, timeout, timeoutMs)
  }
  let text: string
  try {
    text = await readLimited(response, options.maxResponseBytes ?? 1024 * 1024)
  } catch (error) {
    if (error instanceof AppError) throw error
    throw requestError(error, options, timeout, timeoutMs)
  }
  if (response.status === 401 || response.status === 403) {
    throw new AppError('SERVICE_UNAVAILABLE', `The captioning server at ${options.url} refused the key (HTTP ${response.status}): check LATTICE_VLM_KEY.`)
  }
  if (response.status === 404) {
    throw new AppError('SERVICE_UNAVAILABLE', `The captioning server at ${options.url} has no ${endpoint.slice(endpoint.lastIndexOf('/v'))} or no model "${options.model}" (HTTP 404): check LATTICE_VLM_URL (it ends in /v1) and LATTICE_VLM_MODEL.`)
  }
  if (!response.ok) {
    throw new AppError('SERVICE_UNAVAILABLE', `The captioning server at ${options.url} answered HTTP ${response.status}: ${errorMessage(text) ?? 'no details'}.`)
  }
  let parsed: { choices?: { message?: { content?: unknown } }[]; model?: string }
  try {
    parsed = JSON.parse(text)
  } catch {
    throw new AppError('SERVICE_UNAVAILABLE', `The captioning server at ${options.url} did not answer with JSON: is LATTICE_VLM_URL an OpenAI-compatible API (…/v1)?`)
  }
  const content = parsed.choices?.[0]?.message?.content
  const caption = typeof content === 'string'
    ? content
    : Array.isArray(content) ? content.map((part) => (typeof part?.text === 'string' ? part.text : '')).join('') : ''
  if (!caption.trim()) throw new AppError('SERVICE_UNAVAILABLE', `The captioning model "${options.model}" returned no text: does it accept images?`)
  return { text: caption.trim(), model: parsed.model ?? options.model }
}

function requestError(error: unknown, options: OpenAiCaptionOptions, timeout: AbortSignal, timeoutMs: number): Error {
  if (options.signal?.aborted) return options.signal.reason instanceof Error ? options.signal.reason : new Error('Captioning was cancelled.')
  if (timeout.aborted) return new AppError('SERVICE_UNAVAILABLE', `The captioning server at ${options.url} did not answer within ${Math.round(timeoutMs / 1000)} s: check LATTICE_VLM_URL and that the model is loaded.`)
  const cause = (error as { cause?: { code?: string; message?: string } })?.cause
  return new AppError('SERVICE_UNAVAILABLE', `The captioning server at ${options.url} could not be reached (${cause?.code ?? cause?.message ?? (error as Error)?.message}): check LATTICE_VLM_URL.`)
}

async function readLimited(response: Response, maxBytes: number): Promise<string> {
  const declared = Number(response.headers.get('content-length'))
  if (declared > maxBytes) {
    await response.body?.cancel()
    throw new AppError('SERVICE_UNAVAILABLE', `The captioning server's answer is ${declared} bytes, over the ${maxBytes}-byte limit.`)
  }
  if (!response.body) return ''
  const reader = response.body.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    size += value.byteLength
    if (size > maxBytes) {
      await reader.cancel()
      throw new AppError('SERVICE_UNAVAILABLE', `The captioning server's answer is over the ${maxBytes}-byte limit.`)
    }
    chunks.push(value)
  }
  return Buffer.concat(chunks).toString('utf8')
}

function errorMessage(text: string): string | null {
  try {
    const body = JSON.parse(text) as { error?: { message?: string } | string; message?: string }
    return (typeof body.error === 'string' ? body.error : body.error?.message) ?? body.message ?? null
  } catch {
    return text.trim().slice(0, 200) || null
  }
}
