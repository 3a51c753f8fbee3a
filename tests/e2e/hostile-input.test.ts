import { request } from 'node:http'
import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BOOTSTRAP_TOKEN, startServer, type RunningServer } from './server'

/**
 * Requests a careless script or an attacker would send: each answers a 4xx with a message that
 * says what is wrong (never a 500), costs what its limit allows and no more, and leaves the server
 * answering its health check.
 */
/**
 * An answer as these tests read it: tRPC's result, or its error with the message and zod details;
 * outside tRPC, the server's error with its message at the top.
 */
interface Answer {
  result: { data: { status: string } }
  error: { message: string; data: { zodError: { fieldErrors: Record<string, string[]> } } }
  message: string
}

describe('hostile and malformed requests', () => {
  let server: RunningServer
  const auth = { authorization: `Bearer ${BOOTSTRAP_TOKEN}` }

  beforeAll(async () => { server = await startServer() }, 90_000)
  afterAll(async () => { await server?.dispose() })

  // The body is whatever came back; a body without the fields a test expects fails that test's expect.
  async function call<Body = Answer>(path: string, init: RequestInit = {}): Promise<{ status: number; body: Body }> {
    const response = await fetch(`${server.url}${path}`, init)
    const text = await response.text()
    let body: unknown = text
    try { body = JSON.parse(text) } catch { /* not JSON */ }
    return { status: response.status, body: body as Body }
  }
  const post = (procedure: string, body: string, headers: Record<string, string> = auth) =>
    call(`/api/trpc/${procedure}`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body })
  /** The server still answers its health check afterwards, within a generous bound (a hung server fails here, a slow one does not). */
  async function healthy() {
    const { status, body } = await call('/api/trpc/system.health', { signal: AbortSignal.timeout(15_000) })
    expect(status).toBe(200)
    expect(body.result.data.status).toBe('ok')
  }
  /** POSTs `prefix` and then `megabytes` of filler, chunked (no length declared); the status, or 'reset' if the server hung up first. */
  function streamBody(procedure: string, prefix: string, megabytes: number, headers: Record<string, string>): Promise<number | 'reset'> {
    return new Promise((resolve) => {
      const url = new URL(`${server.url}/api/trpc/${procedure}`)
      const req = request({ host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers: { ...headers, 'content-type': 'application/json', 'transfer-encoding': 'chunked' } }, (res) => {
        res.resume()
        resolve(res.statusCode!)
      })
      req.on('error', () => resolve('reset'))
      const chunk = Buffer.alloc(1024 * 1024, 0x61)
      let sent = 0
      const pump = () => {
        while (sent < megabytes) {
          sent++
          if (!req.write(chunk)) return req.once('drain', pump)
        }
        req.end()
      }
      req.write(prefix)
      pump()
    })
  }
  const peakRssMb = () => Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${server.pid}/status`, 'utf8'))![1]) / 1024

  it('answers a body or an ?input= that is not JSON with 400 saying so', async () => {
    const body = await post('projects.create', '{"name": "x",')
    expect(body.status).toBe(400)
    expect(body.body.error.message).toMatch(/not valid JSON/)
    const query = await call('/api/trpc/projects.list?input=%7Bbad', { headers: auth })
    expect(query.status).toBe(400)
    expect(query.body.error.message).toMatch(/`\?input=` is not valid JSON/)
    await healthy()
  })

  it('refuses JSON nested past the limit, naming it, on private and public procedures', async () => {
    const nested = `${'['.repeat(100_000)}${']'.repeat(100_000)}`
    const deep = await post('projects.create', nested)
    expect(deep.status).toBe(400)
    expect(deep.body.error.message).toMatch(/nests deeper than 256 levels/)
    const shallowEnough = `{"email":${'['.repeat(300)}${']'.repeat(300)},"password":"x"}`
    const signIn = await post('auth.signIn', shallowEnough, {})
    expect(signIn.status).toBe(400)
    expect(signIn.body.error.message).toMatch(/nests deeper/)
    await healthy()
  })

  it('refuses NUL and other control characters in names, and reads malformed ids as sentences', async () => {
    const nul = await post('projects.create', JSON.stringify({ name: 'a\u0000b' }))
    expect(nul.status).toBe(400)
    expect(nul.body.error.message).toBe('name: Names cannot contain control characters (such as NUL or line breaks).')
    const upload = await post('comfy.workflows.upload', JSON.stringify({ name: 'a\u0000b', workflow: {}, manifest: {} }))
    expect(upload.status).toBe(400)
    expect(upload.body.error.message).toBe('name: Names cannot contain control characters (such as NUL or line breaks).')
    const workflow = await post('comfy.workflows.remove', JSON.stringify({ id: 'a\u0000b' }))
    expect(workflow.status).toBe(400)
    expect(workflow.body.error.message).toMatch(/^id: Template ids are/)
    const id = await call(`/api/trpc/projects.get?input=${encodeURIComponent(JSON.stringify({ id: 'nope' }))}`, { headers: auth })
    expect(id.status).toBe(400)
    expect(id.body.error.message).toBe('id: Project ids are UUIDs.')
    // Programs still get the structured issues.
    expect(id.body.error.data.zodError.fieldErrors.id).toEqual(['Project ids are UUIDs.'])
    await healthy()
  })

  it('answers path tricks on the icon route with 404, and HEAD on asset files as GET does, without a body', async () => {
    expect((await call('/api/_nuxt_icon/..%2f..%2fetc%2fpasswd')).status).toBe(404)
    expect((await call('/api/_nuxt_icon/not-a-collection.json?icons=x')).status).toBe(404)
    const missing = await fetch(`${server.url}/api/assets/00000000-0000-4000-8000-000000000000/file`, { method: 'HEAD', headers: auth })
    expect(missing.status).toBe(404)
    expect(missing.headers.get('content-type')).not.toMatch(/html/)
    const anonymous = await fetch(`${server.url}/api/assets/00000000-0000-4000-8000-000000000000/thumbnail`, { method: 'HEAD' })
    expect(anonymous.status).toBe(401)
  })

  it('answers overlong URLs with one clear status every time: 414 up to the header limit, 431 past it', async () => {
    const longInput = encodeURIComponent(JSON.stringify({ search: 'x'.repeat(20_000) }))
    const trpc = await call(`/api/trpc/projects.list?input=${longInput}`, { headers: auth })
    expect(trpc.status).toBe(414)
    expect(trpc.body.error.message).toMatch(/Send large inputs in a POST body/)
    const page = await call(`/projects?q=${'x'.repeat(20_000)}`)
    expect(page.status).toBe(414)
    expect(page.body.message).toMatch(/over 16 KB/)
    // 64 KB of query string is past what the server reads as headers: 431 and a sentence, never a reset.
    for (const bytes of [64 * 1024, 64 * 1024, 64 * 1024, 64 * 1024, 1024 * 1024]) {
      const huge = await call(`/api/trpc/projects.list?input=${'x'.repeat(bytes)}`, { headers: auth })
      expect(huge.status).toBe(431)
      expect(huge.body.message).toMatch(/over 64 KB/)
    }
    await healthy()
  })

  it('limits a batch to 50 calls', async () => {
    const procedures = Array.from({ length: 60 }, () => 'system.health').join(',')
    const input = encodeURIComponent(JSON.stringify(Object.fromEntries(Array.from({ length: 60 }, (_, i) => [i, {}]))))
    const { status, body } = await call<Answer[]>(`/api/trpc/${procedures}?batch=1&input=${input}`)
    expect(status).toBe(400)
    expect(body).toHaveLength(60)
    expect(body[0]?.error.message).toMatch(/at most 50 calls/)
    const fifty = await call(`/api/trpc/${Array.from({ length: 50 }, () => 'system.health').join(',')}?batch=1&input=${encodeURIComponent(JSON.stringify(Object.fromEntries(Array.from({ length: 50 }, (_, i) => [i, {}]))))}`)
    expect(fifty.status).toBe(200)
  })

  it('refuses oversized bodies as they stream, before holding them: a public sign-in and a 500 MB save', async () => {
    const declared = await post('auth.signIn', JSON.stringify({ email: 'a@example.com', password: 'x'.repeat(100_000) }), {})
    expect(declared.status).toBe(413)
    expect(declared.body.error.message).toMatch(/larger than 16 KB/)
    const before = peakRssMb()
    // Chunked, no length declared: the server must count while it reads.
    const status = await streamBody('projects.save', '{"id":"00000000-0000-4000-8000-000000000000","revision":1,"document":"', 500, auth)
    expect([413, 'reset']).toContain(status)
    // The limit is 21 MB: well under 200 MB more at peak, not the half gigabyte sent.
    expect(peakRssMb() - before).toBeLessThan(200)
    await healthy()
  }, 60_000)

  it('cuts off a 100 MB sign-in streamed without a declared length at 16 KB, before anyone signed in', async () => {
    const before = peakRssMb()
    const status = await streamBody('auth.signIn', '{"email":"a@example.com","password":"', 100, {})
    expect([413, 'reset']).toContain(status)
    // Nothing of the 100 MB is held: the peak stays within 50 MB of where it was.
    expect(peakRssMb() - before).toBeLessThan(50)
    await healthy()
  }, 60_000)

  it('refuses a 200 KB document of nested arrays without the stack or the memory it would take to decode it', async () => {
    const before = peakRssMb()
    const nested = `{"id":"00000000-0000-4000-8000-000000000000","revision":1,"document":${'['.repeat(100_000)}${']'.repeat(100_000)}}`
    const { status, body } = await post('projects.save', nested)
    expect(status).toBe(400)
    expect(body.error.message).toMatch(/nests deeper/)
    expect(peakRssMb() - before).toBeLessThan(50)
    await healthy()
  })
})
