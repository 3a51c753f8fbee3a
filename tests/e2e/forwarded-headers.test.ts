import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createLatticeClient } from '../../client'
import { BOOTSTRAP_TOKEN, startServer, type RunningServer } from './server'

const USER = { email: 'forwarded@example.com', password: 'forwarded-password-1' }
/** What a proxy in front of a studio's Lattice would say about the browser's request. */
const PUBLIC = { origin: 'https://lattice.studio.example', 'x-forwarded-host': 'lattice.studio.example', 'x-forwarded-proto': 'https' }

function signIn(server: RunningServer, password: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${server.url}/api/trpc/auth.signIn`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ email: USER.email, password }),
  })
}

async function sessionCookie(server: RunningServer): Promise<string> {
  const response = await signIn(server, USER.password)
  expect(response.status).toBe(200)
  return response.headers.get('set-cookie')!.split(';')[0]!
}

function createProject(server: RunningServer, cookie: string, headers: Record<string, string>): Promise<Response> {
  return fetch(`${server.url}/api/trpc/projects.create`, {
    method: 'POST',
    headers: { cookie, 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ name: 'Forwarded' }),
  })
}

async function startWith(trustProxy: string | undefined): Promise<RunningServer> {
  const server = await startServer({ env: trustProxy === undefined ? {} : { LATTICE_TRUST_PROXY: trustProxy } })
  await createLatticeClient({ url: server.url, token: BOOTSTRAP_TOKEN }).api.users.create.mutate(USER)
  return server
}

/** A client talking to Lattice directly can write any X-Forwarded-* header it likes. */
describe('without LATTICE_TRUST_PROXY, forwarded headers are ignored', () => {
  let server: RunningServer
  beforeAll(async () => { server = await startWith(undefined) })
  afterAll(async () => { await server?.dispose() })

  it('does not let a made-up X-Forwarded-Host carry a cookie past the same-origin check', async () => {
    const cookie = await sessionCookie(server)
    expect((await createProject(server, cookie, PUBLIC)).status).toBe(401)
    expect((await createProject(server, cookie, { origin: server.url })).status).toBe(200)
  })

  it('locks out by the connection\'s address, whatever X-Forwarded-For says', async () => {
    for (let attempt = 0; attempt < 5; attempt++) expect((await signIn(server, 'wrong-password', { 'x-forwarded-for': `203.0.113.${attempt}` })).status).toBe(401)
    expect((await signIn(server, USER.password, { 'x-forwarded-for': '203.0.113.99' })).status).toBe(429)
  })
})

/** Here the test is the proxy: the server is told its peer (127.0.0.1) is one. */
describe('with LATTICE_TRUST_PROXY naming the proxy, forwarded headers are believed', () => {
  let server: RunningServer
  beforeAll(async () => { server = await startWith('127.0.0.1') })
  afterAll(async () => { await server?.dispose() })

  it('compares the Origin with X-Forwarded-Host and X-Forwarded-Proto', async () => {
    const cookie = await sessionCookie(server)
    expect((await createProject(server, cookie, PUBLIC)).status).toBe(200)
    expect((await createProject(server, cookie, { ...PUBLIC, origin: 'http://lattice.studio.example' })).status).toBe(401)
    expect((await createProject(server, cookie, { ...PUBLIC, origin: 'https://elsewhere.example' })).status).toBe(401)
  })

  it('locks out the address the proxy saw, not the account and not its own address', async () => {
    for (let attempt = 0; attempt < 5; attempt++) expect((await signIn(server, 'wrong-password', { 'x-forwarded-for': '203.0.113.5' })).status).toBe(401)
    const locked = await signIn(server, USER.password, { 'x-forwarded-for': '203.0.113.5' })
    expect(locked.status).toBe(429)
    expect(await locked.text()).toContain('Too many failed sign-ins.')
    // A colleague behind the same proxy, from another address, still signs in.
    expect((await signIn(server, USER.password, { 'x-forwarded-for': '203.0.113.6' })).status).toBe(200)
    // Entries before the proxy's own are the client's to choose, so they change nothing.
    expect((await signIn(server, USER.password, { 'x-forwarded-for': '198.51.100.1, 203.0.113.5' })).status).toBe(429)
  })

  it('refuses to start on a value it cannot read, saying what fits', async () => {
    await expect(startServer({ env: { LATTICE_TRUST_PROXY: 'yes' } })).rejects.toThrow(/LATTICE_TRUST_PROXY must be 1 or true/)
  })
})
