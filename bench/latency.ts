/**
 * projects.get / projects.save of a large document through the typed client, against the floor:
 * a bare HTTP round-trip carrying the same number of bytes to a node:http server.
 */
import { isDeepStrictEqual } from 'node:util'
import { transformer } from '../shared/transformer'
import type { LatticeClient } from '../client'
import { parseDocument, type ProjectDocument } from '../shared/project'
import { median, percentile, timed } from './stats'

export interface LatencyStats { n: number; p50: number; p99: number; mean: number }
export interface LatencyResult {
  documentBytes: number
  /** Bytes on the wire: the get response and the save request, as the client sends/receives them. */
  getResponseBytes: number
  saveRequestBytes: number
  get: { lattice: LatencyStats; floor: LatencyStats }
  save: { lattice: LatencyStats; floor: LatencyStats }
  /** The same work done in this process, to read the ratios by: where the time goes. */
  inProcess: { jsonStringifyMs: number; jsonParseMs: number; parseDocumentMs: number; wireSerializeMs: number; wireDeserializeMs: number }
}

function summarize(samples: number[]): LatencyStats {
  return { n: samples.length, p50: median(samples), p99: percentile(samples, 99), mean: samples.reduce((a, b) => a + b, 0) / samples.length }
}

async function inProcessCosts(document: ProjectDocument, rounds = 3) {
  const costs = { jsonStringifyMs: [] as number[], jsonParseMs: [] as number[], parseDocumentMs: [] as number[], wireSerializeMs: [] as number[], wireDeserializeMs: [] as number[] }
  for (let i = 0; i < rounds; i++) {
    let start = performance.now()
    const text = JSON.stringify(document)
    costs.jsonStringifyMs.push(performance.now() - start)
    start = performance.now()
    const raw: unknown = JSON.parse(text)
    costs.jsonParseMs.push(performance.now() - start)
    start = performance.now()
    parseDocument(raw)
    costs.parseDocumentMs.push(performance.now() - start)
    start = performance.now()
    const serialized = transformer.serialize({ document })
    costs.wireSerializeMs.push(performance.now() - start)
    start = performance.now()
    transformer.deserialize(serialized)
    costs.wireDeserializeMs.push(performance.now() - start)
  }
  return {
    jsonStringifyMs: median(costs.jsonStringifyMs),
    jsonParseMs: median(costs.jsonParseMs),
    parseDocumentMs: median(costs.parseDocumentMs),
    wireSerializeMs: median(costs.wireSerializeMs),
    wireDeserializeMs: median(costs.wireDeserializeMs),
  }
}

export async function measureLatency(options: {
  lattice: LatticeClient
  latticeUrl: string
  token: string
  floorUrl: string
  document: ProjectDocument
  documentBytes: number
  iterations: number
  warmup: number
}): Promise<LatencyResult> {
  const { lattice, document, iterations, warmup } = options
  const created = await lattice.api.projects.create.mutate({ name: 'Benchmark: large document', width: 1280, height: 720, fps: 16, frameCount: 81 })
  let revision = (await lattice.api.projects.save.mutate({ id: created.id, revision: created.revision, document })).revision

  // The bytes the typed client moves (httpBatchLink, shared/transformer.ts), measured rather than assumed.
  const getUrl = `${options.latticeUrl}/api/trpc/projects.get?batch=1&input=${encodeURIComponent(JSON.stringify({ 0: transformer.serialize({ id: created.id }) }))}`
  const probe = await fetch(getUrl, { headers: { authorization: `Bearer ${options.token}` } })
  if (!probe.ok) throw new Error(`projects.get answered ${probe.status}`)
  const getResponseBytes = (await probe.arrayBuffer()).byteLength
  const saveBody = JSON.stringify({ 0: transformer.serialize({ id: created.id, revision, document }) })
  const saveRequestBytes = Buffer.byteLength(saveBody)

  const check = await lattice.api.projects.get.query({ id: created.id })
  if (!isDeepStrictEqual(check.document, document)) throw new Error('projects.get returned a different document than was saved')

  const floorGet = async () => {
    const response = await fetch(`${options.floorUrl}/blob?bytes=${getResponseBytes}`)
    if ((await response.arrayBuffer()).byteLength !== getResponseBytes) throw new Error('floor /blob answered the wrong size')
  }
  const floorSave = async () => {
    const response = await fetch(`${options.floorUrl}/sink`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: saveBody })
    await response.arrayBuffer()
  }
  const latticeGet = async () => { await lattice.api.projects.get.query({ id: created.id }) }
  const latticeSave = async () => { revision = (await lattice.api.projects.save.mutate({ id: created.id, revision, document })).revision }

  for (let i = 0; i < warmup; i++) {
    await latticeGet(); await floorGet(); await latticeSave(); await floorSave()
  }
  // Interleaved, so drift on the machine affects both sides alike.
  const samples = { latticeGet: [] as number[], floorGet: [] as number[], latticeSave: [] as number[], floorSave: [] as number[] }
  for (let i = 0; i < iterations; i++) {
    samples.latticeGet.push((await timed(latticeGet)).ms)
    samples.floorGet.push((await timed(floorGet)).ms)
  }
  for (let i = 0; i < iterations; i++) {
    samples.latticeSave.push((await timed(latticeSave)).ms)
    samples.floorSave.push((await timed(floorSave)).ms)
  }
  await lattice.api.projects.delete.mutate({ id: created.id })

  return {
    documentBytes: options.documentBytes,
    getResponseBytes,
    saveRequestBytes,
    get: { lattice: summarize(samples.latticeGet), floor: summarize(samples.floorGet) },
    save: { lattice: summarize(samples.latticeSave), floor: summarize(samples.floorSave) },
    inProcess: await inProcessCosts(document),
  }
}
