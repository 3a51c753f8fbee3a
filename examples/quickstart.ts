// The whole loop a pipeline script needs: create a project, upload a media file, follow its
// processing job to the end, then list projects.
//
//   LATTICE_URL=http://localhost:3000 LATTICE_TOKEN=lat_… npx tsx examples/quickstart.ts clip.mp4
import { createLatticeClient, LatticeHttpError, TRPCClientError } from 'lattice/client'

const token = process.env.LATTICE_TOKEN
const file = process.argv[2]
if (!token || !file) {
  console.error('Usage: LATTICE_TOKEN=lat_… [LATTICE_URL=http://localhost:3000] npx tsx examples/quickstart.ts <media file>')
  process.exit(2)
}
const lattice = createLatticeClient({ url: process.env.LATTICE_URL ?? 'http://localhost:3000', token })

try {
  const project = await lattice.api.projects.create.mutate({ name: `Quickstart ${new Date().toISOString().slice(0, 16)}`, width: 1280, height: 720, fps: 24 })
  console.log(`project ${project.name} (${project.id})`)

  const { asset, jobId } = await lattice.uploadAsset(file)
  console.log(`asset ${asset.name}: ${asset.kind}, ${asset.status}`)
  if (jobId) {
    const status = await lattice.waitForJob(jobId, ({ event }) => {
      if (event.type === 'progress') console.log(`  ${Math.round(event.progress * 100)}% ${event.stage ?? ''}`.trimEnd())
      if (event.type === 'status') console.log(`  job ${event.status}`)
    })
    if (status !== 'succeeded') throw new Error(`processing ${status}: ${(await lattice.api.jobs.get.query({ id: jobId })).error}`)
  }
  const ready = await lattice.api.assets.get.query({ id: asset.id })
  console.log(`asset ready: ${JSON.stringify(ready.metadata)}`)

  const { items } = await lattice.api.projects.list.query({ limit: 10 })
  console.log('latest projects:')
  for (const item of items) console.log(`  ${item.updatedAt.toISOString()}  ${item.name}`)
} catch (error) {
  // Server messages say what to do: show them as they are.
  if (error instanceof TRPCClientError || error instanceof LatticeHttpError) {
    console.error(`${error instanceof LatticeHttpError ? error.code : error.data?.code}: ${error.message}`)
    process.exit(1)
  }
  throw error
}
