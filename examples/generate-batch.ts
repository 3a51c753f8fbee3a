// Queues ten text-to-image generations on the ComfyUI servers Lattice knows, prints their
// progress as it streams in, and lists the assets they produced.
//
//   LATTICE_URL=http://localhost:3000 LATTICE_TOKEN=lat_… npx tsx examples/generate-batch.ts "a lighthouse at dusk"
import { createLatticeClient } from 'lattice/client'

const url = process.env.LATTICE_URL ?? 'http://localhost:3000'
const token = process.env.LATTICE_TOKEN
if (!token) {
  console.error('Set LATTICE_TOKEN to an API token (Settings → API tokens).')
  process.exit(2)
}
const prompt = process.argv[2] ?? 'a lighthouse on a cliff at dusk, cinematic'
const count = Number(process.env.COUNT ?? 10)

const lattice = createLatticeClient({ url, token })
const { servers, paused } = await lattice.api.comfy.servers.list.query()
if (paused) console.log(`queue paused: ${paused.reason}`)
for (const server of servers) {
  const health = !server.enabled ? 'disabled' : server.health?.reachable ? `ComfyUI ${server.health.version ?? '?'}, queue ${server.health.queueDepth}` : `unreachable${server.health && !server.health.reachable ? ` (${server.health.error})` : ''}`
  console.log(`server ${server.name} ${server.url}: ${health}`)
}

const generations = []
for (let i = 0; i < count; i++) {
  generations.push(await lattice.api.comfy.generations.create.mutate({ templateId: 'text-to-image', params: { prompt, seed: 1000 + i, steps: 8 } }))
}
console.log(`queued ${generations.length} generations`)

const percent = new Map<string, number>()
const results = await Promise.all(generations.map(async (generation, index) => {
  // Every kind of long work streams the same events; a generation's progress adds the ComfyUI node and step.
  const status = await lattice.waitForGeneration(generation, ({ event }) => {
    if (event.type === 'progress') {
      const now = Math.round(event.progress * 100)
      if (now >= (percent.get(generation.id) ?? -1) + 25 || now === 100) {
        percent.set(generation.id, now)
        console.log(`#${index + 1} ${now}%${event.node ? ` (node ${event.node}${event.max ? `, step ${event.step}/${event.max}` : ''})` : ''}`)
      }
    } else if (event.type === 'status') {
      console.log(`#${index + 1} ${event.status}${event.error ? `: ${event.error}` : ''}`)
    }
  })
  return { index, status, generation: await lattice.api.comfy.generations.get.query({ id: generation.id }) }
}))

for (const { index, status, generation } of results) {
  console.log(`#${index + 1} ${status}: ${generation.outputs.length ? `assets ${generation.outputs.join(', ')}` : generation.error ?? ''}`)
}
const succeeded = results.filter((r) => r.status === 'succeeded').length
console.log(`${succeeded} of ${results.length} succeeded`)
process.exit(succeeded === results.length ? 0 : 1)
