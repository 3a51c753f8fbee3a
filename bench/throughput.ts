/**
 * Requests per second of `GET /api/trpc/system.health` (public, one `SELECT 1`) over concurrent
 * keep-alive connections, against two floors: a bare Nitro route in the same server process
 * (`/api/livez`: the framework without tRPC, auth or the database) and a bare node:http server.
 */
import { Agent, request } from 'node:http'

export interface BlastResult { requests: number; errors: number; seconds: number; perSecond: number }
export interface ThroughputResult {
  concurrency: number
  seconds: number
  lattice: BlastResult
  nitro: BlastResult
  floor: BlastResult
}

function get(agent: Agent, url: URL): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent, method: 'GET' }, (res) => {
      res.on('data', () => {})
      res.on('end', () => resolve(res.statusCode ?? 0))
      res.on('error', reject)
    })
    req.on('error', reject)
    req.end()
  })
}

/** `concurrency` loops, each one request at a time on its own keep-alive connection, for `ms`. */
export async function blast(target: string, concurrency: number, ms: number): Promise<BlastResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency })
  const url = new URL(target)
  let requests = 0
  let errors = 0
  const start = performance.now()
  const end = start + ms
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (performance.now() < end) {
      const status = await get(agent, url).catch(() => 0)
      if (status === 200) requests++
      else errors++
    }
  }))
  const seconds = (performance.now() - start) / 1000
  agent.destroy()
  return { requests, errors, seconds, perSecond: requests / seconds }
}

export async function measureThroughput(options: { latticeUrl: string; floorUrl: string; concurrency: number; seconds: number; warmupSeconds: number }): Promise<ThroughputResult> {
  const lattice = `${options.latticeUrl}/api/trpc/system.health`
  const floor = `${options.floorUrl}/health`
  const ms = options.seconds * 1000
  await blast(lattice, options.concurrency, options.warmupSeconds * 1000)
  const latticeResult = await blast(lattice, options.concurrency, ms)
  const nitro = `${options.latticeUrl}/api/livez`
  await blast(nitro, options.concurrency, options.warmupSeconds * 1000)
  const nitroResult = await blast(nitro, options.concurrency, ms)
  await blast(floor, options.concurrency, options.warmupSeconds * 1000)
  const floorResult = await blast(floor, options.concurrency, ms)
  return { concurrency: options.concurrency, seconds: options.seconds, lattice: latticeResult, nitro: nitroResult, floor: floorResult }
}
