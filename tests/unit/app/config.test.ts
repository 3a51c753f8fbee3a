import { describe, expect, it } from 'vitest'
import { latticeConfigFromEnv } from '../../../server/app/config'

describe('where the export renderer reaches this server', () => {
  it('is the loopback port under the base URL the app was built for', () => {
    expect(latticeConfigFromEnv({ PORT: '4000' }, { baseURL: '/lattice/' }).export.internalUrl).toBe('http://127.0.0.1:4000/lattice')
    expect(latticeConfigFromEnv({ PORT: '4000' }, { baseURL: '/' }).export.internalUrl).toBe('http://127.0.0.1:4000')
  })

  it('is LATTICE_INTERNAL_URL when set', () => {
    expect(latticeConfigFromEnv({ LATTICE_INTERNAL_URL: 'http://lattice.internal:3000/lattice/' }, { baseURL: '/lattice/' }).export.internalUrl).toBe('http://lattice.internal:3000/lattice')
  })
})
