import { describe, expect, it } from 'vitest'
import { latticeConfigFromEnv } from '../../../server/app/config'
import { clientAddress, originMatches, parseTrustProxy, publicOrigin, type ForwardedRequest } from '../../../server/http/forwarded'

function request(peer: string | undefined, headers: Record<string, string> = {}): ForwardedRequest {
  return { peer, header: (name) => headers[name.toLowerCase()] }
}

const NONE = parseTrustProxy(undefined)
const ONE_HOP = parseTrustProxy('1')
const PROXIES = parseTrustProxy('10.0.0.5, 10.0.0.6')

describe('LATTICE_TRUST_PROXY', () => {
  it('reads off, one hop and a list of proxy addresses', () => {
    for (const off of [undefined, '', ' ', '0', 'false', 'FALSE']) expect(parseTrustProxy(off)).toEqual({ kind: 'none' })
    for (const on of ['1', 'true', ' True ']) expect(parseTrustProxy(on)).toEqual({ kind: 'one-hop' })
    expect(parseTrustProxy('127.0.0.1,::1, 10.0.0.5 ,[FD00::1]')).toEqual({ kind: 'addresses', addresses: new Set(['127.0.0.1', '::1', '10.0.0.5', 'fd00::1']) })
  })

  it('stops start-up on a value it cannot read, saying what fits', () => {
    for (const bad of ['yes', '10.0.0.0/8', '127.0.0.1,proxy.local', ',']) {
      expect(() => parseTrustProxy(bad)).toThrow(/^LATTICE_TRUST_PROXY must be 1 or true .* such as 127\.0\.0\.1,10\.0\.0\.5 \(got "/)
    }
    expect(() => latticeConfigFromEnv({ LATTICE_TRUST_PROXY: 'yes' })).toThrow(/LATTICE_TRUST_PROXY must be/)
    expect(latticeConfigFromEnv({ LATTICE_TRUST_PROXY: '10.0.0.5' }).trustProxy).toEqual({ kind: 'addresses', addresses: new Set(['10.0.0.5']) })
    expect(latticeConfigFromEnv({}).trustProxy).toEqual({ kind: 'none' })
  })
})

describe('the client address the sign-in lockout counts', () => {
  it('is the peer, whatever X-Forwarded-For says, when no proxy is trusted', () => {
    expect(clientAddress(request('192.0.2.7', { 'x-forwarded-for': '203.0.113.9' }), NONE)).toBe('192.0.2.7')
    expect(clientAddress(request('::ffff:192.0.2.7'), NONE)).toBe('192.0.2.7')
    expect(clientAddress(request(undefined), NONE)).toBe('unknown')
  })

  it('is the entry the one trusted proxy appended, not one the client wrote before it', () => {
    expect(clientAddress(request('127.0.0.1', { 'x-forwarded-for': '203.0.113.9' }), ONE_HOP)).toBe('203.0.113.9')
    // nginx's $proxy_add_x_forwarded_for keeps what the client sent and appends the address it saw.
    expect(clientAddress(request('127.0.0.1', { 'x-forwarded-for': '198.51.100.1, 203.0.113.9' }), ONE_HOP)).toBe('203.0.113.9')
    expect(clientAddress(request('127.0.0.1'), ONE_HOP)).toBe('127.0.0.1')
    expect(clientAddress(request('127.0.0.1', { 'x-forwarded-for': 'not-an-address' }), ONE_HOP)).toBe('127.0.0.1')
  })

  it('skips the listed proxies from the right, and believes nothing from a peer not listed', () => {
    const chain = { 'x-forwarded-for': '198.51.100.1, 203.0.113.9, 10.0.0.6' }
    expect(clientAddress(request('10.0.0.5', chain), PROXIES)).toBe('203.0.113.9')
    expect(clientAddress(request('::ffff:10.0.0.5', chain), PROXIES)).toBe('203.0.113.9')
    expect(clientAddress(request('192.0.2.7', chain), PROXIES)).toBe('192.0.2.7')
    expect(clientAddress(request('10.0.0.5', { 'x-forwarded-for': '10.0.0.6' }), PROXIES)).toBe('10.0.0.6')
  })
})

describe('the origin a browser must send with a signed-in write', () => {
  const proxied = { host: '127.0.0.1:3000', 'x-forwarded-host': 'studio.example:8443, inner.example', 'x-forwarded-proto': 'https' }

  it('is the Host alone when no proxy is trusted: forwarded headers are ignored', () => {
    const expected = publicOrigin(request('192.0.2.7', proxied), NONE)
    expect(expected).toEqual({ host: '127.0.0.1:3000', protocol: undefined })
    expect(originMatches('https://studio.example:8443', expected)).toBe(false)
    expect(originMatches('http://127.0.0.1:3000', expected)).toBe(true)
  })

  it('is the first X-Forwarded-Host with X-Forwarded-Proto behind a trusted proxy', () => {
    const expected = publicOrigin(request('127.0.0.1', proxied), ONE_HOP)
    expect(expected).toEqual({ host: 'studio.example:8443', protocol: 'https' })
    expect(originMatches('https://studio.example:8443', expected)).toBe(true)
    expect(originMatches('http://studio.example:8443', expected)).toBe(false)
    expect(originMatches('https://studio.example', expected)).toBe(false)
    expect(originMatches('https://inner.example', expected)).toBe(false)
    expect(publicOrigin(request('192.0.2.7', proxied), PROXIES)).toEqual({ host: '127.0.0.1:3000', protocol: undefined })
  })

  it('falls back to Host when the proxy keeps it and sends no X-Forwarded-Host', () => {
    const expected = publicOrigin(request('127.0.0.1', { host: 'studio.example:8080', 'x-forwarded-proto': 'http' }), ONE_HOP)
    expect(originMatches('http://studio.example:8080', expected)).toBe(true)
    expect(originMatches('http://studio.example', expected)).toBe(false)
  })

  it('treats a default port written out as the same origin, and junk as none', () => {
    expect(originMatches('https://studio.example', { host: 'studio.example:443', protocol: 'https' })).toBe(true)
    expect(originMatches('null', { host: 'studio.example', protocol: undefined })).toBe(false)
    expect(originMatches('https://studio.example', { host: undefined, protocol: undefined })).toBe(false)
    expect(originMatches('https://studio.example', { host: 'studio.example/evil', protocol: undefined })).toBe(false)
    expect(originMatches('https://studio.example', { host: 'evil@studio.example', protocol: undefined })).toBe(false)
  })
})
