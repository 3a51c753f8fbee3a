import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { basename } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AppError } from '../../../../shared/errors'
import { captionWithOpenAi, DEFAULT_CAPTION_PROMPT } from '../../../../server/ml/caption/openai'
import { caption, florenceLoader } from '../../../../server/ml/caption/florence'
import { modelManifestSchema } from '../../../../shared/ai/manifest'
import { discPng } from './helpers'

type ContentPart = { type: 'text'; text: string } | { type: 'image_url'; image_url: { url: string } }
/** The chat request as the stand-in receives it: the parts these tests read. */
interface ChatRequest { model: string; messages: { content: ContentPart[] }[] }

describe('OpenAI-compatible caption client against a local stand-in server', () => {
  let server: Server
  let url: string
  let lastBody: ChatRequest | null = null
  let lastAuth: string | undefined
  let handler: (req: IncomingMessage, res: ServerResponse, body: ChatRequest) => void
  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = []
      req.on('data', (c) => chunks.push(c))
      req.on('end', () => {
        lastAuth = req.headers.authorization
        lastBody = req.url === '/v1/chat/completions' ? JSON.parse(Buffer.concat(chunks).toString()) : null
        if (!lastBody) { res.writeHead(404).end(); return }
        handler(req, res, lastBody)
      })
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`
  })
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))
  const image = { data: Uint8Array.from([137, 80, 78, 71, 1, 2, 3]), mimeType: 'image/png' }

  it('sends the model, the prompt and the image as a data URL; returns the text', async () => {
    handler = (_req, res, body) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ model: body.model, choices: [{ message: { role: 'assistant', content: '  A red ball on grey.  ' } }] }))
    const result = await captionWithOpenAi(image, { url: `${url}/`, apiKey: 'sk-test', model: 'qwen2.5-vl' })
    expect(result).toEqual({ text: 'A red ball on grey.', model: 'qwen2.5-vl' })
    expect(lastBody?.model).toBe('qwen2.5-vl')
    expect(lastAuth).toBe('Bearer sk-test')
    const content = lastBody?.messages[0]?.content
    expect(content).toContainEqual({ type: 'text', text: DEFAULT_CAPTION_PROMPT })
    expect(content).toContainEqual({ type: 'image_url', image_url: { url: `data:image/png;base64,${Buffer.from(image.data).toString('base64')}` } })
  })

  it('a real PNG goes through whole and a custom prompt replaces the default', async () => {
    handler = (_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ choices: [{ message: { content: [{ type: 'text', text: 'Parts ' }, { type: 'text', text: 'joined.' }] } }] }))
    const png = await discPng(16, 16, { cx: 8, cy: 8, r: 4, fill: '#f00' })
    const result = await captionWithOpenAi({ data: png, mimeType: 'image/png' }, { url, model: 'm', prompt: 'Say hi.' })
    expect(result.text).toBe('Parts joined.')
    expect(lastAuth).toBeUndefined()
    const parts = lastBody?.messages[0]?.content ?? []
    const sent = parts.flatMap((part) => (part.type === 'image_url' ? [part.image_url.url] : []))[0] ?? ''
    expect(Buffer.from(sent.split(',')[1] ?? '', 'base64').equals(png)).toBe(true)
    expect(parts[0]).toMatchObject({ text: 'Say hi.' })
  })

  it('401 says to check LATTICE_VLM_KEY', async () => {
    handler = (_req, res) => res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: 'bad key' } }))
    const error = await captionWithOpenAi(image, { url, apiKey: 'wrong', model: 'm' }).catch((e) => e)
    expect(error).toBeInstanceOf(AppError)
    expect(error.message).toMatch(/LATTICE_VLM_KEY/)
  })

  it('an unreachable server is SERVICE_UNAVAILABLE naming LATTICE_VLM_URL', async () => {
    const closed = createServer()
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve))
    const port = (closed.address() as AddressInfo).port
    await new Promise<void>((resolve) => closed.close(() => resolve()))
    const error = await captionWithOpenAi(image, { url: `http://127.0.0.1:${port}/v1`, model: 'm' }).catch((e) => e)
    expect(error).toBeInstanceOf(AppError)
    expect(error.code).toBe('SERVICE_UNAVAILABLE')
    expect(error.message).toMatch(/could not be reached.*LATTICE_VLM_URL/)
  })

  it('server errors, oversized answers, timeouts and cancellation', async () => {
    handler = (_req, res) => res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: 'model crashed' } }))
    expect((await captionWithOpenAi(image, { url, model: 'm' }).catch((e) => e)).message).toMatch(/HTTP 500: model crashed/)
    handler = (_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ choices: [{ message: { content: 'x'.repeat(5000) } }] }))
    expect((await captionWithOpenAi(image, { url, model: 'm', maxResponseBytes: 1000 }).catch((e) => e)).message).toMatch(/over the 1000-byte limit/)
    handler = () => {} // never answers
    const slow = await captionWithOpenAi(image, { url, model: 'm', timeoutMs: 300 }).catch((e) => e)
    expect(slow.code).toBe('SERVICE_UNAVAILABLE')
    expect(slow.message).toMatch(/did not answer within/)
    const controller = new AbortController()
    setTimeout(() => controller.abort(new Error('stopped by the user')), 100)
    const cancelled = await captionWithOpenAi(image, { url, model: 'm', signal: controller.signal }).catch((e) => e)
    expect(cancelled.message).toBe('stopped by the user')
  })
})

describe('Florence-2 captions (needs real weights)', () => {
  const dir = process.env.LATTICE_TEST_FLORENCE_DIR
  it.skipIf(!dir)('needs LATTICE_TEST_FLORENCE_DIR (a Florence-2-base-ft folder with onnx/): captions a red disc', async () => {
    const manifest = modelManifestSchema.parse({
      id: basename(dir!), name: 'Florence-2', task: 'caption', runtime: 'transformers', licence: 'MIT', source: 'https://huggingface.co/onnx-community/Florence-2-base-ft',
      files: [{ path: 'config.json', url: null, sha256: '0'.repeat(64), size: 1 }], processing: { dtype: process.env.LATTICE_TEST_FLORENCE_DTYPE ?? 'q4' },
    })
    const loaded = await florenceLoader.load(manifest, dir!, 'cpu')
    try {
      const result = await caption({ manifest, dir: dir!, device: 'cpu', sessions: {}, native: loaded.native }, await discPng(384, 384, { cx: 192, cy: 192, r: 120, fill: '#e02020' }, '#ffffff'), { task: 'caption' })
      expect(result.task).toBe('<CAPTION>')
      expect(result.text).toMatch(/red|circle|ball|dot/i)
    } finally {
      await loaded.dispose()
    }
  }, 300_000)
})
